import Foundation
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
        Expected(file: "bad-yaml.md", code: "front-matter.yaml", severity: .error, line: 3, column: 8),
        Expected(file: "wrong-type.md", code: "front-matter.type", severity: .error, line: 4, column: 10),
        Expected(file: "bad-pass.md", code: "front-matter.type", severity: .error, line: 4, column: 7),
        Expected(file: "unclosed-front-matter.md", code: "front-matter.unclosed", severity: .error, line: 1, column: 1),
        Expected(file: "no-front-matter.md", code: "front-matter.missing", severity: .error, line: 1, column: 1),
        Expected(file: "bad-module-id.md", code: "module.id", severity: .error, line: 2, column: 5),
        Expected(file: "no-id.md", code: "module.no-id", severity: .error, line: 2, column: 1),
        Expected(file: "pool-too-big.md", code: "module.pool", severity: .error, line: 4, column: 7),
        Expected(file: "accepts-anything.md", code: "answer.accepts-anything", severity: .error, line: 11, column: 1),
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
        Expected(file: "ambiguous-percent.md", code: "front-matter.ambiguous-percent", severity: .warning, line: 4, column: 7),
        Expected(file: "feedback-not-indented.md", code: "option.feedback-not-indented", severity: .warning, line: 11, column: 1),
        Expected(file: "check-outside-question.md", code: "check.outside-question", severity: .warning, line: 10, column: 1),
        Expected(file: "callout-marker-text.md", code: "callout.marker-text", severity: .warning, line: 8, column: 10),
        Expected(file: "feedback-unused.md", code: "option.feedback-unused", severity: .warning, line: 11, column: 1),
        Expected(file: "one-option.md", code: "question.one-option", severity: .warning, line: 10, column: 1),
        Expected(file: "language-term.md", code: "language.term", severity: .warning, line: 8, column: 11),
        // Front matter.
        Expected(file: "duplicate-key.md", code: "front-matter.duplicate-key", severity: .error, line: 4, column: 1),
        Expected(file: "empty-front-matter.md", code: "front-matter.empty", severity: .error, line: 2, column: 1),
        Expected(file: "minutes-range.md", code: "front-matter.range", severity: .error, line: 4, column: 10),
        Expected(file: "unknown-key-no-guess.md", code: "front-matter.unknown-key", severity: .warning, line: 4, column: 1),
        Expected(file: "yaml-control-character.md", code: "front-matter.yaml", severity: .error, line: 3, column: 11),
        Expected(file: "no-title.md", code: "module.no-title", severity: .error, line: 2, column: 1),
        Expected(file: "source-no-title.md", code: "source.no-title", severity: .error, line: 5, column: 5),
        // Body structure.
        Expected(file: "section-duplicate.md", code: "section.duplicate", severity: .warning, line: 10, column: 1),
        Expected(file: "section-empty-heading.md", code: "section.empty-heading", severity: .error, line: 6, column: 1),
        Expected(file: "question-outside-section.md", code: "question.outside-section", severity: .warning, line: 8, column: 1),
        Expected(file: "question-empty-heading.md", code: "question.empty-heading", severity: .error, line: 8, column: 1),
        Expected(file: "empty-callout.md", code: "callout.empty", severity: .warning, line: 10, column: 1),
        // Answer lists.
        Expected(file: "option-extra-block.md", code: "option.extra-block", severity: .warning, line: 12, column: 3),
        Expected(file: "ordering-too-short.md", code: "ordering.too-short", severity: .error, line: 10, column: 1),
        Expected(file: "ordering-repeated.md", code: "ordering.repeated", severity: .error, line: 12, column: 1),
        Expected(file: "matching-too-short.md", code: "matching.too-short", severity: .error, line: 10, column: 1),
        // Scenarios.
        Expected(file: "scenario-link-kind.md", code: "scenario.link-kind", severity: .error, line: 10, column: 1),
        Expected(file: "scenario-no-ending.md", code: "scenario.no-ending", severity: .warning, line: 6, column: 1),
        Expected(file: "scenario-empty.md", code: "scenario.empty", severity: .error, line: 6, column: 1),
        // Check blocks.
        Expected(file: "check-no-answers.md", code: "check.no-answers", severity: .error, line: 17, column: 1),
        Expected(file: "check-empty.md", code: "check.empty", severity: .warning, line: 13, column: 1),
        // Reading grade (course default: grade 8).
        Expected(file: "reading-grade.md", code: "reading.grade", severity: .warning, line: 8, column: 1),
    ]

    @Test(arguments: cases)
    func reportsAtLineAndColumn(_ expected: Expected) {
        let result = CurriculumCompiler.compile(path: Fixtures.path("diagnostics/" + expected.file))
        let sameCode = result.diagnostics.filter { $0.code == expected.code }
        #expect(!sameCode.isEmpty, "got: \(result.diagnostics.map(\.description))")
        for d in sameCode {
            #expect(d.severity == expected.severity)
            #expect(d.hint?.isEmpty == false, "every diagnostic says how to fix it")
            #expect(d.path.hasSuffix(expected.file))
        }
        if expected.severity == .error { #expect(result.curriculum == nil) }
        let match = sameCode.first { $0.line == expected.line }
        #expect(match != nil, "got: \(sameCode.map(\.description))")
        #expect(match?.column == expected.column)
    }

    /// Files that aren't UTF-8 text: made at test time, since a fixture with a NUL or a stray byte is easy to "fix" by accident.
    @Test(arguments: [
        ("file.binary", Data("---\nid: m\ntitle: A".utf8) + Data([0x00]) + Data("B\n---\n".utf8), 3, 9),
        ("file.encoding", Data("---\nid: m\ntitle: Caf".utf8) + Data([0xE9]) + Data("\n---\n".utf8), 3, 11),
    ])
    func unreadableBytesAreReportedAtTheByte(code: String, bytes: Data, line: Int, column: Int) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-\(UUID().uuidString).md")
        try bytes.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = CurriculumCompiler.compile(path: url.path)
        let d = try #require(result.diagnostics.first { $0.code == code }, "\(result.diagnostics)")
        #expect((d.line, d.column) == (line, column))
        #expect(d.severity == .error)
        #expect(d.hint?.isEmpty == false)
        #expect(d.path == url.path)
        #expect(result.curriculum == nil)
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

    @Test func aCheckBlockOutsideAQuestionIsLeftOutOfTheLesson() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("diagnostics/check-outside-question.md"))
        let lesson = try #require(result.curriculum?.modules.first?.sections.first)
        let html = lesson.elements.map { element -> String in
            if case let .text(content) = element { return content.html }
            return ""
        }.joined()
        #expect(html.contains("Some text."))
        #expect(!html.contains("100%"), "the answer key is not shown to learners")
    }
}
