import CurriculumKit
import Runtime

/// How an answer went, for the heading of its feedback: told in words and a symbol, never by
/// colour alone.
public struct Verdict: Sendable, Equatable {
    /// The kind of verdict.
    public enum Kind: String, Sendable {
        case right
        case partly
        case notYet = "not-yet"
    }

    /// The kind.
    public var kind: Kind
    /// "That's right", "Partly right (50%)", "Not yet".
    public var heading: String
    /// ✓, ◐ or ○.
    public var symbol: String

    /// The verdict for an evaluation. A critical choice is "Not yet" whatever the score.
    public init(_ evaluation: Evaluation) {
        if evaluation.isCritical || evaluation.score == .zero {
            self.init(kind: .notYet, heading: "Not yet", symbol: "○")
        } else if evaluation.score == .full {
            self.init(kind: .right, heading: "That's right", symbol: "✓")
        } else {
            self.init(kind: .partly, heading: "Partly right (\(evaluation.score.percent)%)", symbol: "◐")
        }
    }

    init(kind: Kind, heading: String, symbol: String) {
        self.kind = kind
        self.heading = heading
        self.symbol = symbol
    }
}

/// Everything a learner is shown after one answer, composed once: each piece of feedback
/// appears once, in a fixed order.
public struct AnswerFeedback: Sendable {
    /// A note on a critical choice: the sentence and the course's own words on why it matters.
    public struct CriticalNote: Sendable {
        /// One sentence naming the choice.
        public var summary: String
        /// The option's feedback.
        public var feedback: [Element]
    }

    /// An option with its feedback.
    public struct OptionNote: Sendable {
        /// The option's text.
        public var text: String
        /// Its feedback (may be empty).
        public var feedback: [Element]
    }

    /// The heading.
    public var verdict: Verdict
    /// Critical choices, first.
    public var critical: [CriticalNote]
    /// What the learner chose, with feedback (critical ones aren't repeated here).
    public var chosen: [OptionNote]
    /// Right answers the learner missed (critical ones aren't repeated here).
    public var missed: [OptionNote]
    /// For ordering and matching: what the learner gave, as shown ("1. Call", "A → B").
    public var yourAnswer: [String]
    /// "The order that works best:", "The matches:", "Answers that count:".
    public var rightAnswerLabel: String
    /// The right order, pairs or accepted answers; empty when the answer was fully right.
    public var rightAnswer: [String]
    /// The question's explanation.
    public var explanation: [Element]

    /// Composes the feedback for `response` (in the module's letters) to `question`.
    public init(_ evaluation: Evaluation, question: Question, response: Response) {
        verdict = Verdict(evaluation)
        critical = evaluation.criticalReasons.map { CriticalNote(summary: $0.summary, feedback: $0.feedback) }
        let criticalLetters = Set(evaluation.criticalReasons.map(\.letter))
        chosen = evaluation.feedback.chosen.filter { !criticalLetters.contains($0.letter) }
            .map { OptionNote(text: $0.text, feedback: $0.feedback) }
        missed = evaluation.feedback.missed.filter { !criticalLetters.contains($0.letter) }
            .map { OptionNote(text: $0.text, feedback: $0.feedback) }
        let full = evaluation.score == .full && !evaluation.isCritical
        rightAnswer = full && question.kind != .shortAnswer ? [] : evaluation.feedback.rightAnswer.map(Self.shownAnswer)
        rightAnswerLabel = Self.rightAnswerLabel(question.kind)
        yourAnswer = full ? [] : Self.shown(response, for: question)
        explanation = evaluation.feedback.explanation
    }

    /// An accepted answer as a learner reads it: `... naloxone ...` is "any answer with “naloxone” in it".
    static func shownAnswer(_ accepted: String) -> String {
        guard ShortAnswerPattern.isPattern(accepted) else { return accepted }
        let words = accepted.components(separatedBy: "...").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return "any answer with " + words.map { "“\($0)”" }.joined(separator: " and ") + " in it"
    }

    static func rightAnswerLabel(_ kind: Question.Kind) -> String {
        switch kind {
        case .ordering: return "The order that works best:"
        case .matching: return "The matches:"
        default: return "Answers that count:"
        }
    }

    /// The learner's ordering or matching as lines, in the module's words.
    static func shown(_ response: Response, for question: Question) -> [String] {
        switch response {
        case let .order(letters):
            return letters.compactMap { letter in question.options.first { $0.letter == letter }?.text }
        case let .matches(pairs):
            return question.options.compactMap { option in
                guard let number = pairs[option.letter], question.matchTargets.indices.contains(number - 1) else { return nil }
                return "\(option.text) → \(question.matchTargets[number - 1])"
            }
        default:
            return []
        }
    }
}
