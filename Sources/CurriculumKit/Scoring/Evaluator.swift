import Foundation

/// Why a response was judged critical.
public struct CriticalReason: Sendable, Equatable, Codable {
    /// Which way the critical rule was broken.
    public enum Kind: String, Sendable, Codable {
        /// A `( !)`/`[ !]` option was chosen.
        case choseMustNever = "chose-must-never"
        /// A `(x!)`/`[x!]` option was not chosen.
        case missedMustChoose = "missed-must-choose"
    }

    /// The question.
    public var questionID: String
    /// The option's letter.
    public var letter: String
    /// The option's text.
    public var text: String
    /// Which rule.
    public var kind: Kind
    /// The option's feedback: why it matters, in the course's words.
    public var feedback: [Element]

    /// One sentence for the learner, naming the choice.
    public var summary: String {
        switch kind {
        case .choseMustNever: return "You chose “\(text)”. This choice could put someone at serious risk."
        case .missedMustChoose: return "You left out “\(text)”. It matters too much to miss."
        }
    }
}

/// Feedback for one option the learner chose (or should have).
public struct OptionFeedback: Sendable, Equatable, Codable {
    /// The option's letter.
    public var letter: String
    /// The option's text.
    public var text: String
    /// Whether the option is right (or fully weighted).
    public var isCorrect: Bool
    /// The option's own feedback.
    public var feedback: [Element]
}

/// The evaluator's structured feedback; runners render it, the course supplies the words.
public struct Feedback: Sendable, Equatable, Codable {
    /// The learner's choices with their feedback, in option order.
    public var chosen: [OptionFeedback]
    /// Right answers the learner missed (empty when fully right).
    public var missed: [OptionFeedback]
    /// Ordering: the right order; matching: the right pairs as "left → right"; short answer: accepted answers.
    public var rightAnswer: [String]
    /// The question's explanation.
    public var explanation: [Element]
}

/// The outcome of evaluating one response.
public struct Evaluation: Sendable, Equatable, Codable {
    /// The question's id.
    public var questionID: String
    /// The exact score.
    public var score: Score
    /// Whether a critical rule was broken (the attempt is then not yet passed).
    public var isCritical: Bool {
        !criticalReasons.isEmpty
    }
    /// Which critical rules were broken.
    public var criticalReasons: [CriticalReason]
    /// Feedback for the learner.
    public var feedback: Feedback
}

/// Scores responses. A pure, deterministic function of a question and a response.
public enum Evaluator {
    /// Why a response doesn't fit its question, or `nil` when it does.
    public static func validate(_ response: Response, for question: Question) -> InputProblem? {
        let count = question.options.count
        var known: String { question.options.map(\.letter).joined(separator: ", ") }
        func index(_ letter: String) -> Int? { optionIndex(letter, count: count) }
        switch (question.kind, response) {
        case let (.singleChoice, .choice(letter)):
            if index(letter) == nil { return InputProblem("there is no option '\(letter)'", hint: "choose one of \(known)") }
        case let (.selectAll, .selection(letters)):
            var seen = SeenLetters()
            for letter in letters {
                if index(letter) == nil { return InputProblem("there is no option '\(letter)'", hint: "choose from \(known)") }
                if !seen.insert(letter).inserted { return InputProblem("option '\(letter)' is given twice", hint: "give each letter once") }
            }
        case let (.ordering, .order(letters)):
            var seen = SeenLetters()
            for letter in letters {
                if index(letter) == nil { return InputProblem("there is no item '\(letter)'", hint: "use the letters \(known)") }
                if !seen.insert(letter).inserted { return InputProblem("item '\(letter)' is given twice", hint: "give each letter once") }
            }
            if letters.count != count {
                let missing = question.options.map(\.letter).filter { !seen.contains($0) }
                return InputProblem("the order leaves out \(missing.joined(separator: ", "))",
                                    hint: "put all \(count) items in order, for example `\(question.options.map(\.letter).joined(separator: " "))`")
            }
        case let (.matching, .matches(pairs)):
            // In letter order, so the same response always gets the same message.
            for (letter, number) in pairs.sorted(by: { $0.key < $1.key }) {
                if index(letter) == nil { return InputProblem("there is no item '\(letter)'", hint: "use the letters \(known)") }
                if number < 1 || number > question.matchTargets.count {
                    return InputProblem("there is no right side \(number)", hint: "use a number from 1 to \(question.matchTargets.count)")
                }
            }
            let missing = question.options.map(\.letter).filter { pairs[$0] == nil }
            if !missing.isEmpty {
                return InputProblem("\(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not matched",
                                    hint: "match every item, for example `a=1 b=2`")
            }
        case (.shortAnswer, .text):
            break
        default:
            return InputProblem("this answer is not the kind the question asks for (\(question.kind.rawValue))",
                                hint: hint(for: question.kind))
        }
        return nil
    }

    /// The indices of the options a response chose: bits for the first 64, a set beyond.
    private struct ChosenOptions {
        private var low: UInt64 = 0
        private var high: Set<Int> = []

        subscript(index: Int) -> Bool {
            get { index < 64 ? low & (1 << UInt64(index)) != 0 : high.contains(index) }
            set {
                if index < 64 {
                    low = newValue ? low | (1 << UInt64(index)) : low & ~(1 << UInt64(index))
                } else if newValue {
                    high.insert(index)
                } else {
                    high.remove(index)
                }
            }
        }
    }

    /// A set of option letters: one bit for each of `a`…`z`, a set for the rest (`o27`…).
    private struct SeenLetters {
        private var single: UInt32 = 0
        private var other: Set<String> = []

        mutating func insert(_ letter: String) -> (inserted: Bool, memberAfterInsert: String) {
            guard let bit = Self.bit(letter) else { return other.insert(letter) }
            defer { single |= bit }
            return (single & bit == 0, letter)
        }

        func contains(_ letter: String) -> Bool {
            guard let bit = Self.bit(letter) else { return other.contains(letter) }
            return single & bit != 0
        }

        private static func bit(_ letter: String) -> UInt32? {
            let utf8 = letter.utf8
            guard utf8.count == 1, let byte = utf8.first, byte >= 97, byte <= 122 else { return nil }
            return 1 << UInt32(byte - 97)
        }
    }

    /// How to write a response to a kind of question.
    public static func hint(for kind: Question.Kind) -> String {
        switch kind {
        case .singleChoice: return "answer with one letter, like `b`"
        case .selectAll: return "answer with every letter that applies, like `a, c`"
        case .ordering: return "answer with the letters in order, like `c a b`"
        case .matching: return "answer with pairs, like `a=2 b=1`"
        case .shortAnswer: return "type your answer"
        }
    }

    /// Evaluates a response: score, critical verdict and feedback; an error when the
    /// response doesn't fit the question.
    public static func evaluate(_ response: Response, for question: Question) -> Result<Evaluation, InputProblem> {
        if let problem = validate(response, for: question) { return .failure(problem) }
        let options = question.options
        let (score, chosen) = mark(response, for: question)
        var rightAnswer: [String] = []
        var missed: [OptionFeedback] = []

        switch response {
        case let .choice(letter):
            guard let i = optionIndex(letter, count: options.count) else { break }
            if !options[i].isCorrect, let right = options.first(where: \.isCorrect) {
                missed.append(feedback(right))
            }
        case .selection:
            for (i, option) in options.enumerated() where option.isCorrect && !chosen[i] {
                missed.append(feedback(option))
            }
        case .order:
            if score != .full { rightAnswer = options.map(\.text) }
        case let .matches(pairs):
            for option in options {
                if let number = pairs[option.letter], number - 1 == option.match { continue }
                let target = option.match.map { question.matchTargets[$0] } ?? ""
                rightAnswer.append("\(option.text) → \(target)")
            }
        case .text:
            if score != .full { rightAnswer = question.acceptedAnswers }
        }

        let reasons = criticalRules(question, chosen: chosen).map { i, kind in
            CriticalReason(questionID: question.id, letter: options[i].letter, text: options[i].text,
                           kind: kind, feedback: options[i].feedback)
        }
        var chosenFeedback: [OptionFeedback] = []
        for (i, option) in options.enumerated() where chosen[i] {
            chosenFeedback.append(feedback(option))
        }
        return .success(Evaluation(
            questionID: question.id, score: score, criticalReasons: reasons,
            feedback: Feedback(chosen: chosenFeedback, missed: missed, rightAnswer: rightAnswer, explanation: question.explanation)
        ))
    }

    /// The score and the letters of the broken critical rules, without the learner's
    /// feedback: what an answer-key check compares. Same scoring as ``evaluate(_:for:)``.
    static func verdict(_ response: Response, for question: Question) -> Result<(score: Score, critical: [String]), InputProblem> {
        if let problem = validate(response, for: question) { return .failure(problem) }
        let (score, chosen) = mark(response, for: question)
        return .success((score, criticalRules(question, chosen: chosen).map { question.options[$0.0].letter }))
    }

    /// The exact score of a valid response, and which options it chose.
    private static func mark(_ response: Response, for question: Question) -> (score: Score, chosen: ChosenOptions) {
        let options = question.options
        var chosen = ChosenOptions()
        switch response {
        case let .choice(letter):
            guard let i = optionIndex(letter, count: options.count) else { return (.zero, chosen) }
            chosen[i] = true
            return (Score(percent: options[i].weight), chosen)
        case let .selection(letters):
            var rightChosen = 0, wrongChosen = 0
            for letter in letters {
                guard let i = optionIndex(letter, count: options.count) else { continue }
                chosen[i] = true
                if options[i].isCorrect { rightChosen += 1 } else { wrongChosen += 1 }
            }
            let right = options.reduce(0) { $0 + ($1.isCorrect ? 1 : 0) }
            return (Score(max(0, rightChosen - wrongChosen), over: max(right, 1)), chosen)
        case let .order(letters):
            var place = Array(repeating: 0, count: options.count)
            for (position, letter) in letters.enumerated() {
                if let i = optionIndex(letter, count: options.count) { place[i] = position }
            }
            let n = options.count
            let pairs = n * (n - 1) / 2
            var inOrder = 0
            for i in 0..<n {
                for j in (i + 1)..<max(n, i + 1) where place[i] < place[j] { inOrder += 1 }
            }
            return (pairs == 0 ? .full : Score(inOrder, over: pairs), chosen)
        case let .matches(pairs):
            var right = 0
            for option in options {
                if let number = pairs[option.letter], number - 1 == option.match { right += 1 }
            }
            return (options.isEmpty ? .full : Score(right, over: options.count), chosen)
        case let .text(text):
            let typed = normalize(text)
            let matched = !typed.isEmpty && question.acceptedAnswers.contains { accepted in
                ShortAnswerPattern.isPattern(accepted) ? ShortAnswerPattern.matches(text, pattern: accepted) : normalize(accepted) == typed
            }
            return (matched ? .full : .zero, chosen)
        }
    }

    /// The critical rules a choice breaks: a must-choose option missed or a must-never
    /// option chosen (single choice and select-all only), in option order.
    private static func criticalRules(_ question: Question, chosen: ChosenOptions) -> [(Int, CriticalReason.Kind)] {
        guard question.kind == .singleChoice || question.kind == .selectAll else { return [] }
        var rules: [(Int, CriticalReason.Kind)] = []
        for (i, option) in question.options.enumerated() where option.isCritical {
            if option.isCorrect && !chosen[i] {
                rules.append((i, .missedMustChoose))
            } else if !option.isCorrect && chosen[i] {
                rules.append((i, .choseMustNever))
            }
        }
        return rules
    }

    private static func feedback(_ option: Option) -> OptionFeedback {
        OptionFeedback(letter: option.letter, text: option.text, isCorrect: option.isCorrect, feedback: option.feedback)
    }

    /// `a` → 0, `b` → 1 … for letters within `count`.
    static func optionIndex(_ letter: String, count: Int) -> Int? {
        let utf8 = letter.utf8
        guard utf8.count == 1, let byte = utf8.first else {
            // Options past z are lettered o27, o28…
            if letter.hasPrefix("o"), let n = Int(letter.dropFirst()), n > 26, n <= count { return n - 1 }
            return nil
        }
        let i = Int(byte) - 97
        return i >= 0 && i < min(count, 26) ? i : nil
    }

    /// Short-answer normalisation: trimmed, whitespace collapsed, case and accents folded.
    public static func normalize(_ text: String) -> String {
        var ascii = true
        for byte in text.utf8 where byte >= 0x80 { ascii = false; break }
        if ascii {
            var out: [UInt8] = []
            out.reserveCapacity(text.utf8.count)
            var pendingSpace = false
            for var byte in text.utf8 {
                if byte == 32 || byte == 9 || byte == 10 || byte == 13 {
                    pendingSpace = !out.isEmpty
                    continue
                }
                if pendingSpace { out.append(32); pendingSpace = false }
                if byte >= 65 && byte <= 90 { byte += 32 }
                out.append(byte)
            }
            return String(decoding: out, as: UTF8.self)
        }
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        return folded.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

/// An accepted short answer written with `...`: the words around the dots must appear, in that
/// order, as whole words, and `...` stands for any other words (or none). `= ... naloxone ...`
/// accepts "Naloxone (Narcan)" and "naloxone kits"; `= naloxone ...` only answers that start
/// with it. Capitals, accents and punctuation between words don't count in these patterns.
public enum ShortAnswerPattern {
    /// Whether an accepted answer is a pattern (it contains `...`).
    public static func isPattern(_ accepted: String) -> Bool {
        accepted.contains("...")
    }

    /// The pattern's runs of words, and whether it is open at the start and at the end.
    static func parts(_ pattern: String) -> (runs: [[String]], openStart: Bool, openEnd: Bool) {
        let pieces = pattern.components(separatedBy: "...")
        let runs = pieces.map(words).filter { !$0.isEmpty }
        let openStart = words(pieces.first ?? "").isEmpty
        let openEnd = words(pieces.last ?? "").isEmpty
        return (runs, openStart, openEnd)
    }

    /// Whether the pattern has no words at all (it would accept anything).
    public static func acceptsAnything(_ pattern: String) -> Bool {
        parts(pattern).runs.isEmpty
    }

    /// Whether `typed` fits the pattern.
    public static func matches(_ typed: String, pattern: String) -> Bool {
        var (runs, openStart, openEnd) = parts(pattern)
        let words = words(typed)
        guard !runs.isEmpty, !words.isEmpty else { return false }
        var start = 0
        var end = words.count
        if !openStart {
            // The answer must begin with the first run.
            let first = runs.removeFirst()
            guard words.starts(with: first) else { return false }
            start = first.count
            if runs.isEmpty { return openEnd || start == end }
        }
        if !openEnd, let last = runs.last {
            // …and end with the last one, after what came before.
            guard end - last.count >= start, Array(words[(end - last.count)...]) == last else { return false }
            end -= last.count
            runs.removeLast()
        }
        // The runs between, in order, each as early as it fits.
        for run in runs {
            guard let found = firstIndex(of: run, in: words, from: start, before: end) else { return false }
            start = found + run.count
        }
        return true
    }

    private static func firstIndex(of run: [String], in words: [String], from start: Int, before end: Int) -> Int? {
        guard end - start >= run.count else { return nil }
        for index in start...(end - run.count) where Array(words[index..<(index + run.count)]) == run {
            return index
        }
        return nil
    }

    /// Lower-case words without accents: letters and digits, everything else a separator.
    static func words(_ text: String) -> [String] {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
            .split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}
