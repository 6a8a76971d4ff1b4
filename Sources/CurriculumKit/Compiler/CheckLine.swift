import Foundation

/// A problem with something the author or learner wrote, with how to fix it.
public struct InputProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// How to fix it.
    public var hint: String?

    /// Creates a problem.
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}

/// One line of a `check` block: `RESPONSE -> PERCENT [critical]`.
enum CheckLine {
    struct Parsed {
        var written: String
        var response: Response
        var percent: Int
        var critical: Bool
    }

    static func parse(_ line: String, for question: Question) -> Result<Parsed, InputProblem> {
        var arrowRange = line.findLast("->")
        if arrowRange == nil { arrowRange = line.findLast("→") }
        guard let arrow = arrowRange else {
            return .failure(InputProblem("this check line has no `->` between the response and its score",
                                         hint: "write it as `RESPONSE -> PERCENT`, for example `b -> 100%`"))
        }
        let responseText = line[..<arrow.lowerBound].trimmed
        var words = line[arrow.upperBound...].split(separator: " ").map(String.init)
        var critical = false
        if let last = words.last, last.lowercased() == "critical" {
            critical = true
            words.removeLast()
        }
        guard words.count == 1, words[0].hasSuffix("%"), let percent = Int(words[0].dropLast()), (0...100).contains(percent) else {
            return .failure(InputProblem("the score '\(words.joined(separator: " "))' is not a whole percent from 0% to 100%",
                                         hint: "write the expected score like `83%`, optionally followed by `critical`"))
        }
        switch Response.parse(responseText, for: question) {
        case let .success(response):
            return .success(Parsed(written: responseText, response: response, percent: percent, critical: critical))
        case let .failure(problem):
            return .failure(problem)
        }
    }
}

extension Response {
    /// Parses a written response for a question, in the notation of check blocks and the
    /// terminal runner: `b` (single choice), `a, c` (select-all; `none` for no boxes),
    /// `c a b` (ordering), `a=2 b=1` (matching), `"Narcan"` or `Narcan` (short answer).
    /// Letters and numbers are checked against the question.
    public static func parse(_ text: String, for question: Question) -> Result<Response, InputProblem> {
        let trimmed = text.trimmed
        let letters = question.options.map(\.letter)
        let letterList = letters.joined(separator: ", ")
        func tokens(_ s: String) -> [String] {
            s.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map { $0.lowercased() }
        }
        let response: Response
        switch question.kind {
        case .singleChoice:
            let t = tokens(trimmed)
            guard t.count == 1 else {
                return .failure(InputProblem(t.isEmpty ? "no option given" : "a single-choice answer is one letter, not \(t.count)",
                                             hint: "give one letter of \(letterList)"))
            }
            response = .choice(t[0])
        case .selectAll:
            let t = tokens(trimmed)
            response = .selection(t == ["none"] || t == ["-"] ? [] : t)
        case .ordering:
            response = .order(tokens(trimmed))
        case .matching:
            var pairs: [String: Int] = [:]
            for token in tokens(trimmed) {
                let parts = token.split(separator: "=", omittingEmptySubsequences: false)
                guard parts.count == 2, let number = Int(parts[1]) else {
                    return .failure(InputProblem("'\(token)' is not a pair like a=2",
                                                 hint: "write each pair as LETTER=NUMBER, for example `a=2 b=1 c=3`"))
                }
                let letter = String(parts[0])
                guard pairs[letter] == nil else {
                    return .failure(InputProblem("item \(letter) is matched twice", hint: "match each item once"))
                }
                pairs[letter] = number
            }
            response = .matches(pairs)
        case .shortAnswer:
            var answer = trimmed
            if answer.count >= 2, answer.hasPrefix("\""), answer.hasSuffix("\"") {
                answer = String(answer.dropFirst().dropLast())
            }
            response = .text(answer)
        }
        if let problem = Evaluator.validate(response, for: question) {
            return .failure(problem)
        }
        return .success(response)
    }
}
