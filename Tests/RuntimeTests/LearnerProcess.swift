import CurriculumKit
import Foundation

/// `groundwork` run as a child process with pipes, driven like a person at the keyboard:
/// wait for a line, type an answer.
final class LearnerProcess: @unchecked Sendable {
    static var binary: URL {
        Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("groundwork")
    }

    struct Timeout: Error, CustomStringConvertible {
        var waitingFor: String
        var output: String
        var description: String { "no line matching '\(waitingFor)' within the time limit; output so far:\n\(output)" }
    }

    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSLock()
    private var buffer = ""
    private var errorBuffer = ""
    /// Index into the output's lines already consumed by `waitFor`.
    private var consumed = 0

    /// Starts `groundwork` with `arguments`; `columns` sets the width plain mode wraps to.
    init(_ arguments: [String], columns: Int? = nil) throws {
        process.executableURL = Self.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["COLUMNS"] = columns.map(String.init)
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.buffer += String(decoding: data, as: UTF8.self) }
        }
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.errorBuffer += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    /// Everything printed so far.
    var text: String { lock.withLock { buffer } }
    /// Everything printed to standard error so far.
    var errorText: String { lock.withLock { errorBuffer } }

    /// Waits until a complete line after the last match satisfies `matches`; returns the
    /// lines from the last match up to and including this one. Gives up after `seconds`
    /// (a guard against hangs, not a timing assertion).
    @discardableResult
    func waitFor(_ description: String, seconds: Double = 60, _ matches: (String) -> Bool) throws -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let (lines, start) = lock.withLock { () -> ([String], Int) in
                var lines = buffer.components(separatedBy: "\n")
                lines.removeLast()  // an unfinished line
                return (lines, consumed)
            }
            if start < lines.count {
                for index in start..<lines.count where matches(lines[index]) {
                    lock.withLock { consumed = index + 1 }
                    return Array(lines[start...index])
                }
            }
            if !process.isRunning && start >= lines.count {
                // Let the last output arrive before giving up.
                usleep(200_000)
                if lock.withLock({ buffer.components(separatedBy: "\n").count - 1 }) > lines.count { continue }
                let ending = "\n[the process ended: status \(process.terminationStatus), reason \(process.terminationReason.rawValue)]"
                throw Timeout(waitingFor: description, output: text + "\nstderr:\n" + errorText + ending)
            }
            usleep(5_000)
        }
        throw Timeout(waitingFor: description, output: text + "\nstderr:\n" + errorText)
    }

    /// Waits for the next prompt (a line starting with `? `) and returns the screen before it.
    @discardableResult
    func waitForPrompt(seconds: Double = 60) throws -> [String] {
        try waitFor("a prompt", seconds: seconds) { $0.hasPrefix("? ") }
    }

    /// Types one line.
    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Closes standard input (end of input, like Ctrl-D).
    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// Kills the process at once, as a crash or power cut would.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits for the process to end and returns its exit status.
    func finish() -> Int32 {
        closeInput()
        process.waitUntilExit()
        usleep(20_000)
        return process.terminationStatus
    }
}

/// Works out the right answer, in the letters shown, from what the runner printed and
/// the course's answer key, like a learner who knows the material.
struct AnswerKey {
    let module: Module

    /// The screen with wrapped lines joined again: a heading's continuation is indented four
    /// spaces, an option's five.
    static func unwrapped(_ screen: [String]) -> [String] {
        var lines: [String] = []
        for line in screen {
            let isContinuation = (line.hasPrefix("    ") && !line.hasPrefix("     ") && !(lines.last?.hasPrefix("  ") ?? true))
                || (line.hasPrefix("     ") && (lines.last?.hasPrefix("  ") ?? false))
            if isContinuation, let last = lines.popLast() {
                lines.append(last + " " + line.trimmingCharacters(in: .whitespaces))
            } else {
                lines.append(line)
            }
        }
        return lines
    }

    func answer(for wrapped: [String]) -> String? {
        let screen = Self.unwrapped(wrapped)
        guard let heading = screen.last(where: { $0.hasPrefix("Question ") || $0.hasPrefix("Scenario: ") }),
              let title = heading.components(separatedBy: " · ").last else { return nil }
        let question: Question?
        if heading.hasPrefix("Scenario: ") {
            question = module.scenarios.flatMap(\.steps).first { $0.title == title }?.question
        } else {
            question = module.questions.first { $0.title == title }
        }
        guard let question else { return nil }
        var letterOf: [String: String] = [:]
        var numberOf: [String: Int] = [:]
        for line in screen {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let paren = trimmed.firstIndex(of: ")"), trimmed.distance(from: trimmed.startIndex, to: paren) <= 3 {
                letterOf[String(trimmed[trimmed.index(after: paren)...]).trimmingCharacters(in: .whitespaces)] = String(trimmed[..<paren])
            } else if let dot = trimmed.firstIndex(of: "."), let number = Int(trimmed[..<dot]) {
                numberOf[String(trimmed[trimmed.index(after: dot)...]).trimmingCharacters(in: .whitespaces)] = number
            }
        }
        switch question.kind {
        case .singleChoice:
            return question.options.first(where: \.isCorrect).flatMap { letterOf[$0.text] }
        case .selectAll:
            return question.options.filter(\.isCorrect).compactMap { letterOf[$0.text] }.joined(separator: " ")
        case .ordering:
            return question.options.compactMap { letterOf[$0.text] }.joined(separator: " ")
        case .matching:
            return question.options.compactMap { option -> String? in
                guard let letter = letterOf[option.text], let match = option.match,
                      let number = numberOf[question.matchTargets[match]] else { return nil }
                return "\(letter)=\(number)"
            }.joined(separator: " ")
        case .shortAnswer:
            return question.acceptedAnswers.first
        }
    }

    /// The option lines of the last question on a screen, as shown.
    static func optionLines(_ wrapped: [String]) -> [String] {
        let screen = unwrapped(wrapped)
        guard let start = screen.lastIndex(where: { $0.hasPrefix("Question ") || $0.hasPrefix("Scenario: ") }) else { return [] }
        return screen[start...].filter { $0.hasPrefix("  ") && $0.contains(")") }
    }
}
