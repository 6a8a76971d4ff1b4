import Testing
@testable import CurriculumKit

/// Every diagnostic the compiler reports, with the line and column it must point at.
struct DiagnosticTests {
    struct Expected: CustomTestStringConvertible, Sendable {
        var file: String
        var code: String
        var severity: Diagnostic.Severity
        var line: Int
        var column: Int
        var testDescription: String { "\(file) → \(code) at \(line):\(column)" }
    }

    static let cases: [Expected] = [
        Expected(file: "unknown-key.md", code: "front-matter.unknown-key", severity: .warning, line: 4, column: 1),
        Expected(file: "bad-yaml.md", code: "front-matter.yaml", severity: .error, line: 4, column: 1),
        Expected(file: "wrong-type.md", code: "front-matter.type", severity: .error, line: 4, column: 10),
        Expected(file: "bad-pass.md", code: "front-matter.type", severity: .error, line: 4, column: 7),
        Expected(file: "unclosed-front-matter.md", code: "front-matter.unclosed", severity: .error, line: 1, column: 1),
        Expected(file: "no-front-matter.md", code: "front-matter.missing", severity: .error, line: 1, column: 1),
        Expected(file: "bad-module-id.md", code: "module.id", severity: .error, line: 2, column: 5),
        Expected(file: "no-id.md", code: "module.no-id", severity: .error, line: 2, column: 1),
        Expected(file: "pool-too-big.md", code: "module.pool", severity: .error, line: 4, column: 7),
        Expected(file: "yaml-alias.md", code: "front-matter.yaml", severity: .error, line: 4, column: 17),
        Expected(file: "billion-laughs.md", code: "front-matter.type", severity: .error, line: 11, column: 4),
        Expected(file: "single-no-answer.md", code: "single-choice.no-answer", severity: .error, line: 10, column: 1),
        Expected(file: "single-two-answers.md", code: "single-choice.two-answers", severity: .error, line: 11, column: 1),
        Expected(file: "select-no-answer.md", code: "select-all.no-answer", severity: .error, line: 10, column: 1),
        Expected(file: "weight-range.md", code: "option.marker", severity: .error, line: 11, column: 1),
        Expected(file: "weight-fraction.md", code: "option.marker", severity: .error, line: 11, column: 1),
        Expected(file: "empty-option.md", code: "option.empty", severity: .error, line: 11, column: 1),
        Expected(file: "mixed-markers.md", code: "option.mixed-markers", severity: .error, line: 11, column: 1),
        Expected(file: "matching-repeated-left.md", code: "matching.repeated-left", severity: .error, line: 11, column: 1),
        Expected(file: "matching-repeated-right.md", code: "matching.repeated-right", severity: .error, line: 11, column: 1),
        Expected(file: "matching-no-arrow.md", code: "matching.no-arrow", severity: .error, line: 12, column: 1),
        Expected(file: "short-answer-empty.md", code: "short-answer.no-answer", severity: .error, line: 10, column: 1),
        Expected(file: "no-answer-list.md", code: "question.no-answers", severity: .error, line: 8, column: 1),
        Expected(file: "duplicate-question.md", code: "question.duplicate-id", severity: .error, line: 13, column: 1),
        Expected(file: "bad-custom-id.md", code: "question.id", severity: .error, line: 8, column: 1),
        Expected(file: "unknown-callout.md", code: "callout.unknown", severity: .error, line: 10, column: 1),
        Expected(file: "link-outside-scenario.md", code: "scenario.link-outside", severity: .error, line: 10, column: 1),
        Expected(file: "scenario-missing-step.md", code: "scenario.missing-step", severity: .error, line: 10, column: 1),
        Expected(file: "scenario-cycle.md", code: "scenario.cycle", severity: .error, line: 8, column: 1),
        Expected(file: "scenario-unreachable.md", code: "scenario.unreachable", severity: .warning, line: 13, column: 1),
        Expected(file: "check-malformed.md", code: "check.malformed", severity: .error, line: 15, column: 1),
        Expected(file: "check-mismatch.md", code: "check.mismatch", severity: .error, line: 16, column: 1),
        Expected(file: "language-term.md", code: "language.term", severity: .warning, line: 8, column: 11),
    ]

    @Test(arguments: cases)
    func reportsAtLineAndColumn(_ expected: Expected) {
        let result = CurriculumCompiler.compile(path: Fixtures.path("diagnostics/" + expected.file))
        let match = result.diagnostics.first { $0.code == expected.code && $0.line == expected.line }
        #expect(match != nil, "got: \(result.diagnostics.map(\.description))")
        #expect(match?.column == expected.column)
        #expect(match?.severity == expected.severity)
        #expect(match?.hint?.isEmpty == false, "every diagnostic says how to fix it")
        #expect(match?.path.hasSuffix(expected.file) == true)
        if expected.severity == .error { #expect(result.curriculum == nil) }
    }

    @Test func anUnmarkedItemIsMixedMarkersNotASecondAnswer() {
        let codes = CurriculumCompiler.compile(path: Fixtures.path("diagnostics/mixed-markers.md")).diagnostics.map(\.code)
        #expect(codes == ["option.mixed-markers", "option.mixed-markers"])
    }

    @Test func aCheckBlockOfOnlyMalformedLinesIsNotAlsoCalledEmpty() {
        let result = compileModule("\n## Quiz\n\n### Q\n\n- (x) A\n- ( ) B\n\n```check\nb => 0%\n```\n")
        #expect(result.diagnostics.map(\.code) == ["check.malformed"])
        let empty = compileModule("\n## Quiz\n\n### Q\n\n- (x) A\n- ( ) B\n\n```check\n# nothing yet\n```\n")
        #expect(empty.diagnostics.map(\.code) == ["check.empty"])
    }

    @Test func unknownKeyNamesTheClosestKnownKey() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("diagnostics/unknown-key.md"))
        let diagnostic = try #require(result.diagnostics.first { $0.code == "front-matter.unknown-key" })
        #expect(diagnostic.message.contains("did you mean objectives?"))
    }

    @Test func checkLinesReportEachProblemAtItsOwnLine() {
        let result = CurriculumCompiler.compile(path: Fixtures.path("diagnostics/check-malformed.md"))
        let lines = result.diagnostics.filter { $0.code == "check.malformed" }.map(\.line)
        #expect(lines == [15, 16])
        let mismatch = CurriculumCompiler.compile(path: Fixtures.path("diagnostics/check-mismatch.md")).diagnostics
        let critical = mismatch.first { $0.line == 17 }
        #expect(critical?.column == 3)
        #expect(critical?.message.contains("expects 0% critical but the evaluator gives 0%") == true)
        #expect(mismatch.first { $0.line == 16 }?.message.contains("expects 40% but the evaluator gives 50%") == true)
    }

    @Test func languageCheckHonoursAllowCommentsAndPlurals() {
        let result = CurriculumCompiler.compile(path: Fixtures.path("diagnostics/language-term.md"))
        let found = result.diagnostics.filter { $0.code == "language.term" }.map { "\($0.line):\($0.column)" }
        #expect(found == ["8:11", "12:5", "12:30"], "junkie is allowed in its quote; users and clean are flagged")
    }

    @Test func diagnosticsAreSortedAndPrintLikeACompiler() {
        let result = CurriculumCompiler.compile(path: Fixtures.path("diagnostics/scenario-missing-step.md"))
        #expect(result.diagnostics.map(\.line) == result.diagnostics.map(\.line).sorted())
        #expect(result.diagnostics.first?.description.hasSuffix(
            "scenario-missing-step.md:10:1: error: this option links to #nowhere, but the scenario has no step with that id") == true)
    }
}
