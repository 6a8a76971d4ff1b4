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

    static let noArrow = InputProblem("this check line has no `->` between the response and its score",
                                      hint: "write it as `RESPONSE -> PERCENT`, for example `b -> 100%`")

    static func badScore(_ words: [String]) -> InputProblem {
        InputProblem("the score '\(words.joined(separator: " "))' is not a whole percent from 0% to 100%",
                     hint: "write the expected score like `83%`, optionally followed by `critical`")
    }

    static func parse(_ line: String, for question: Question) -> Result<Parsed, InputProblem> {
        var line = line
        if line.withUTF8(Bytes.isASCII) {
            return line.withUTF8 { parse(ascii: $0, for: question) }
        }
        return parseUnicode(line, for: question)
    }

    /// ``parse(_:for:)`` for an ASCII line, on its bytes.
    static func parse(ascii line: UnsafeBufferPointer<UInt8>, for question: Question) -> Result<Parsed, InputProblem> {
        guard let arrow = Bytes.lastArrow(line) else { return .failure(noArrow) }
        let responseText = Bytes.trimmed(Bytes.slice(line, 0, arrow))
        let scoreText = Bytes.slice(line, arrow + 2, line.count)
        var count = 0
        var first = Bytes.slice(scoreText, 0, 0), last = first
        Bytes.forEachPiece(scoreText, separatedBy: { $0 == 32 }) { word in
            if count == 0 { first = word }
            last = word
            count += 1
        }
        let critical = count > 0 && Bytes.equalsIgnoringCase(last, "critical")
        guard count - (critical ? 1 : 0) == 1, let percent = percent(first) else {
            var words: [String] = []
            Bytes.forEachPiece(scoreText, separatedBy: { $0 == 32 }) { words.append(Bytes.string($0)) }
            if critical { words.removeLast() }
            return .failure(badScore(words))
        }
        return Response.parse(ascii: responseText, for: question).map {
            Parsed(written: Bytes.string(responseText), response: $0, percent: percent, critical: critical)
        }
    }

    /// `83%` → 83, for whole percents from 0 to 100.
    private static func percent(_ word: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let last = word.last, last == UInt8(ascii: "%"),
              let value = Int(Bytes.string(Bytes.slice(word, 0, word.count - 1))), (0...100).contains(value) else { return nil }
        return value
    }

    /// The general (Unicode) form of ``parse(_:for:)``.
    private static func parseUnicode(_ line: String, for question: Question) -> Result<Parsed, InputProblem> {
        var arrowRange = line.findLast("->")
        if arrowRange == nil { arrowRange = line.findLast("→") }
        guard let arrow = arrowRange else { return .failure(noArrow) }
        let responseText = line[..<arrow.lowerBound].trimmed
        var words = line[arrow.upperBound...].split(separator: " ").map(String.init)
        var critical = false
        if let last = words.last, last.lowercased() == "critical" {
            critical = true
            words.removeLast()
        }
        guard words.count == 1, words[0].hasSuffix("%"), let percent = Int(words[0].dropLast()), (0...100).contains(percent) else {
            return .failure(badScore(words))
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
        var text = text
        if text.withUTF8(Bytes.isASCII) {
            return text.withUTF8 { parse(ascii: Bytes.trimmed($0), for: question) }
        }
        return parseUnicode(text, for: question)
    }

    private static func letterList(_ question: Question) -> String {
        question.options.map(\.letter).joined(separator: ", ")
    }

    @inline(__always) private static func isTokenSeparator(_ b: UInt8) -> Bool {
        b == 32 || b == 44 || b == 9
    }

    /// Lower-cased tokens between spaces, commas and tabs.
    private static func tokens(ascii bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var result: [String] = []
        Bytes.forEachPiece(bytes, separatedBy: isTokenSeparator) { result.append(Bytes.lowercasedString($0)) }
        return result
    }

    /// ``parse(_:for:)`` for trimmed ASCII text, on its bytes.
    static func parse(ascii text: UnsafeBufferPointer<UInt8>, for question: Question) -> Result<Response, InputProblem> {
        let response: Response
        switch question.kind {
        case .singleChoice:
            var count = 0
            var letter = ""
            Bytes.forEachPiece(text, separatedBy: isTokenSeparator) { token in
                if count == 0 { letter = Bytes.lowercasedString(token) }
                count += 1
            }
            guard count == 1 else {
                return .failure(InputProblem(count == 0 ? "no option given" : "a single-choice answer is one letter, not \(count)",
                                             hint: "give one letter of \(letterList(question))"))
            }
            response = .choice(letter)
        case .selectAll:
            let t = tokens(ascii: text)
            response = .selection(t == ["none"] || t == ["-"] ? [] : t)
        case .ordering:
            response = .order(tokens(ascii: text))
        case .matching:
            switch matches(ascii: text) {
            case let .success(pairs): response = .matches(pairs)
            case let .failure(problem): return .failure(problem)
            }
        case .shortAnswer:
            var answer = text
            if answer.count >= 2, answer[0] == UInt8(ascii: "\""), answer[answer.count - 1] == UInt8(ascii: "\"") {
                answer = Bytes.slice(answer, 1, answer.count - 1)
            }
            response = .text(Bytes.string(answer))
        }
        if let problem = Evaluator.validate(response, for: question) {
            return .failure(problem)
        }
        return .success(response)
    }

    /// `a=2 b=1` → ["a": 2, "b": 1].
    private static func matches(ascii text: UnsafeBufferPointer<UInt8>) -> Result<[String: Int], InputProblem> {
        var pairs: [String: Int] = [:]
        var problem: InputProblem?
        Bytes.forEachPiece(text, separatedBy: isTokenSeparator) { token in
            guard problem == nil else { return }
            let equals = token.firstIndex(of: UInt8(ascii: "="))
            guard let equals, !Bytes.slice(token, equals + 1, token.count).contains(UInt8(ascii: "=")),
                  let number = Int(Bytes.string(Bytes.slice(token, equals + 1, token.count))) else {
                problem = InputProblem("'\(Bytes.lowercasedString(token))' is not a pair like a=2",
                                       hint: "write each pair as LETTER=NUMBER, for example `a=2 b=1 c=3`")
                return
            }
            let letter = Bytes.lowercasedString(Bytes.slice(token, 0, equals))
            guard pairs[letter] == nil else {
                problem = InputProblem("item \(letter) is matched twice", hint: "match each item once")
                return
            }
            pairs[letter] = number
        }
        if let problem { return .failure(problem) }
        return .success(pairs)
    }

    /// The general (Unicode) form of ``parse(_:for:)``.
    private static func parseUnicode(_ text: String, for question: Question) -> Result<Response, InputProblem> {
        let trimmed = text.trimmed
        func tokens(_ s: String) -> [String] {
            s.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map { $0.lowercased() }
        }
        let response: Response
        switch question.kind {
        case .singleChoice:
            let t = tokens(trimmed)
            guard t.count == 1 else {
                return .failure(InputProblem(t.isEmpty ? "no option given" : "a single-choice answer is one letter, not \(t.count)",
                                             hint: "give one letter of \(letterList(question))"))
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
