import Testing
@testable import CurriculumKit

/// The language check and the reading grade.
struct LanguageAndReadingTests {
    func warnings(_ body: String, guide: LanguageGuide = .builtIn) -> [Diagnostic] {
        CurriculumCompiler.compile(moduleText: "---\nid: m\ntitle: M\n---\n" + body, guide: guide)
            .diagnostics.filter { $0.code == "language.term" }
    }

    @Test func matchesWholeWordsCaseInsensitively() {
        #expect(warnings("\nAn ADDICT came in.\n").map(\.column) == [4])
        #expect(warnings("\nAddiction is a word we explain.\n").isEmpty, "whole words only")
        #expect(warnings("\nThe needle\nexchange opened.\n").first?.message.contains("syringe services program") == true,
                "phrases match across line breaks")
    }

    @Test func prefersTheLongestPhrase() {
        let found = warnings("\nHe was called an IV drug user.\n")
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("'IV drug user'") == true)
    }

    @Test func skipsURLsLinksCodeAndComments() {
        #expect(warnings("\nSee [the guide](https://example.org/abuse-guide) and `user` and <!-- clean -->.\n").isEmpty)
        #expect(warnings("\nhttps://example.org/addict-page\n").isEmpty)
    }

    @Test func allowCommentCoversItsListItemOnly() {
        let found = warnings("\n- He said \"junkie\" <!-- allow: junkie -->\n- A junkie again\n")
        #expect(found.map(\.line) == [7])
    }

    @Test func frontMatterProseIsCheckedButIDsAndURLsAreNot() {
        let text = "---\nid: clean-kits\ntitle: Talking with an addict\nobjectives:\n  - Avoid the word junkie.\nsources:\n  - title: A guide\n    url: https://example.org/drug-abuse\n---\n\nText.\n"
        let found = CurriculumCompiler.compile(moduleText: text).diagnostics.filter { $0.code == "language.term" }
        #expect(found.map(\.line) == [3, 5])
    }

    @Test func loadsACustomGuide() {
        let guide = LanguageGuide(terms: [.init(avoid: "frequent flyer", prefer: "person who visits often")])
        #expect(warnings("\nShe is a frequent flyer.\n", guide: guide).count == 1)
        #expect(warnings("\nAn addict.\n", guide: guide).isEmpty)
    }

    @Test func fleschKincaidOnKnownText() throws {
        var simple = ReadingGrade()
        simple.add(block: "The cat sat on the mat. The dog ran.")
        #expect(simple.words == 9)
        #expect(simple.sentences == 2)
        #expect(simple.syllables == 9)
        let grade = try #require(simple.grade)
        #expect(abs(grade - (0.39 * 4.5 + 11.8 * 1 - 15.59)) < 0.0001)
        var hard = ReadingGrade()
        hard.add(block: "Pharmacological interventions necessitate comprehensive interdisciplinary coordination between institutional stakeholders.")
        #expect((hard.grade ?? 0) > 20)
    }

    @Test func warnsAboveTheCourseGradeAtTheHardestParagraph() {
        let hardText = "Pharmacological interventions necessitate comprehensive interdisciplinary coordination between institutional stakeholders and organisational representatives, particularly regarding accountability."
        let result = CurriculumCompiler.compile(moduleText: "---\nid: m\ntitle: M\n---\n\nShort.\n\n\(hardText)\n")
        let d = result.diagnostics.first { $0.code == "reading.grade" }
        #expect(d != nil)
        #expect(d?.hint?.contains("line 8") == true)
    }
}
