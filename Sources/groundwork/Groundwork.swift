import ArgumentParser
import CurriculumKit

@main
struct Groundwork: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groundwork",
        abstract: "Harm reduction training courses from Markdown: check, compile and run them.",
        version: GroundworkVersion.current,
        subcommands: [Check.self, Compile.self, Learn.self, LearnerCommand.self, Serve.self, StaffCommand.self, Verify.self, Migrate.self]
    )
}

enum GroundworkVersion {
    static let current = "0.1.0"
}
