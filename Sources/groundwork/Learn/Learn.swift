import ArgumentParser
import CurriculumKit
import Foundation
import Runtime
import Stores

/// Options every command that touches learner records shares.
struct DataOptions: ParsableArguments {
    @ArgumentParser.Option(help: ArgumentHelp(
        "The folder for learner records.",
        discussion: "Default: $GROUNDWORK_DATA, else $XDG_DATA_HOME/groundwork, else ~/.local/share/groundwork."))
    var data: String?

    @ArgumentParser.Option(help: ArgumentHelp(
        "A PostgreSQL database instead of the data folder: postgresql://USER:PASSWORD@HOST:PORT/DATABASE.",
        discussion: "Default: $GROUNDWORK_DATABASE; when neither is set, the data folder is used."))
    var database: String?

    /// Where the records are.
    var location: StoreLocation { .from(data: data, database: database) }
}

struct Learn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take the course in the terminal: lessons, questions, feedback; stop and resume any time.",
        discussion: """
        Every answer is saved the moment its feedback shows, so quitting anywhere (quit, \
        Ctrl-C, end of input) loses nothing; start again with --learner CODE to continue at \
        the same question, with the options in the same order.

        When stdin or stdout isn't a terminal (or with --plain) it runs in plain mode: no \
        colour, no pauses, and each time it waits for input it prints one line starting \
        with "? " and reads one line. New learners get a line "Resume code: WORDS".
        """
    )

    @Argument(help: "A course folder (with course.md) or a single module .md file.")
    var path: String = "Curriculum"

    @ArgumentParser.Option(help: "Your resume code, to continue where you left off.")
    var learner: String?

    @ArgumentParser.Option(help: "Go straight to this module (its id), then stop.")
    var module: String?

    @Flag(help: "Plain mode even on a terminal: no colour, no pauses.")
    var plain = false

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        let result = CurriculumCompiler.compile(path: path)
        guard let curriculum = result.curriculum else {
            DiagnosticPrinter(stream: .standardError).print(result)
            throw ExitCode(1)
        }
        let console = Console(forcePlain: plain)
        let coursework: Coursework
        do {
            let opened = try await StoreFactory.open(dataOptions.location)
            coursework = Coursework(curriculum: curriculum, store: opened.store, hasher: opened.hasher)
        } catch let error as RecordsError {
            reportError(error.message, hint: error.hint)
            throw ExitCode(1)
        }
        if let module, curriculum.module(id: module) == nil {
            reportError("this course has no module '\(module)'",
                        hint: "the modules are: \(curriculum.modules.map(\.id).joined(separator: ", "))")
            throw ExitCode(2)
        }
        let runner = LearnRunner(coursework: coursework, console: console)
        QuitNotice.shared.install()
        var code: String?
        do {
            guard let (learner, resumeCode) = try await runner.signIn(code: learner) else {
                console.say("Goodbye.")
                return
            }
            code = resumeCode
            QuitNotice.shared.remember(command: resumeCommand(code: resumeCode))
            try await runner.run(learner: learner, moduleID: module)
        } catch is LearnRunner.Stop {
            console.say()
            console.say("Stopped. Every answer you gave is saved.")
        } catch let error as RecordsError {
            reportError(error.message, hint: error.hint)
            throw ExitCode(error.exitStatus)
        }
        if let code {
            console.say("To pick up where you left off:")
            console.sayLine("  " + resumeCommand(code: code))
        }
    }

    /// The command that picks up where the learner left off: the same course and data folder.
    func resumeCommand(code: String) -> String {
        var words = ["groundwork", "learn"]
        if path != "Curriculum" { words.append(Self.quoted(path)) }
        words += ["--learner", code]
        if let data = dataOptions.data { words += ["--data", Self.quoted(data)] }
        return words.joined(separator: " ")
    }

    static func quoted(_ text: String) -> String {
        text.contains(where: { " '\"$\\".contains($0) }) ? "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" : text
    }
}

struct LearnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learner",
        abstract: "See or remove everything stored about a learner.",
        subcommands: [Export.self, Delete.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print everything stored about a learner as JSON: name, attempts, every answer.")

        @Argument(help: "The learner's resume code.")
        var code: String

        @ArgumentParser.Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
        var output: String?

        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            let export = try await withRecords(dataOptions) { records in try await records.export(resumeCode: code) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            var data = try encoder.encode(export)
            data.append(0x0A)
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: data, attributes: [.posixPermissions: 0o600]) else {
                    reportError("can't write \(output)", hint: "check that its folder exists and is writable, or leave out --output to print the JSON")
                    throw ExitCode(1)
                }
            } else {
                FileHandle.standardOutput.write(data)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a learner and everything stored about them. This can't be undone.")

        @Argument(help: "The learner's resume code.")
        var code: String

        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            let learner = try await withRecords(dataOptions) { records in try await records.delete(resumeCode: code) }
            print("Deleted \(learner.displayName) and every record of their answers.")
        }
    }
}

/// Opens the existing records, runs `body`, and turns a records error into a message and exit status.
private func withRecords<T: Sendable>(_ options: DataOptions,
                                      _ body: (LearnerRecords) async throws -> T) async throws -> T {
    do {
        let opened = try await StoreFactory.openExisting(options.location)
        return try await body(LearnerRecords(store: opened.store, hasher: opened.hasher))
    } catch let error as RecordsError {
        reportError(error.message, hint: error.hint)
        throw ExitCode(error.exitStatus)
    }
}
