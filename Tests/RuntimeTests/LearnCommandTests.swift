import CurriculumKit
import Foundation
import GRDB
import Testing
@testable import Runtime
@testable import SQLiteStore

/// `groundwork learn` and `groundwork learner` end to end, as child processes in plain mode.
@Suite struct LearnCommandTests {
    let folder = TemporaryFolder()
    let course = Fixtures.path("course")

    func module() throws -> Module {
        try #require(try Fixtures.course().module(id: "practice"))
    }

    func start(_ extra: [String] = []) throws -> LearnerProcess {
        try LearnerProcess(["learn", course, "--data", folder.path, "--module", "practice"] + extra)
    }

    /// Signs up a new learner and returns the running process and their code.
    func signUp(_ name: String = "Robin") throws -> (LearnerProcess, String) {
        let process = try start()
        try process.waitForPrompt()
        process.send("")
        try process.waitForPrompt()
        process.send(name)
        let lines = try process.waitFor("the resume code") { $0.hasPrefix("Resume code: ") }
        let code = String(try #require(lines.last).dropFirst("Resume code: ".count))
        return (process, code)
    }

    /// Answers `count` questions right (all when nil); returns the screen of the last prompt seen.
    @discardableResult
    func answer(_ process: LearnerProcess, count: Int? = nil, key: AnswerKey) throws -> [String] {
        var answered = 0
        var screen: [String] = []
        while count.map({ answered < $0 }) ?? true {
            screen = try process.waitFor("a question or the result") {
                $0.hasPrefix("? ") || $0.hasPrefix("Module result:")
            }
            guard let last = screen.last, last.hasPrefix("? ") else { break }
            process.send(try #require(key.answer(for: screen), "no answer for: \(screen.joined(separator: "\n"))"))
            answered += 1
        }
        return screen
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = try LearnerProcess(arguments)
        let status = process.finish()
        return (status, process.text, process.errorText)
    }

    @Test func aNewLearnerTakesAWholeModule() throws {
        defer { folder.remove() }
        let key = AnswerKey(module: try module())
        let (process, code) = try signUp()
        #expect(code.split(separator: "-").count == 4)
        try answer(process, key: key)
        #expect(process.finish() == 0)
        let text = process.text
        #expect(text.contains("Module result: passed (100%)."))
        #expect(text.contains("Course progress: 1 of 2 required modules passed."))
        #expect(text.contains("Naloxone reverses an opioid overdose"), "lesson pages are shown")
        #expect(text.contains("▌ Tip"), "callouts are shown")
        #expect(!text.contains("Secret note for facilitators"), "facilitator notes are hidden")
        #expect(text.contains("Thank you for practising."), "pages after the last question are shown")
        #expect(text.contains("Scenario score: 100%."))
        #expect(!text.contains("\u{1B}["), "no colour in plain mode")

        let export = try run(["learner", "export", code, "--data", folder.path])
        #expect(export.status == 0)
        #expect(export.output.contains(#""displayName" : "Robin""#))
        #expect(export.output.components(separatedBy: #""itemID""#).count - 1 == 7)
    }

    @Test func killedMidModuleItResumesAtTheSameQuestionInTheSameOrder() throws {
        defer { folder.remove() }
        let key = AnswerKey(module: try module())
        let (first, code) = try signUp()
        try answer(first, count: 3, key: key)
        // The fourth question is on screen: the third answer was acknowledged.
        let screen = try first.waitForPrompt()
        let shown = AnswerKey.optionLines(screen)
        let heading = try #require(screen.last { $0.hasPrefix("Question ") })
        #expect(heading.hasPrefix("Question 4 of 6"))
        first.kill9()
        #expect(first.process.terminationReason == .uncaughtSignal)

        let second = try start(["--learner", code])
        let resumed = try second.waitForPrompt()
        #expect(resumed.contains { $0.contains("You're at question 4 of 6") })
        #expect(resumed.contains(heading))
        #expect(AnswerKey.optionLines(resumed) == shown, "same question, same order")
        second.send(try #require(key.answer(for: resumed)))
        try answer(second, key: key)
        #expect(second.finish() == 0)
        #expect(second.text.contains("Module result: passed (100%)."))

        let store = try DataFolder(path: folder.path).open().store
        let counts = try store.database.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM response") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attempt") ?? 0,
             try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "")
        }
        #expect(counts.0 == 7 && counts.1 == 1 && counts.2 == "ok")
    }

    @Test func everyAcknowledgedAnswerSurvivesAKillAtAnyMoment() throws {
        defer { folder.remove() }
        let key = AnswerKey(module: try module())
        let (first, code) = try signUp()
        first.kill9()
        var acknowledged = 0
        var rng = SeededGenerator(seed: 5)
        var rounds = 0
        // Send an answer, then kill after a random short delay: before, during or after the write.
        for round in 0..<5 {
            let process = try start(["--learner", code])
            let screen = try process.waitForPrompt()
            guard let answer = key.answer(for: screen) else { break }
            process.send(answer)
            if round % 2 == 0 {
                try process.waitForPrompt()  // acknowledged: feedback and the next prompt are out
                acknowledged += 1
            } else {
                usleep(UInt32.random(in: 0..<30_000, using: &rng))
            }
            process.kill9()
            let store = try DataFolder(path: folder.path).open().store
            let stored = try store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM response") ?? 0 }
            #expect(stored >= acknowledged, "round \(round): \(stored) stored, \(acknowledged) acknowledged")
            acknowledged = stored
            rounds += 1
            let integrity = try store.database.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
            #expect(integrity == "ok")
        }
        #expect(rounds == 5 && acknowledged >= 3)
        let last = try start(["--learner", code])
        try answer(last, key: key)
        #expect(last.finish() == 0)
        #expect(last.text.contains("Module result: passed (100%)."))
    }

    @Test func severalProcessesWriteTheSameDatabase() throws {
        defer { folder.remove() }
        let key = AnswerKey(module: try module())
        let runs = try (0..<4).map { try signUp("Learner \($0)") }
        // Interleave: each answers one question in turn, so writes overlap across processes.
        var active = runs.map(\.0)
        while !active.isEmpty {
            var still: [LearnerProcess] = []
            for process in active {
                let screen = try process.waitFor("a question or the result") { $0.hasPrefix("? ") || $0.hasPrefix("Module result:") }
                if let last = screen.last, last.hasPrefix("? "), let answer = key.answer(for: screen) {
                    process.send(answer)
                    still.append(process)
                } else {
                    #expect(process.finish() == 0)
                }
            }
            active = still
        }
        for (process, _) in runs { #expect(process.text.contains("Module result: passed (100%).")) }
        let store = try DataFolder(path: folder.path).open().store
        let (responses, integrity) = try store.database.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM response") ?? 0,
             try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "")
        }
        #expect(responses == 28 && integrity == "ok")
    }

    @Test func nothingALearnerTypesCrashesIt() throws {
        defer { folder.remove() }
        let (process, _) = try signUp()
        try process.waitForPrompt()
        for typed in ["z", "", "   ", "a b", "a=1", "🙂", "\u{1}\u{7f}", String(repeating: "x", count: 100_000), "--help", "a, a"] {
            process.send(typed)
            let screen = try process.waitForPrompt()
            #expect(screen.contains { $0.hasPrefix("That answer didn't fit:") || $0.hasPrefix("Type an answer first.") },
                    "'\(typed.prefix(20))' gets a hint: \(screen)")
        }
        process.send("quit")
        #expect(process.finish() == 0)
        #expect(process.text.contains("Stopped. Every answer you gave is saved."))
        #expect(process.text.contains("To pick up where you left off:\n  groundwork learn \(course) --learner "))
        #expect(process.text.contains(" --data \(folder.path)"), "the hint keeps the data folder it was given")
    }

    @Test func endOfInputStopsCleanlyAtAnyPrompt() throws {
        defer { folder.remove() }
        let process = try start()
        try process.waitForPrompt()
        #expect(process.finish() == 0)
        #expect(process.text.contains("Goodbye."))
        let (second, code) = try signUp()
        try second.waitForPrompt()
        #expect(second.finish() == 0)
        #expect(second.text.contains("groundwork learn \(course) --learner \(code) --data \(folder.path)"))
    }

    @Test func theModuleListShowsProgressAndTakesANumber() throws {
        defer { folder.remove() }
        let process = try LearnerProcess(["learn", course, "--data", folder.path])
        try process.waitForPrompt()
        process.send("")
        try process.waitForPrompt()
        process.send("Sam")
        let menu = try process.waitForPrompt()
        #expect(menu.contains { $0.contains("1. Practice Module") && $0.hasSuffix("not started") },
                "no countdown of attempts before the first one: \(menu)")
        #expect(menu.contains { $0.contains("2. Second Module") })
        process.send("9")
        let again = try process.waitForPrompt()
        #expect(again.contains { $0.contains("There's no module “9”") })
        process.send("2")
        let question = try process.waitForPrompt()
        #expect(question.contains("Question 1 of 1 · Pick the right one"))
        let second = try #require(try Fixtures.course().module(id: "second"))
        process.send(try #require(AnswerKey(module: second).answer(for: question)))
        let list = try process.waitFor("the list again") { $0.hasPrefix("? Choose a module") }
        #expect(list.contains { $0.contains("2. Second Module") && $0.contains("passed (100%)") })
        process.send("quit")
        #expect(process.finish() == 0)
    }

    @Test func badCodesModulesAndCoursesGetClearErrors() throws {
        defer { folder.remove() }
        let (process, _) = try signUp()
        process.kill9()
        let malformed = try run(["learn", course, "--data", folder.path, "--learner", "just-two"])
        #expect(malformed.status == 2)
        #expect(malformed.errors.contains("error: a resume code is 4 words"))
        let words = ResumeWords.all
        let unknown = try run(["learn", course, "--data", folder.path, "--learner", words[0...3].joined(separator: "-")])
        #expect(unknown.status == 2)
        #expect(unknown.errors.contains("no learner has the resume code"))
        let module = try run(["learn", course, "--data", folder.path, "--module", "nope"])
        #expect(module.status == 2)
        #expect(module.errors.contains("no module 'nope'") && module.errors.contains("practice, second"))
        let broken = try run(["learn", Fixtures.path("broken.md"), "--data", folder.path])
        #expect(broken.status == 1)
        #expect(broken.errors.contains("broken.md:") && broken.errors.contains(": error: "))
        let file = folder.path + "/a-file"
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        let data = try run(["learn", course, "--data", file])
        #expect(data.status == 1)
        #expect(data.errors.contains("is a file, not a folder"))
    }

    @Test func exportAndDeleteAreTheLearnersOwn() throws {
        defer { folder.remove() }
        let key = AnswerKey(module: try module())
        let (process, code) = try signUp("Quokka-Unique-Name")
        try answer(process, count: 2, key: key)
        try process.waitForPrompt()
        process.send("quit")
        _ = process.finish()
        let (other, otherCode) = try signUp("Kept")
        _ = other.finish()

        let exportFile = folder.path + "/export.json"
        let export = try run(["learner", "export", code.uppercased().replacingOccurrences(of: "-", with: " "),
                              "--data", folder.path, "--output", exportFile])
        #expect(export.status == 0)
        let json = try String(contentsOfFile: exportFile, encoding: .utf8)
        #expect(json.contains("Quokka-Unique-Name") && json.contains(#""moduleID" : "practice""#))
        #expect(!json.contains(code), "the code itself is never stored")

        let deleted = try run(["learner", "delete", code, "--data", folder.path])
        #expect(deleted.status == 0)
        #expect(deleted.output.contains("Deleted Quokka-Unique-Name"))
        let again = try run(["learner", "export", code, "--data", folder.path])
        #expect(again.status == 2)
        #expect(again.errors.contains("no learner has the resume code"))
        #expect(try run(["learner", "export", otherCode, "--data", folder.path]).status == 0)
        let database = try String(decoding: Data(contentsOf: URL(fileURLWithPath: folder.path + "/records.sqlite")), as: UTF8.self)
        #expect(!database.contains("Quokka-Unique-Name"))
        let empty = TemporaryFolder()
        let nothing = try run(["learner", "export", code, "--data", empty.path])
        #expect(nothing.status == 2 && nothing.errors.contains("there are no learner records"))
    }
}

extension LearnCommandTests {
    @Test func ctrlCStopsWithTheCodeAndKeepsEveryAnswer() throws {
        defer { folder.remove() }
        let key = AnswerKey(module: try module())
        let (process, code) = try signUp()
        try answer(process, count: 1, key: key)
        try process.waitForPrompt()
        kill(process.process.processIdentifier, SIGINT)
        process.process.waitUntilExit()
        #expect(process.process.terminationStatus == 130)
        try process.waitFor("the goodbye") { $0.contains("groundwork learn \(course) --learner \(code) --data \(folder.path)") }
        let again = try start(["--learner", code])
        let screen = try again.waitForPrompt()
        #expect(screen.contains { $0.contains("You're at question 2 of 6") })
        again.send("quit")
        #expect(again.finish() == 0)
    }
}

extension LearnCommandTests {
    /// The repository's bundled course.
    static var bundledCourse: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Curriculum").path
    }

    @Test(arguments: [60, 100])
    func theBundledCourseCanBeTakenFromStartToFinish(columns: Int) throws {
        defer { folder.remove() }
        let result = CurriculumCompiler.compile(path: Self.bundledCourse)
        let course = try #require(result.curriculum)
        var code: String?
        for module in course.modules {
            var arguments = ["learn", Self.bundledCourse, "--data", folder.path, "--module", module.id]
            if let code { arguments += ["--learner", code] }
            let process = try LearnerProcess(arguments, columns: columns)
            if code == nil {
                try process.waitForPrompt()
                process.send("")
                try process.waitForPrompt()
                process.send("Robin")
                let lines = try process.waitFor("the resume code") { $0.hasPrefix("Resume code: ") }
                code = lines.last.map { String($0.dropFirst("Resume code: ".count)) }
            }
            try answer(process, key: AnswerKey(module: module))
            #expect(process.finish() == 0)
            #expect(process.text.contains("Module result: passed (100%)."), "\(module.id): \(process.text.suffix(600))")
            // Everything fits the width, and no word is split (prompts stay one line for scripts).
            for line in process.text.split(separator: "\n") where !line.hasPrefix("? ") && !line.hasPrefix("  groundwork ") && line.count > columns {
                #expect(!line.contains(" "), "\(module.id) at \(columns) columns: \(line)")
            }
        }
        let last = try LearnerProcess(["learn", Self.bundledCourse, "--data", folder.path, "--learner", try #require(code)])
        let menu = try last.waitForPrompt()
        #expect(menu.contains("12 of 12 required modules passed"))
        last.send("quit")
        #expect(last.finish() == 0)
    }
}


extension LearnCommandTests {
    @Test func aNewLearnerReadsTheWelcomeAndTypesAnswersTheWayPeopleDo() throws {
        defer { folder.remove() }
        let key = AnswerKey(module: try module())
        let (process, _) = try signUp()
        // The course's welcome, once, for a new learner.
        try answer(process, count: 2, key: key)
        #expect(process.text.contains("A small course the records tests take from start to finish."))
        // The ordering question, typed without spaces: "bca" can only mean b, c, a.
        let ordering = try process.waitForPrompt()
        let spaced = try #require(key.answer(for: ordering))
        #expect(ordering.contains { $0.contains("separated by spaces, like") }, "the prompt shows an example")
        process.send(spaced.replacingOccurrences(of: " ", with: ""))
        let afterOrdering = try process.waitForPrompt()
        #expect(!afterOrdering.contains { $0.hasPrefix("That answer didn't fit") }, "compact letters are accepted: \(afterOrdering)")
        #expect(afterOrdering.contains { $0.contains("That's right") })
        // The matching question: a mistake is explained without check-block backticks.
        process.send("a")
        let mistake = try process.waitForPrompt()
        let message = try #require(mistake.first { $0.hasPrefix("That answer didn't fit") })
        #expect(!message.contains("`"), "\(message)")
        process.send("quit")
        #expect(process.finish() == 0)
    }
}
