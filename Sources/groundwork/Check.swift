import ArgumentParser
import CurriculumKit
import Foundation

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a course folder or one module file and report every problem.",
        discussion: """
        Prints diagnostics as path:line:column: error|warning: message, each with a hint, \
        then a summary. Exits 1 when there are errors (or warnings with --strict), 0 otherwise.
        """
    )

    @Argument(help: "A course folder (with course.md) or a single module .md file.")
    var path: String = "Curriculum"

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @ArgumentParser.Option(help: "Output format: text (for people) or json (for editors and CI).")
    var format: OutputFormat = .text

    func run() throws {
        let result = CurriculumCompiler.compile(path: path)
        switch format {
        case .text:
            DiagnosticPrinter(stream: .standardError).print(result)
        case .json:
            try JSONOutput.write(DiagnosticReport(result))
        }
        if result.errorCount > 0 || (strict && result.warningCount > 0) {
            throw ExitCode(1)
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// The JSON shape of `groundwork check --format json`.
struct DiagnosticReport: Encodable {
    var diagnostics: [Diagnostic]
    var errors: Int
    var warnings: Int
    var files: Int

    init(_ result: CompileResult) {
        diagnostics = result.diagnostics
        errors = result.errorCount
        warnings = result.warningCount
        files = result.fileCount
    }
}

enum JSONOutput {
    static func write<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(data)
    }
}
