import ArgumentParser
import CurriculumKit
import Foundation

struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a course and print it as JSON (see docs/compiled-json.md).",
        discussion: "Diagnostics go to standard error; the JSON goes to standard output only when there are no errors."
    )

    @Argument(help: "A course folder (with course.md) or a single module .md file.")
    var path: String = "Curriculum"

    func run() throws {
        let result = CurriculumCompiler.compile(path: path)
        if !result.diagnostics.isEmpty {
            DiagnosticPrinter(stream: .standardError).print(result)
        }
        guard let curriculum = result.curriculum else { throw ExitCode(1) }
        try JSONOutput.write(curriculum)
    }
}
