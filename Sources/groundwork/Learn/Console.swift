import Foundation

/// The terminal the runner talks through.
///
/// - Interactive when stdin and stdout are both terminals (and `--plain` isn't given):
///   pauses between pages, prompts on the same line, colour unless `NO_COLOR` is set.
/// - Plain otherwise: no pauses, no colour, and every question for the person or script
///   at the other end is one line starting with `? `, after which one line is read.
final class Console {
    let interactive: Bool
    let colour: Bool
    let width: Int

    init(forcePlain: Bool) {
        let environment = ProcessInfo.processInfo.environment
        interactive = !forcePlain && isatty(0) == 1 && isatty(1) == 1
        colour = interactive && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        var size = winsize()
        if interactive, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 {
            width = min(Int(size.ws_col), 100)
        } else if let columns = environment["COLUMNS"].flatMap(Int.init), (40...200).contains(columns) {
            width = min(columns, 100)  // plain mode in a window of known width
        } else {
            width = 80
        }
    }

    /// Prints text word-wrapped to the terminal's width (never splitting a word) and a
    /// newline, flushed at once so a script reading the pipe sees it. A wrapped line goes on
    /// under its own text: after its indentation, a bullet or an option's letter.
    func say(_ text: String = "") {
        sayLine(Self.wrap(text, width: width))
    }

    /// Prints one line as it is (a prompt, or a command to copy).
    func sayLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// ``say(_:)`` with an explicit indent for continuation lines.
    func sayWrapped(_ text: String, indent: String) {
        sayLine(Self.wrap(text, width: width, indent: indent))
    }

    static func wrap(_ text: String, width: Int, indent given: String? = nil) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.count > width else { return String(line) }
            var lines: [String] = []
            // Keep the line's own indentation.
            var current = String(line.prefix { $0 == " " })
            let indent = given ?? hangingIndent(line)
            for word in line.split(separator: " ") {
                let blank = current.allSatisfy { $0 == " " }
                let visible = blank ? current.count + word.count : current.count + 1 + word.count
                if visible > width, !blank {
                    lines.append(current)
                    current = indent + word
                } else {
                    current += (blank ? "" : " ") + word
                }
            }
            lines.append(current)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Where a wrapped line's next lines start: under the text after its indentation, a
    /// bullet (`• `) or a marker like `a) ` or `12. `.
    static func hangingIndent(_ line: Substring) -> String {
        let leading = line.prefix { $0 == " " }.count
        let rest = line.dropFirst(leading)
        if rest.hasPrefix("• ") { return String(repeating: " ", count: leading + 2) }
        if let space = rest.firstIndex(of: " "), rest.distance(from: rest.startIndex, to: space) <= 4,
           let mark = rest[..<space].last, mark == ")" || mark == ".",
           rest[..<space].dropLast().allSatisfy({ $0.isLetter || $0.isNumber }) {
            return String(repeating: " ", count: leading + rest.distance(from: rest.startIndex, to: space) + 1)
        }
        return String(repeating: " ", count: leading)
    }

    /// Asks a question and reads one line; `nil` at the end of input.
    func ask(_ prompt: String) -> String? {
        if interactive {
            FileHandle.standardOutput.write(Data((paint("? ", "1;36") + prompt + " ").utf8))
        } else {
            sayLine("? " + prompt)
        }
        return readLine(strippingNewline: true)
    }

    /// Waits for Enter between pages (interactive only). Returns false when the learner quits.
    func pause() -> Bool {
        guard interactive else { return true }
        guard let line = ask(paint("Press Enter to go on, or type quit to stop.", "2")) else { return false }
        return !Console.isQuit(line)
    }

    /// Wraps `text` in an ANSI style when colour is on.
    func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Whether a line asks to stop.
    static func isQuit(_ line: String) -> Bool {
        ["quit", "exit", ":q"].contains(line.trimmingCharacters(in: .whitespaces).lowercased())
    }
}

/// What to tell the learner if they press Ctrl-C: their answers are saved, and their code.
final class QuitNotice: @unchecked Sendable {
    static let shared = QuitNotice()
    private let lock = NSLock()
    private var command: String?
    private var source: DispatchSourceSignal?

    /// The command that resumes, with the learner's code.
    func remember(command: String) {
        lock.withLock { self.command = command }
    }

    /// On Ctrl-C: say everything answered is saved, show the resume code, exit 130.
    func install() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in
            let command = lock.withLock { self.command }
            var message = "\n\nStopped. Every answer you gave is saved."
            if let command { message += "\nTo pick up where you left off:\n  \(command)" }
            FileHandle.standardOutput.write(Data((message + "\n").utf8))
            exit(130)
        }
        source.resume()
        lock.withLock { self.source = source }
    }
}
