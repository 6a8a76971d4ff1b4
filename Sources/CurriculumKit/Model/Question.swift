import Foundation

/// A question in a module (or a step of a scenario).
public struct Question: Sendable, Equatable, Codable, Identifiable {
    /// The five kinds of question, told apart by the answer list's markers.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// `( )` / `(x)` / `(N%)`: one answer, weighted.
        case singleChoice = "single-choice"
        /// `[ ]` / `[x]`: select all that apply.
        case selectAll = "select-all"
        /// An ordered list written in the right order, shown shuffled.
        case ordering
        /// `left -> right` pairs; right sides shown shuffled.
        case matching
        /// `= answer` lines: typed answers.
        case shortAnswer = "short-answer"
    }

    /// `module-id/slug`, or `module-id/custom-id` from a `{#custom-id}` heading suffix.
    public var id: String
    /// The heading text.
    public var title: String
    /// The kind, from the answer list.
    public var kind: Kind
    /// Blocks between the heading and the answer list.
    public var prompt: [Element]
    /// Choices (single choice, select-all), items in the right order (ordering) or left
    /// sides (matching), lettered a, b, c… in the order written.
    public var options: [Option]
    /// Matching only: the right sides, numbered 1, 2, 3… in the order written.
    public var matchTargets: [String]
    /// Short answer only: accepted answers as written.
    public var acceptedAnswers: [String]
    /// Blocks after the answer list, shown once answered.
    public var explanation: [Element]
    /// Answer-key checks from the question's `check` block.
    public var checks: [AnswerCheck]
    /// Where the heading is.
    public var position: SourcePosition
    /// SHA-256 of the question's source text and id: the content version a learner saw.
    public var hash: String

    /// The option with a letter, if any.
    public func option(_ letter: String) -> Option? {
        options.first { $0.letter == letter }
    }

    /// The response that scores full marks, in the module's letters: the right option, every
    /// right option, the written order, the written pairs, or the first accepted answer.
    /// `nil` when the question has none (a question with errors).
    public var answerKey: Response? {
        switch kind {
        case .singleChoice:
            return options.first(where: \.isCorrect).map { .choice($0.letter) }
        case .selectAll:
            return .selection(options.filter(\.isCorrect).map(\.letter))
        case .ordering:
            return .order(options.map(\.letter))
        case .matching:
            var pairs: [String: Int] = [:]
            for option in options {
                guard let match = option.match else { return nil }
                pairs[option.letter] = match + 1
            }
            return .matches(pairs)
        case .shortAnswer:
            return acceptedAnswers.first.map { .text($0) }
        }
    }
}

/// One option of a question.
public struct Option: Sendable, Equatable, Codable {
    /// `a`, `b`, `c`… in the order written.
    public var letter: String
    /// The option's text as plain text.
    public var text: String
    /// The option's text as Markdown (inline formatting kept, marker and link removed).
    public var markdown: String
    /// Single choice: the option's weight in percent (`(x)` 100, `(N%)` N, `( )` 0).
    /// Select-all: 100 for a right option, 0 for a wrong one. Others: 100.
    public var weight: Int
    /// Whether this is a right answer (`(x)` or `[x]`).
    public var isCorrect: Bool
    /// Whether the option is critical: a right critical option must be chosen, a wrong
    /// critical option must never be.
    public var isCritical: Bool
    /// Feedback shown when the learner chooses it (from the block quote in its item).
    public var feedback: [Element]
    /// Matching: index of the right side (0-based) into ``Question/matchTargets``.
    public var match: Int?
    /// Scenario steps: where choosing this option leads.
    public var next: StepTarget?
    /// Where the option's list item starts.
    public var position: SourcePosition

    /// The option's text as safe HTML, without the enclosing paragraph.
    public var html: String {
        CommonMark.inlineHTML(markdown: markdown)
    }

    private enum CodingKeys: String, CodingKey {
        case letter, text, markdown, html, weight, isCorrect = "correct", isCritical = "critical", feedback, match, next, position
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(letter, forKey: .letter)
        try c.encode(text, forKey: .text)
        try c.encode(markdown, forKey: .markdown)
        try c.encode(html, forKey: .html)
        try c.encode(weight, forKey: .weight)
        try c.encode(isCorrect, forKey: .isCorrect)
        try c.encode(isCritical, forKey: .isCritical)
        try c.encode(feedback, forKey: .feedback)
        try c.encodeIfPresent(match, forKey: .match)
        try c.encodeIfPresent(next, forKey: .next)
        try c.encode(position, forKey: .position)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        letter = try c.decode(String.self, forKey: .letter)
        text = try c.decode(String.self, forKey: .text)
        markdown = try c.decode(String.self, forKey: .markdown)
        weight = try c.decode(Int.self, forKey: .weight)
        isCorrect = try c.decode(Bool.self, forKey: .isCorrect)
        isCritical = try c.decode(Bool.self, forKey: .isCritical)
        feedback = try c.decode([Element].self, forKey: .feedback)
        match = try c.decodeIfPresent(Int.self, forKey: .match)
        next = try c.decodeIfPresent(StepTarget.self, forKey: .next)
        position = try c.decode(SourcePosition.self, forKey: .position)
    }

    init(letter: String, text: String, markdown: String, weight: Int, isCorrect: Bool, isCritical: Bool,
         feedback: [Element], match: Int?, next: StepTarget?, position: SourcePosition) {
        self.letter = letter
        self.text = text
        self.markdown = markdown
        self.weight = weight
        self.isCorrect = isCorrect
        self.isCritical = isCritical
        self.feedback = feedback
        self.match = match
        self.next = next
        self.position = position
    }
}

/// A sample response and the score it must get, from a question's `check` block.
public struct AnswerCheck: Sendable, Equatable, Codable {
    /// The response as written, for messages.
    public var written: String
    /// The parsed response.
    public var response: Response
    /// Expected whole percent.
    public var expectedPercent: Int
    /// Whether the response must be judged critical.
    public var expectsCritical: Bool
    /// Where the line is.
    public var position: SourcePosition
}

/// A learner's answer to one question.
///
/// Its JSON (in compiled courses, records and exports alike) is one key naming the kind:
/// `{"choice":"b"}`, `{"selection":["a","c"]}`, `{"order":["c","a","b"]}`,
/// `{"matches":{"a":2,"b":1}}`, `{"text":"naloxone"}`.
public enum Response: Sendable, Equatable, Hashable, Codable {
    /// Single choice: the letter chosen.
    case choice(String)
    /// Select-all: the letters ticked, in the order ticked.
    case selection([String])
    /// Ordering: the item letters in the learner's order.
    case order([String])
    /// Matching: left letter → right number (1-based).
    case matches([String: Int])
    /// Short answer: the text typed.
    case text(String)
}

extension Response {
    private enum CodingKeys: String, CodingKey {
        case choice, selection, order, matches, text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .choice(letter): try container.encode(letter, forKey: .choice)
        case let .selection(letters): try container.encode(letters, forKey: .selection)
        case let .order(letters): try container.encode(letters, forKey: .order)
        case let .matches(pairs): try container.encode(pairs, forKey: .matches)
        case let .text(typed): try container.encode(typed, forKey: .text)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a response needs exactly one of choice, selection, order, matches or text"))
        }
        switch key {
        case .choice: self = .choice(try container.decode(String.self, forKey: .choice))
        case .selection: self = .selection(try container.decode([String].self, forKey: .selection))
        case .order: self = .order(try container.decode([String].self, forKey: .order))
        case .matches: self = .matches(try container.decode([String: Int].self, forKey: .matches))
        case .text: self = .text(try container.decode(String.self, forKey: .text))
        }
    }
}
