import Foundation
import Testing
@testable import CurriculumKit

/// The check for answers that give themselves away by their shape: position, length, cue
/// words, words echoed from the prompt, soft feedback on a critical choice, and a retake
/// that shows the same questions.
struct AnswerShapeTests {
    static let shapeCodes: Set<String> = ["shape.position", "shape.length", "shape.cue-word", "shape.prompt-echo",
                                          "critical.soft-feedback", "module.retake-pool"]

    func diagnostics(_ fixture: String) -> [Diagnostic] {
        CurriculumCompiler.compile(path: Fixtures.path("shape/" + fixture)).diagnostics
    }

    /// The shape warnings of a fixture: each a warning with a hint, the module still compiling.
    func shapeWarnings(_ fixture: String) -> [Diagnostic] {
        let result = CurriculumCompiler.compile(path: Fixtures.path("shape/" + fixture))
        #expect(result.curriculum != nil, "warnings never stop a module: \(result.diagnostics.map(\.description))")
        let found = result.diagnostics.filter { Self.shapeCodes.contains($0.code) }
        for d in found {
            #expect(d.severity == .warning, "\(d.description)")
            #expect(d.hint?.isEmpty == false, "\(d.code) says how to fix it")
        }
        return found
    }

    /// Item N of the generated fixtures starts on this line.
    func item(_ number: Int) -> Int { 9 + 13 * (number - 1) }

    @Test func aWellMixedModuleTripsNone() {
        let found = shapeWarnings("mixed.md")
        #expect(found.isEmpty, "\(found.map(\.description))")
    }

    @Test func theRightAnswerAlwaysInOnePositionIsFlagged() throws {
        let found = shapeWarnings("position.md")
        #expect(found.map(\.code) == ["shape.position"], "only the position, for letter a: \(found.map(\.description))")
        let d = try #require(found.first)
        #expect((d.line, d.column) == (item(1), 1), "at the first question it counts")
        #expect(d.message.hasPrefix("the right option is option a in 6 of 6 single-choice questions, where chance gives about 1.5 (binomial p = 0.0005) in this module: "),
                "\(d.message)")
        for number in 1...6 {
            #expect(d.message.contains("position/item-\(number) (line \(item(number)))"), "names item \(number): \(d.message)")
        }
        #expect(d.hint?.contains("other letters") == true)
    }

    @Test func theRightAnswerAlwaysTheLongestIsFlagged() throws {
        let found = shapeWarnings("longest.md")
        #expect(found.map(\.code) == ["shape.length"], "\(found.map(\.description))")
        let d = try #require(found.first)
        #expect(d.message.hasPrefix("the right option is the longest in 8 of 8 single-choice questions, where chance gives about 2 (binomial p < 0.0001)"),
                "\(d.message)")
        #expect(d.message.contains("longest/item-1 (line \(item(1)))") && d.message.contains("longest/item-8 (line \(item(8)))"))
        #expect(d.line == item(1))
    }

    @Test func theRightAnswerAlwaysTheSecondLongestIsFlagged() throws {
        let found = shapeWarnings("second-longest.md")
        #expect(found.map(\.code) == ["shape.length"], "\(found.map(\.description))")
        let d = try #require(found.first)
        #expect(d.message.hasPrefix("the right option is the second longest in 8 of 8 single-choice questions, where chance gives about 2 (binomial p < 0.0001)"),
                "\(d.message)")
        #expect(d.message.contains("second-longest/item-5"))
    }

    @Test func aCueWordOnlyInWrongOptionsIsFlagged() throws {
        let found = shapeWarnings("cue-wrong.md")
        #expect(found.map(\.code) == ["shape.cue-word"], "\(found.map(\.description))")
        let d = try #require(found.first)
        #expect((d.line, d.column) == (14, 1), "at the first option with the word")
        #expect(d.message == "“always” is in 3 options and every one is wrong in this module: cue-wrong/first (line 9), cue-wrong/second (line 16), cue-wrong/third (line 23)")
        #expect(d.hint?.contains("marks a wrong answer") == true)
    }

    @Test func aCueWordOnlyInRightOptionsIsFlagged() throws {
        let found = shapeWarnings("cue-right.md")
        #expect(found.map(\.code) == ["shape.cue-word"], "\(found.map(\.description))")
        let d = try #require(found.first)
        #expect((d.line, d.column) == (13, 1))
        #expect(d.message.hasPrefix("“because” is in 3 options and every one is right in this module: cue-right/first (line 9)"), "\(d.message)")
        #expect(d.message.contains("cue-right/third (line 23)"), "select-all options count too")
        #expect(d.hint?.contains("marks the right answer") == true)
    }

    @Test func aRightOptionThatAloneEchoesThePromptIsFlagged() throws {
        let found = shapeWarnings("prompt-echo.md")
        #expect(found.map(\.code) == ["shape.prompt-echo"], "\(found.map(\.description))")
        let d = try #require(found.first)
        #expect((d.line, d.column) == (14, 1), "at the right option")
        #expect(d.message == "only the right option repeats “overheating” from the prompt of prompt-echo/heat")
    }

    @Test func softFeedbackOnACriticalChoiceIsFlagged() throws {
        let found = shapeWarnings("soft-feedback.md")
        #expect(found.map(\.code) == ["critical.soft-feedback"], "“Closed doors…” doesn't open with “close”: \(found.map(\.description))")
        let d = try #require(found.first)
        #expect((d.line, d.column) == (15, 1), "at the critical option")
        #expect(d.message.contains("opens “Not quite”"), "\(d.message)")
    }

    @Test func aRetakeThatDrawsEveryQuestionAgainIsFlagged() throws {
        let found = shapeWarnings("retake-pool.md")
        #expect(found.map(\.code) == ["module.retake-pool"], "\(found.map(\.description))")
        let d = try #require(found.first)
        #expect((d.line, d.column) == (4, 11), "at the attempts setting")
        #expect(d.message == "the module allows 3 attempts, but each attempt draws all of its 5 questions, so a retake shows the same ones")
        #expect(d.hint?.contains("`pool: 4`") == true, "\(d.hint ?? "")")
    }

    @Test(arguments: [
        ("attempts: 1\n", nil),
        ("attempts: 3\npool: 4\n", nil),
        ("attempts: 3\npool: 5\n", "each attempt draws all of its 5 questions"),
        ("", "the module allows unlimited attempts"),
    ] as [(String, String?)])
    func aPoolOfAtMostFourFifthsOrOneAttemptIsFine(_ settings: String, _ message: String?) {
        var body = "\n## Quiz\n"
        for number in 1...5 { body += "\n### Q\(number)\n\n- (x) Right \(number)\n- ( ) Wrong \(number)\n" }
        let found = CurriculumCompiler.compile(moduleText: moduleText(body, settings: settings)).diagnostics.filter { $0.code == "module.retake-pool" }
        if let message {
            #expect(found.count == 1 && found[0].message.contains(message), "\(settings): \(found.map(\.description))")
        } else {
            #expect(found.isEmpty, "\(settings): \(found.map(\.description))")
        }
    }

    // MARK: The whole course

    @Test func smallBiasesInEachModuleAddUpToACourseWarning() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("shape/course"))
        #expect(result.curriculum != nil)
        let inModules = result.diagnostics.filter { Self.shapeCodes.contains($0.code) && !$0.path.hasSuffix("course.md") }
        #expect(inModules.isEmpty, "3 of 4 in one module is chance: \(inModules.map(\.description))")
        let course = result.diagnostics.filter { $0.path.hasSuffix("shape/course/course.md") && Self.shapeCodes.contains($0.code) }
        #expect(Set(course.map(\.code)) == ["shape.position", "shape.cue-word"], "\(course.map(\.description))")
        for d in course {
            #expect((d.line, d.column) == (1, 1), "course-wide warnings are at course.md:1:1")
            #expect(d.severity == .warning)
        }
        let position = try #require(course.first { $0.code == "shape.position" })
        #expect(position.message.hasPrefix("the right option is option a in 9 of 12 single-choice questions, where chance gives about 3 (binomial p = 0.0008) over the whole course: "),
                "\(position.message)")
        #expect(position.message.contains("part-1/item-1 (") && position.message.contains("1-part.md:9)"), "with each module's path and line")
        let cue = try #require(course.first { $0.code == "shape.cue-word" })
        #expect(cue.message.hasPrefix("“always” is in 3 options and every one is wrong over the whole course: part-1/item-2 ("), "\(cue.message)")
    }

    @Test func aWordFlaggedInAModuleIsNotFlaggedAgainForTheCourse() throws {
        let folder = try temporaryCourse([
            "course.md": "---\nid: c\ntitle: C\nmodules: [cue-wrong, mixed]\nreading-grade: off\n---\n",
            "a.md": try String(contentsOfFile: Fixtures.path("shape/cue-wrong.md"), encoding: .utf8),
            "b.md": try String(contentsOfFile: Fixtures.path("shape/mixed.md"), encoding: .utf8),
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let diagnostics = CurriculumCompiler.compile(path: folder.path).diagnostics.filter { $0.code == "shape.cue-word" }
        #expect(diagnostics.count == 1, "\(diagnostics.map(\.description))")
        #expect(diagnostics.first?.path.hasSuffix("/a.md") == true)
    }

    // MARK: Binomial tails

    @Test func binomialTailsMatchHandComputedValues() {
        // n = 10, p = 1/4: P(X ≥ 6) = (210·3⁴ + 120·3³ + 45·3² + 10·3 + 1) / 4¹⁰ = 20686 / 1048576.
        let ten = Array(repeating: 0.25, count: 10)
        let table = Binomial.distribution(ten)
        #expect(table.count == 11)
        #expect(abs(table.reduce(0, +) - 1) < 1e-12)
        #expect(abs(table[0] - pow(0.75, 10)) < 1e-12)
        let upper = table[6...].reduce(0, +)
        #expect(abs(upper - 20686.0 / 1_048_576) < 1e-12, "\(upper)")
        #expect(abs(Binomial.twoSided(observed: 6, probabilities: ten) - 2 * 20686.0 / 1_048_576) < 1e-12)
        // Too few is as suspicious as too many: P(X = 0) = 0.75¹⁰.
        #expect(abs(Binomial.twoSided(observed: 0, probabilities: ten) - 2 * pow(0.75, 10)) < 1e-12)
        // Near the middle the p-value is capped at 1.
        #expect(Binomial.twoSided(observed: 2, probabilities: ten) == 1)
        // Three: P(X ≥ 3) = 1 − (3¹⁰ + 10·3⁹ + 45·3⁸) / 4¹⁰ is the smaller tail.
        #expect(abs(Binomial.twoSided(observed: 3, probabilities: ten) - 2 * (1 - 551_124.0 / 1_048_576)) < 1e-12)
        // Six of six at one letter of four: 2 · (1/4)⁶.
        #expect(abs(Binomial.twoSided(observed: 6, probabilities: Array(repeating: 0.25, count: 6)) - 2 / 4096.0) < 1e-15)
        // Outside the table: nothing to say.
        #expect(Binomial.twoSided(observed: 11, probabilities: ten) == 1)
        #expect(Binomial.twoSided(observed: -1, probabilities: ten) == 1)
    }

    @Test func poissonBinomialTailsMatchHandComputedValues() {
        // Questions with 2, 4 and 3 options: chances 1/2, 1/4 and 1/3.
        let chances = [0.5, 0.25, 1.0 / 3]
        let table = Binomial.distribution(chances)
        // P(0) = 1/2 · 3/4 · 2/3 = 1/4; P(3) = 1/2 · 1/4 · 1/3 = 1/24;
        // P(1) = 1/2·3/4·2/3 + 1/2·1/4·2/3 + 1/2·3/4·1/3 = 11/24; P(2) = 1/4.
        let expected = [0.25, 11.0 / 24, 0.25, 1.0 / 24]
        #expect(table.count == 4)
        for (got, want) in zip(table, expected) { #expect(abs(got - want) < 1e-12, "\(table)") }
        #expect(abs(Binomial.twoSided(observed: 3, probabilities: chances) - 1.0 / 12) < 1e-12)
        #expect(abs(Binomial.twoSided(observed: 0, probabilities: chances) - 0.5) < 1e-12)
        #expect(Binomial.twoSided(observed: 1, probabilities: chances) == 1)
        // With every chance the same, it is the plain binomial.
        let same = Binomial.distribution([0.25, 0.25, 0.25])
        for (got, want) in zip(same, [27.0 / 64, 27.0 / 64, 9.0 / 64, 1.0 / 64]) { #expect(abs(got - want) < 1e-12) }
    }

    @Test func pValuesAreWrittenWithFourDecimalsOrAsABound() {
        #expect(AnswerShapeCheck.pValue(0.000488) == "= 0.0005")
        #expect(AnswerShapeCheck.pValue(0.00003) == "< 0.0001")
        #expect(AnswerShapeCheck.pValue(0.0394554) == "= 0.0395")
    }
}
