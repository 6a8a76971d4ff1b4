import Foundation
import Testing
@testable import CurriculumKit

/// `program:` in course.md and the `{{program.KEY}}` placeholders modules fill with it.
struct ProgramSettingsTests {
    static let result = CurriculumCompiler.compile(path: Fixtures.path("courses/program"))

    func calls() throws -> Module {
        let course = try #require(Self.result.curriculum, "\(Self.result.diagnostics.map(\.description))")
        return try #require(course.module(id: "calls"))
    }

    /// Every piece of text a learner reads in the module, in one string.
    func everything(_ module: Module) -> String {
        var parts = [module.title] + module.objectives + module.introduction.map(\.text)
        for section in module.sections {
            parts.append(section.title)
            parts += section.elements.map(\.text)
            for question in section.questions {
                parts.append(question.title)
                parts += question.prompt.map(\.text) + question.explanation.map(\.text)
                for option in question.options { parts += [option.text, option.markdown] + option.feedback.map(\.text) }
            }
        }
        return parts.joined(separator: "\n")
    }

    @Test func theCourseReadsItsProgramBlock() throws {
        let course = try #require(Self.result.curriculum, "\(Self.result.diagnostics.map(\.description))")
        #expect(Self.result.diagnostics.isEmpty, "\(Self.result.diagnostics.map(\.description))")
        #expect(course.settings.program == ["name": "Riverside Outreach", "emergency-number": "000",
                                            "supervisor": "the team leader", "unused": "never shown anywhere"])
    }

    @Test func placeholdersAreFilledInTitleObjectivesHeadingsLessonsOptionsAndFeedback() throws {
        let module = try calls()
        #expect(module.title == "Calling 000")
        #expect(module.objectives == ["Call 000 at once", "Tell the team leader after"])
        #expect(module.introduction.map(\.text).joined().contains("Training at Riverside Outreach starts here."))
        let section = module.sections[0]
        #expect(section.title == "When to call 000")
        let lesson = section.elements.map(\.text).joined(separator: "\n")
        #expect(lesson.contains("Call 000 when someone can't breathe. Then tell the team leader."))
        #expect(section.elements.contains { element in
            if case let .callout(.tip, content) = element { return content.plainText.contains("Save 000 in your phone.") }
            return false
        }, "callouts too")
        let question = try #require(module.question(id: "calls/who"))
        #expect(question.title == "Calling 000", "question headings too")
        #expect(question.prompt.map(\.text).joined() == "Someone is not breathing. Who do you call?")
        #expect(question.options.map(\.text) == ["Call 000", "Wait for the team leader"])
        #expect(question.options[0].html.contains("Call 000"))
        #expect(question.options[0].feedback.map(\.text).joined() == "Yes: 000 sends help.")
        #expect(question.options[1].feedback.map(\.text).joined() == "Not yet: call 000 first, then tell the team leader.")
        #expect(question.explanation.map(\.text).joined().contains("when you call 000 at once"))
        // Code is shown as written (see the next test), so its two lines are left out here.
        let readable = everything(module).components(separatedBy: "\n")
            .filter { $0 != "In the settings, write it as {{program.name}}." && $0 != "{{program.emergency-number}}" }
        #expect(!readable.joined(separator: "\n").contains("{{program."), "no placeholder is left in what learners read: \(readable)")
        #expect(!everything(module).contains("never shown anywhere"))
        let welcome = try #require(Self.result.curriculum).welcome.map(\.text).joined()
        #expect(welcome.contains("Welcome to the training at Riverside Outreach."), "the welcome in course.md too")
    }

    @Test func codeSpansAndCodeBlocksKeepThePlaceholderAsWritten() throws {
        let lesson = try calls().sections[0].elements
        let html = lesson.compactMap { element -> String? in
            if case let .text(content) = element { return content.html }
            return nil
        }.joined()
        #expect(html.contains("<code>{{program.name}}</code>"), "\(html)")
        #expect(html.contains("<pre><code>{{program.emergency-number}}\n</code></pre>"), "\(html)")
        #expect(!html.contains("<code>Riverside Outreach</code>") && !html.contains("<code>000"))
    }

    @Test func aLoneModuleIsFilledWithTheBuiltInValues() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("courses/program/a-calls.md"))
        let module = try #require(result.curriculum?.modules.first, "\(result.diagnostics.map(\.description))")
        #expect(result.curriculum?.settings.program == CourseSettings.builtInProgram)
        #expect(CourseSettings.builtInProgram["emergency-number"] == "911")
        #expect(CourseSettings.builtInProgram["supervisor"] == "the shift lead")
        #expect(module.title == "Calling 911")
        #expect(module.objectives == ["Call 911 at once", "Tell the shift lead after"])
        #expect(module.question(id: "calls/who")?.options.map(\.text) == ["Call 911", "Wait for the shift lead"])
        #expect(everything(module).contains("Training at your program starts here."))
        // In memory, the defaults are the built-in values too.
        let text = CurriculumCompiler.compile(moduleText: moduleText("\nCall {{program.crisis-line}} for support.\n"))
        #expect(text.curriculum?.modules.first?.introduction.map(\.text).joined() == "Call 988 for support.")
    }

    @Test func aCourseUsesOnlyItsOwnBlockAndTheBuiltInValuesNeverLeakIn() throws {
        // The course sets no crisis-line: the built-in US number must not stand in for it.
        let folder = try copiedCourse("program", replacing: [
            "b-plain.md": "---\nid: plain\ntitle: Plain\n---\n\nCall {{program.crisis-line}} for support.\n",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = CurriculumCompiler.compile(path: folder.path)
        let d = try #require(result.diagnostics.first { $0.code == "program.unknown" }, "\(result.diagnostics.map(\.description))")
        #expect(d.path.hasSuffix("/b-plain.md"))
        #expect((d.line, d.column) == (6, 6))
        #expect(d.severity == .error)
        #expect(result.curriculum == nil)

        // A course with no program block at all has no values.
        let bare = try copiedCourse("program", replacing: [
            "course.md": "---\nid: c\ntitle: C\nmodules: [plain]\nreading-grade: off\n---\n",
            "a-calls.md": "---\nid: calls\ntitle: Calls\n---\n\nNo placeholders.\n",
        ])
        defer { try? FileManager.default.removeItem(at: bare) }
        let plain = try #require(CurriculumCompiler.compile(path: bare.path).curriculum)
        #expect(plain.settings.program.isEmpty)
    }

    // MARK: Placeholders that can't be filled

    @Test func anUnknownKeyIsAnErrorAtThePlaceholderWithTheClosestKey() throws {
        let result = CurriculumCompiler.compile(moduleText: moduleText("\nFirst line.\n\nCall {{program.emergancy-number}} now.\n"))
        let d = try #require(result.diagnostics.first { $0.code == "program.unknown" }, "\(result.diagnostics.map(\.description))")
        #expect(d.description == "module.md:8:6: error: {{program.emergancy-number}} is not set in the program settings")
        #expect(d.hint == "did you mean {{program.emergency-number}}?")
        #expect(result.curriculum == nil)
    }

    @Test func columnsCountUTF8BytesAndEveryPlaceholderOnALineIsChecked() throws {
        let result = CurriculumCompiler.compile(moduleText: moduleText("\nÇa {{program.nme}} et {{program.supervisr}}.\n"))
        let unknown = result.diagnostics.filter { $0.code == "program.unknown" }
        #expect(unknown.map(\.line) == [6, 6])
        #expect(unknown.map(\.column) == [5, 24], "Ç is two bytes: \(unknown.map(\.description))")
        #expect(unknown.map(\.hint) == ["did you mean {{program.name}}?", "did you mean {{program.supervisor}}?"])
    }

    @Test func aKeyFarFromAnySetOneSaysToAddIt() throws {
        var settings = CourseSettings.defaults
        settings.program = ["name": "Riverside Outreach"]
        let result = CurriculumCompiler.compile(moduleText: moduleText("\nOpen {{program.drop-in-hours}}.\n"), settings: settings)
        let d = try #require(result.diagnostics.first { $0.code == "program.unknown" })
        #expect((d.line, d.column) == (6, 6))
        #expect(d.hint?.contains("add `drop-in-hours: …` under `program:` in course.md") == true, "\(d.hint ?? "")")
        #expect(d.hint?.contains("name") == true, "and names the keys it does set")
    }

    @Test func aPlaceholderWithoutProgramIsAnError() throws {
        let result = CurriculumCompiler.compile(moduleText: moduleText("\n## Lesson\n\nHello {{name}}, welcome.\n"))
        let d = try #require(result.diagnostics.first { $0.code == "program.placeholder" }, "\(result.diagnostics.map(\.description))")
        #expect(d.description == "module.md:8:7: error: {{name}} is not a placeholder Groundwork knows")
        #expect(d.hint?.contains("{{program.KEY}}") == true)
        #expect(result.curriculum == nil)
    }

    @Test func anUnknownKeyInAHeadingOrAnOptionIsReportedToo() throws {
        let result = CurriculumCompiler.compile(moduleText: moduleText("""

        ## Calling {{program.emergncy-number}}

        ### Pick one

        - (x) Call {{program.crisis-lin}}
        - ( ) Wait
        """))
        let unknown = result.diagnostics.filter { $0.code == "program.unknown" }
        #expect(unknown.map { [$0.line, $0.column] } == [[6, 12], [10, 12]], "\(unknown.map(\.description))")
    }

    // MARK: The program block

    func course(program: String) throws -> (CompileResult, URL) {
        let folder = try temporaryCourse([
            "course.md": "---\nid: c\ntitle: C\nmodules: [plain]\nreading-grade: off\nprogram:\n\(program)---\n",
            "plain.md": "---\nid: plain\ntitle: Plain\n---\n\nNothing to fill.\n",
        ])
        return (CurriculumCompiler.compile(path: folder.path), folder)
    }

    @Test func aKeyWithOtherCharactersIsAnErrorAtTheKey() throws {
        let (result, folder) = try course(program: "  name: Riverside\n  Emergency_Number: \"000\"\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let d = try #require(result.diagnostics.first { $0.code == "program.key" }, "\(result.diagnostics.map(\.description))")
        #expect(d.path.hasSuffix("/course.md"))
        #expect((d.line, d.column) == (8, 3))
        #expect(d.message.contains("'Emergency_Number'"))
        #expect(d.severity == .error && result.curriculum == nil)
    }

    @Test func aValueOverSeveralLinesIsAnErrorAtTheValue() throws {
        let (result, folder) = try course(program: "  name: Riverside\n  crisis-line: |\n    988\n    or 13 11 14\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let d = try #require(result.diagnostics.first { $0.code == "program.value" }, "\(result.diagnostics.map(\.description))")
        #expect((d.line, d.column) == (8, 16), "at the value")
        #expect(d.message.contains("'crisis-line' must be one line"))
        #expect(d.severity == .error && result.curriculum == nil)
    }

    @Test func anEmptyValueIsAnError() throws {
        let (result, folder) = try course(program: "  name: Riverside\n  crisis-line: \"\"\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let d = try #require(result.diagnostics.first { $0.code == "front-matter.type" }, "\(result.diagnostics.map(\.description))")
        #expect((d.line, d.column) == (8, 16))
        #expect(result.curriculum == nil)
    }

    @Test func aProgramBlockThatIsNotAMappingIsAnError() throws {
        let (result, folder) = try course(program: "  - Riverside\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(result.diagnostics.contains { $0.code == "front-matter.type" && $0.line == 7 }, "\(result.diagnostics.map(\.description))")
        #expect(result.curriculum == nil)
    }

    // MARK: Hashes

    func hashes(emergency: String, unused: String) throws -> [String: String] {
        let original = try String(contentsOfFile: Fixtures.path("courses/program/course.md"), encoding: .utf8)
        let edited = original.replacingOccurrences(of: "emergency-number: \"000\"", with: "emergency-number: \"\(emergency)\"")
            .replacingOccurrences(of: "unused: never shown anywhere", with: "unused: \(unused)")
        let folder = try copiedCourse("program", replacing: ["course.md": edited])
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = CurriculumCompiler.compile(path: folder.path)
        let course = try #require(result.curriculum, "\(result.diagnostics.map(\.description))")
        #expect(course.settings.program["emergency-number"] == emergency)
        return Dictionary(uniqueKeysWithValues: course.modules.map { ($0.id, $0.hash) })
    }

    @Test func aModulesHashChangesWithAValueItUsesAndOnlyThen() throws {
        let base = try hashes(emergency: "000", unused: "never shown anywhere")
        let same = try hashes(emergency: "000", unused: "never shown anywhere")
        #expect(base == same)
        let usedChanged = try hashes(emergency: "112", unused: "never shown anywhere")
        #expect(usedChanged["calls"] != base["calls"], "the module that says the number counts as edited")
        #expect(usedChanged["plain"] == base["plain"], "a module that names no setting is not")
        let unusedChanged = try hashes(emergency: "000", unused: "something else")
        #expect(unusedChanged["calls"] == base["calls"], "a value no module uses changes nothing")
        #expect(unusedChanged["plain"] == base["plain"])
        let file = try String(contentsOfFile: Fixtures.path("courses/program/b-plain.md"), encoding: .utf8)
        #expect(base["plain"] == ContentHash.sha256(file), "a module without placeholders hashes its file alone")
    }

    /// Records point at ids: a program changing its settings must never move one.
    @Test func idsComeFromHeadingsAsWrittenNotFilledIn() throws {
        let text = """
        ---
        id: m
        title: M
        attempts: 1
        ---

        ## Calling {{program.emergency-number}}

        Lesson.

        ### Call {{program.emergency-number}} first?

        - (x) Yes
        - ( ) No

        ```check
        a -> 100%
        ```

        ## Practice: Calling {{program.emergency-number}}

        1. Dials {{program.emergency-number}}
        2. Says the address
        """
        func compiled(_ number: String) throws -> Module {
            var settings = CourseSettings.defaults
            settings.program["emergency-number"] = number
            let result = CurriculumCompiler.compile(moduleText: text, settings: settings)
            return try #require(result.curriculum?.modules.first, "\(result.diagnostics)")
        }
        let one = try compiled("000"), other = try compiled("112")
        #expect(one.questions.map(\.id) == ["m/call-programemergency-number-first"])
        #expect(one.questions.map(\.id) == other.questions.map(\.id))
        #expect(one.sections.map(\.id) == other.sections.map(\.id))
        #expect(one.practicals.map(\.id) == ["m/calling-programemergency-number"])
        #expect(one.practicals.map(\.id) == other.practicals.map(\.id))
        // What learners read is filled in.
        #expect(one.questions.first?.title == "Call 000 first?")
        #expect(other.practicals.first?.steps.first?.text == "Dials 112")
        #expect(one.hash != other.hash, "the content hash follows the values")
    }
}
