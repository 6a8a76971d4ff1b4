import CurriculumKit
import Foundation
import Runtime

/// Prints diagnostics like a compiler: `path:line:column: error: message`, a hint line,
/// and a summary. Colour only on a terminal, with TERM not `dumb` and NO_COLOR unset.
struct DiagnosticPrinter {
    enum Stream { case standardOutput, standardError }
    let stream: Stream

    private var handle: FileHandle { stream == .standardError ? .standardError : .standardOutput }

    private var useColour: Bool {
        let environment = ProcessInfo.processInfo.environment
        let fd: Int32 = stream == .standardError ? 2 : 1
        return isatty(fd) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    func print(_ result: CompileResult) {
        let colour = useColour
        func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var out = ""
        for d in result.diagnostics {
            let label = d.severity == .error ? paint("error", "1;31") : paint("warning", "1;33")
            out += "\(d.path):\(d.line):\(d.column): \(label): \(d.message)\n"
            if let hint = d.hint { out += "  hint: \(hint)\n" }
        }
        let files = result.fileCount == 1 ? "1 file" : "\(result.fileCount) files"
        let errors = result.errorCount == 1 ? "1 error" : "\(result.errorCount) errors"
        let warnings = result.warningCount == 1 ? "1 warning" : "\(result.warningCount) warnings"
        if let curriculum = result.curriculum {
            let questions = curriculum.modules.reduce(0) { $0 + $1.questions.count }
            let scenarios = curriculum.modules.reduce(0) { $0 + $1.scenarios.count }
            out += "Checked \(files): \(plural(curriculum.modules.count, "module")), \(plural(questions, "question")), \(plural(scenarios, "scenario"))\(curriculum.practicals.isEmpty ? "" : ", " + plural(curriculum.practicals.count, "practical")); \(errors), \(warnings).\n"
        } else {
            out += "Checked \(files): \(errors), \(warnings).\n"
        }
        handle.write(Data(out.utf8))
    }

    private func plural(_ count: Int, _ noun: String) -> String {
        count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
    }
}

/// `error: message` and its hint on standard error: how every command reports a problem
/// that isn't a course diagnostic.
func reportError(_ message: String, hint: String?) {
    FileHandle.standardError.write(Data(("error: \(message)" + (hint.map { "\n  hint: \($0)" } ?? "") + "\n").utf8))
}

extension RecordsError {
    /// The exit status for this problem: 2 for a code or name the person typed, 1 otherwise.
    var exitStatus: Int32 {
        kind == .unknownCode || kind == .malformedCode || kind == .unknownItem || kind == .noRecords ? 2 : 1
    }
}
