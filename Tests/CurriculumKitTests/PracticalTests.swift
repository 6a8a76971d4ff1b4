import Foundation
import Testing
@testable import CurriculumKit

/// Module text with a standard front matter (lines 1 to 4), so the body starts on line 5.
func moduleText(_ body: String, settings: String = "") -> String {
    "---\nid: m\ntitle: M\n\(settings)---\n" + body
}

/// A course folder made at test time: each file name with its text. Removed by the caller.
func temporaryCourse(_ files: [String: String]) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-course-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (name, text) in files {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }
    return folder
}

/// A fixture course copied to a temporary folder, with some of its files replaced.
func copiedCourse(_ fixture: String, replacing: [String: String] = [:]) throws -> URL {
    let source = URL(fileURLWithPath: Fixtures.path("courses/" + fixture))
    var files: [String: String] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
        files[name] = try String(contentsOf: source.appendingPathComponent(name), encoding: .utf8)
    }
    for (name, text) in replacing { files[name] = text }
    return try temporaryCourse(files)
}

/// `## Practice:` sections: what they compile into, each mistake at its line and column, and
/// which practicals the course's completion asks for.
struct PracticalTests {
    static let text = moduleText("""

    ## Lesson

    Short lesson.

    ## Practice: Giving nasal naloxone

    Rehearse these steps with a training spray.

    > [!TIP]
    > Say each step out loud.

    1. Checks whether the person responds
    2. Calls **for help**
    3. Gives one spray

    > [!FACILITATOR]
    > Ten minutes. Sign off only when every step is done.
    """)

    func compiled(_ text: String) throws -> Module {
        let result = CurriculumCompiler.compile(moduleText: text)
        #expect(result.errorCount == 0, "\(result.diagnostics.map(\.description))")
        return try #require(result.curriculum?.modules.first)
    }

    @Test func aPracticeSectionCompilesIntoAPracticalWithItsSteps() throws {
        let module = try compiled(Self.text)
        #expect(module.sections.count == 2)
        let section = module.sections[1]
        let practical = try #require(section.practical)
        #expect(practical.id == "m/giving-nasal-naloxone")
        #expect(practical.title == "Giving nasal naloxone")
        #expect(practical.moduleID == "m")
        #expect(practical.ordered)
        #expect(practical.position == SourcePosition(line: 10, column: 1))
        #expect(practical.steps.map(\.text) == ["Checks whether the person responds", "Calls for help", "Gives one spray"])
        #expect(practical.steps.map(\.markdown) == ["Checks whether the person responds", "Calls **for help**", "Gives one spray"])
        #expect(practical.steps[1].html == "Calls <strong>for help</strong>", "the step's HTML without its paragraph")
        #expect(practical.steps.map(\.position) == [17, 18, 19].map { SourcePosition(line: $0, column: 1) })
        #expect(section.questions.isEmpty && section.scenario == nil)
        #expect(module.sections[0].practical == nil, "an ordinary section has no practical")
        #expect(module.practicals == [practical])
    }

    @Test func theStepsAreNotInTheSectionsElementsButProseAndCalloutsStay() throws {
        let section = try compiled(Self.text).sections[1]
        let kinds = section.elements.map { element -> String in
            switch element {
            case .text: return "text"
            case let .callout(kind, _): return kind.rawValue
            }
        }
        #expect(kinds == ["text", "TIP", "FACILITATOR"], "the prose before the list, its callout, and the note after it")
        let text = section.elements.map(\.text).joined(separator: "\n")
        #expect(text.contains("Rehearse these steps with a training spray."))
        #expect(text.contains("Say each step out loud."))
        #expect(!text.contains("Checks whether"), "the steps are not lesson text: \(text)")
        #expect(!text.contains("Gives one spray"))
    }

    @Test func theSectionHeadingShowsTheTitleAndACustomIDNamesThePractical() throws {
        let module = try compiled(moduleText("""

        ## Practice: Giving nasal naloxone {#naloxone}

        - Checks whether the person responds
        - Gives one spray
        """))
        let section = module.sections[0]
        let practical = try #require(section.practical)
        #expect(practical.id == "m/naloxone")
        #expect(practical.title == "Giving nasal naloxone")
        #expect(!practical.ordered, "a bulleted list: the order is free")
        #expect(section.title == "Practice: Giving nasal naloxone", "the {#id} isn't part of the heading learners read")
        #expect(!section.title.contains("{#"))
        let plain = try compiled(moduleText("\n## Practice: Giving nasal naloxone\n\n1. One step\n2. Another step\n"))
        #expect(plain.sections[0].title == "Practice: Giving nasal naloxone")
        #expect(plain.sections[0].id == "practice-giving-nasal-naloxone")
        #expect(plain.practicals.first?.id == "m/giving-nasal-naloxone")
    }

    @Test func onlyTheLastListIsTheSteps() throws {
        let module = try compiled(moduleText("""

        ## Practice: Giving nasal naloxone

        You need:

        - a training spray
        - a manikin

        1. Checks whether the person responds
        2. Gives one spray
        """))
        let section = module.sections[0]
        #expect(section.practical?.steps.map(\.text) == ["Checks whether the person responds", "Gives one spray"])
        let text = section.elements.map(\.text).joined(separator: "\n")
        #expect(text.contains("a training spray") && text.contains("a manikin"), "an earlier list stays lesson text")
    }

    @Test func aSectionThatOnlyStartsWithTheWordPracticeIsNotAPractical() throws {
        let module = try compiled(moduleText("\n## Practice keeps the skill fresh\n\n- one\n- two\n"))
        #expect(module.sections[0].practical == nil)
        #expect(module.practicals.isEmpty)
    }

    // MARK: Mistakes

    struct Expected: CustomTestStringConvertible, Sendable {
        var name: String
        var body: String
        var code: String
        var line: Int
        var column: Int
        /// Words the message must carry.
        var message: String = ""
        var testDescription: String { "\(name) → \(code) at \(line):\(column)" }
    }

    static let mistakes: [Expected] = [
        Expected(name: "no list", body: """

            ## Practice: Giving naloxone

            Only prose, and no list of steps.
            """, code: "practical.no-steps", line: 6, column: 1, message: "“Giving naloxone” has no list of steps"),
        Expected(name: "one step", body: """

            ## Practice: Giving naloxone

            1. Gives one spray
            """, code: "practical.few-steps", line: 8, column: 1, message: "this one has 1"),
        Expected(name: "an empty item", body: """

            ## Practice: Giving naloxone

            - Checks whether the person responds
            -
            - Gives one spray
            """, code: "practical.empty-step", line: 9, column: 1),
        Expected(name: "a step with two paragraphs", body: """

            ## Practice: Giving naloxone

            1. Checks whether the person responds
            2. Calls for help

               Say why here.
            3. Gives one spray
            """, code: "practical.step-blocks", line: 9, column: 1),
        Expected(name: "a step with a list inside", body: """

            ## Practice: Giving naloxone

            1. Checks whether the person responds
            2. Calls for help
               - loudly
            3. Gives one spray
            """, code: "practical.step-blocks", line: 9, column: 1),
        Expected(name: "the same step twice", body: """

            ## Practice: Giving naloxone

            1. Calls for help
            2. Gives one spray
            3. calls for help
            """, code: "practical.duplicate-step", line: 10, column: 1, message: "repeats the step at line 8"),
        Expected(name: "a question inside", body: """

            ## Practice: Giving naloxone

            1. Checks whether the person responds
            2. Gives one spray

            ### What comes first?

            - (x) Checking
            - ( ) Spraying
            """, code: "practical.question", line: 11, column: 1, message: "inside “Practice: Giving naloxone”"),
        Expected(name: "the same name twice", body: """

            ## Practice: Giving naloxone

            1. Checks whether the person responds
            2. Gives one spray

            ## Practice: Giving naloxone

            1. Checks whether the person responds
            2. Gives one spray
            """, code: "practical.duplicate-id", line: 11, column: 1, message: "'m/giving-naloxone' is already used at line 6"),
        Expected(name: "a custom id another practical has", body: """

            ## Practice: Giving naloxone

            1. Checks whether the person responds
            2. Gives one spray

            ## Practice: The recovery position {#giving-naloxone}

            1. Rolls the person onto their side
            2. Bends the top knee
            """, code: "practical.duplicate-id", line: 11, column: 1, message: "already used at line 6"),
        Expected(name: "a bad custom id", body: """

            ## Practice: Giving naloxone {#Giving Naloxone}

            1. Checks whether the person responds
            2. Gives one spray
            """, code: "practical.id", line: 6, column: 1),
        Expected(name: "no name", body: """

            ## Practice:

            1. Checks whether the person responds
            2. Gives one spray
            """, code: "practical.empty-heading", line: 6, column: 1),
    ]

    @Test(arguments: mistakes)
    func eachMistakeIsAnErrorAtItsLineAndColumn(_ expected: Expected) throws {
        let result = CurriculumCompiler.compile(moduleText: moduleText(expected.body), path: "skills.md")
        let errors = result.diagnostics.filter { $0.severity == .error }
        let d = try #require(errors.first { $0.code == expected.code }, "got: \(result.diagnostics.map(\.description))")
        #expect(d.description.hasPrefix("skills.md:\(expected.line):\(expected.column): error: "), "\(d.description)")
        #expect(d.hint?.isEmpty == false, "every diagnostic says how to fix it")
        #expect(expected.message.isEmpty || d.message.contains(expected.message), "\(d.message)")
        #expect(errors.count == 1, "one mistake, one error: \(errors.map(\.description))")
        #expect(result.curriculum == nil)
    }

    @Test func aBadStepIsNotAlsoReportedAsTooFewSteps() throws {
        // Two steps, one of them empty: the empty step is the error to fix, not the count.
        let result = CurriculumCompiler.compile(moduleText: moduleText("\n## Practice: Giving naloxone\n\n- Gives one spray\n-\n"))
        #expect(result.diagnostics.filter { $0.severity == .error }.map(\.code) == ["practical.empty-step"])
    }

    @Test func anErrorElsewhereInTheModuleDoesNotHideTooFewSteps() throws {
        let result = CurriculumCompiler.compile(moduleText: moduleText("""

        ## Quiz

        ### Pick one

        - ( ) Nothing right here
        - ( ) Nor here

        ## Practice: Giving naloxone

        1. Gives one spray
        """))
        let codes = result.diagnostics.filter { $0.severity == .error }.map(\.code)
        #expect(codes.contains("single-choice.no-answer"))
        #expect(codes.contains("practical.few-steps"), "\(codes)")
    }

    // MARK: Completion

    @Test func completionNamesThePracticalsItNeeds() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("courses/practicals"))
        let course = try #require(result.curriculum, "\(result.diagnostics.map(\.description))")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        #expect(course.settings.completion.practicals == .list(["skills/giving-naloxone"]))
        #expect(course.practicals.map(\.id) == ["skills/giving-naloxone", "skills/recovery"])
        #expect(course.requiredPracticals.map(\.id) == ["skills/giving-naloxone"])
        #expect(course.practical(id: "skills/recovery")?.title == "Recovery position")
        #expect(course.practical(id: "skills/nothing") == nil)
        #expect(course.module(id: "other")?.practicals.isEmpty == true)
    }

    @Test(arguments: [
        ("  practicals: all\n", CourseSettings.PracticalRequirement.all, ["skills/giving-naloxone", "skills/recovery"]),
        ("  practicals: none\n", .none, []),
        ("", .none, []),
        ("  practicals: [skills/recovery, skills/giving-naloxone]\n", .list(["skills/recovery", "skills/giving-naloxone"]),
         ["skills/giving-naloxone", "skills/recovery"]),
    ])
    func completionPracticalsAllNoneOrAList(_ line: String, _ requirement: CourseSettings.PracticalRequirement, _ required: [String]) throws {
        let folder = try copiedCourse("practicals", replacing: ["course.md": """
            ---
            id: skills-course
            title: Skills Course
            modules: [skills, other]
            completion:
              pass: 80%
            \(line)reading-grade: off
            ---

            Welcome.
            """])
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = CurriculumCompiler.compile(path: folder.path)
        let course = try #require(result.curriculum, "\(result.diagnostics.map(\.description))")
        #expect(course.settings.completion.practicals == requirement)
        #expect(course.requiredPracticals.map(\.id) == required, "in course order")
    }

    @Test func anUnknownPracticalIsAnErrorAtItsListItemWithTheClosestID() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("courses/practicals-missing"))
        let missing = result.diagnostics.filter { $0.code == "course.missing-practical" }
        #expect(missing.count == 1, "only the misspelt one: \(missing.map(\.description))")
        let d = try #require(missing.first)
        #expect(d.severity == .error)
        #expect(d.path.hasSuffix("practicals-missing/course.md"))
        #expect((d.line, d.column) == (8, 7))
        #expect(d.message.contains("'skills/giving-nalxone'"))
        #expect(d.hint == "did you mean 'skills/giving-naloxone'?")
        #expect(result.curriculum == nil)
    }

    @Test func anIDFarFromAnyPracticalListsTheKnownIDs() throws {
        let folder = try copiedCourse("practicals", replacing: ["course.md": """
            ---
            id: skills-course
            title: Skills Course
            modules: [skills, other]
            completion:
              practicals: [other/first-aid]
            reading-grade: off
            ---
            """])
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = CurriculumCompiler.compile(path: folder.path)
        let d = try #require(result.diagnostics.first { $0.code == "course.missing-practical" })
        #expect((d.line, d.column) == (6, 16))
        #expect(d.hint?.contains("skills/giving-naloxone, skills/recovery") == true, "\(d.hint ?? "")")
    }

    @Test func allPracticalsInACourseWithoutAnyIsAWarning() throws {
        let folder = try copiedCourse("practicals", replacing: [
            "a-skills.md": "---\nid: skills\ntitle: Skills\n---\n\n## Lesson\n\nShort lesson.\n",
            "course.md": "---\nid: c\ntitle: C\nmodules: [skills, other]\ncompletion:\n  practicals: all\nreading-grade: off\n---\n",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = CurriculumCompiler.compile(path: folder.path)
        let d = try #require(result.diagnostics.first { $0.code == "course.no-practicals" }, "\(result.diagnostics.map(\.description))")
        #expect(d.severity == .warning && (d.line, d.column) == (1, 1))
        #expect(result.curriculum?.requiredPracticals.isEmpty == true)
    }

    @Test func theRequirementSurvivesTheCompiledJSON() throws {
        for requirement in [CourseSettings.PracticalRequirement.all, .none, .list(["skills/giving-naloxone"])] {
            let data = try JSONEncoder().encode(requirement)
            #expect(try JSONDecoder().decode(CourseSettings.PracticalRequirement.self, from: data) == requirement,
                    "\(String(decoding: data, as: UTF8.self))")
        }
        let course = try #require(CurriculumCompiler.compile(path: Fixtures.path("courses/practicals")).curriculum)
        let decoded = try JSONDecoder().decode(Curriculum.self, from: JSONEncoder().encode(course))
        #expect(decoded.requiredPracticals.map(\.id) == ["skills/giving-naloxone"])
        #expect(decoded.practicals.map(\.steps.count) == [3, 2])
    }
}
