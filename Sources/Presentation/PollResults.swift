import CurriculumKit
import Runtime

/// What a group session shows of a poll: how many answered while it is open, and on reveal
/// the distribution (only when enough people answered that nobody can tell who chose what),
/// the right answer and the explanation. The projector, the control view and participants'
/// phones all render from this.
public struct PollResults: Sendable {
    /// One option's share of the room.
    public struct Bar: Sendable, Equatable {
        /// The letter shown.
        public var letter: String
        /// The option's text (Markdown source, for plain display).
        public var text: String
        /// How many chose it.
        public var count: Int
        /// Its share of those who answered, as a whole percent.
        public var percent: Int
        /// Whether it is a right answer.
        public var isRight: Bool
    }

    /// How many answered.
    public var total: Int
    /// Whether the distribution may be shown.
    public var distributionShown: Bool
    /// Choices: one bar per option, in the order shown.
    public var bars: [Bar]
    /// Ordering, matching and short answers: how many had it right, in one sentence.
    public var summary: String?
    /// The label before the right answer ("The answer", "The right order").
    public var rightAnswerLabel: String
    /// The right answer, one line per part.
    public var rightAnswer: [String]
    /// The question's explanation.
    public var explanation: [Element]

    /// The results of `presented` from a tally in the module's letters.
    public init(_ presented: PresentedQuestion, tally: PollTally) {
        let question = presented.question
        total = tally.total
        distributionShown = total >= GroupSessions.smallestTally
        explanation = question.explanation
        switch question.kind {
        case .singleChoice, .selectAll:
            bars = presented.shown.options.map { shown in
                let moduleLetter = presented.toModule(.choice(shown.letter))
                var count = 0
                if case let .choice(letter) = moduleLetter { count = tally.count(choosing: letter) }
                let percent = tally.total == 0 ? 0 : (count * 100 + tally.total / 2) / tally.total
                return Bar(letter: shown.letter, text: shown.text, count: count, percent: percent, isRight: shown.isCorrect)
            }
            summary = nil
        case .ordering, .matching, .shortAnswer:
            bars = []
            let right = tally.counts.filter { response, _ in
                if question.kind == .shortAnswer { return response == .text(GroupSessions.acceptedText) }
                return (try? Evaluator.evaluate(response, for: question).get())?.score.percent == 100
            }.values.reduce(0, +)
            summary = "\(right) of \(total) had it right."
        }
        rightAnswerLabel = AnswerFeedback.rightAnswerLabel(question.kind)
        rightAnswer = Self.rightAnswer(question)
    }

    /// The right answer in the module's words: the right options, the order that works best,
    /// the matches, or the accepted short answers (key-word patterns described).
    static func rightAnswer(_ question: Question) -> [String] {
        switch question.kind {
        case .singleChoice, .selectAll:
            return question.options.filter(\.isCorrect).map(\.text)
        case .ordering:
            return question.options.map(\.text)
        case .matching:
            return question.options.compactMap { option in
                guard let match = option.match, question.matchTargets.indices.contains(match) else { return nil }
                return "\(option.text) → \(question.matchTargets[match])"
            }
        case .shortAnswer:
            return question.acceptedAnswers.map(AnswerFeedback.shownAnswer)
        }
    }

    /// "12 answered" / "Nobody has answered yet".
    public static func answered(_ count: Int) -> String {
        count == 0 ? "Nobody has answered yet" : "\(count) answered"
    }

    /// "8 people here" / "Nobody has joined yet".
    public static func joined(_ count: Int) -> String {
        switch count {
        case 0: return "Nobody has joined yet"
        case 1: return "1 person here"
        default: return "\(count) people here"
        }
    }

    /// Why the distribution isn't shown.
    public static let hiddenNote = "Fewer than \(GroupSessions.smallestTally) answers, so the results stay hidden: nobody can work out who chose what."
}
