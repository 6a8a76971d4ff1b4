import Foundation

/// Finds answers that give themselves away by their shape: the right option's position or
/// length rank departing from chance (an exact binomial test, one module at a time and over
/// the whole course), cue words found only in wrong options (or only in right ones), a right
/// option that alone repeats a word of the prompt, and soft feedback on a critical choice.
enum AnswerShapeCheck {
    /// Two-sided significance level: a well-mixed course trips about one test in a hundred.
    static let alpha = 0.01
    /// Words that test-wise learners read as a sign of a wrong (or right) option.
    static let cueWords = ["always", "never", "only", "all", "none", "every", "must", "since", "because",
                           "just", "completely", "guaranteed"]
    /// A cue word is flagged when it appears in at least this many options, all on one side.
    static let cueMinimum = 3

    /// A single-choice question reduced to what the shape tests need.
    struct Choice {
        var question: Question
        /// The module file's path.
        var path: String
        /// The right option's index.
        var key: Int
        /// Each option's length in characters.
        var lengths: [Int]
        var count: Int { lengths.count }
    }

    /// The single-choice questions (and scenario steps) with one right option, in order.
    static func choices(in module: Module) -> [Choice] {
        var questions = module.questions
        for scenario in module.scenarios { questions += scenario.steps.compactMap(\.question) }
        questions.sort { $0.position < $1.position }
        return questions.compactMap { question in
            guard question.kind == .singleChoice, question.options.count >= 2 else { return nil }
            let right = question.options.indices.filter { question.options[$0].isCorrect }
            guard right.count == 1, let key = right.first else { return nil }
            return Choice(question: question, path: module.path, key: key, lengths: question.options.map { $0.text.count })
        }
    }

    // MARK: - Module and course

    static func run(_ module: Module, sink: inout DiagnosticSink) {
        let choices = choices(in: module)
        for finding in shapeFindings(choices) {
            sink.warning(finding.code, at: finding.position, finding.message + " in this module" + finding.detail, hint: finding.hint)
        }
        for finding in cueFindings(options(in: module)) {
            sink.warning("shape.cue-word", at: finding.position, finding.message + " in this module" + finding.detail, hint: finding.hint)
        }
        for choice in choices { echo(choice, sink: &sink) }
        softCriticalFeedback(module, sink: &sink)
    }

    /// The course-wide tests, reported at course.md: small biases in each module add up.
    /// Words already reported in a module are not reported again.
    static func runCourse(_ modules: [Module], flaggedWords: Set<String>, sink: inout DiagnosticSink) {
        let origin = SourcePosition(line: 1, column: 1)
        let all = modules.flatMap { Self.choices(in: $0) }
        for finding in shapeFindings(all) {
            sink.warning(finding.code, at: origin, finding.message + " over the whole course" + finding.detail(paths: true), hint: finding.hint)
        }
        for finding in cueFindings(modules.flatMap { options(in: $0) }) where !flaggedWords.contains(finding.word) {
            sink.warning("shape.cue-word", at: origin, finding.message + " over the whole course" + finding.detail(paths: true), hint: finding.hint)
        }
    }

    // MARK: - Position and length

    struct Finding {
        var code: String
        var word = ""
        var message: String
        var position: SourcePosition
        var hint: String
        var questions: [(Question, String)]

        var detail: String { detail(paths: false) }
        func detail(paths: Bool) -> String {
            guard !questions.isEmpty else { return "" }
            let shown = questions.prefix(8).map { question, path in
                paths ? "\(question.id) (\(path):\(question.position.line))" : "\(question.id) (line \(question.position.line))"
            }
            return ": " + shown.joined(separator: ", ") + (questions.count > 8 ? " and \(questions.count - 8) more" : "")
        }
    }

    /// The categories tested: each position, the last position, and three length ranks.
    static func shapeFindings(_ choices: [Choice]) -> [Finding] {
        guard choices.count >= 4 else { return [] }
        var findings: [Finding] = []
        let widest = choices.map(\.count).max() ?? 0
        func test(_ code: String, _ what: String, hint: String, member: (Choice, Int) -> Bool) {
            let probabilities = choices.map { choice in
                Double((0..<choice.count).filter { member(choice, $0) }.count) / Double(choice.count)
            }
            let hits = choices.filter { member($0, $0.key) }
            let observed = hits.count
            let expected = probabilities.reduce(0, +)
            guard expected > 0 else { return }
            let p = Binomial.twoSided(observed: observed, probabilities: probabilities)
            guard p < alpha else { return }
            let more = Double(observed) > expected
            let chance = (expected * 10).rounded() / 10
            let questions = more ? hits : choices.filter { !member($0, $0.key) }
            findings.append(Finding(
                code: code,
                message: "the right option is \(what) in \(observed) of \(choices.count) single-choice questions, where chance gives about \(chance.formatted()) (binomial p \(pValue(p)))",
                position: (questions.first ?? choices[0]).question.position,
                hint: hint,
                questions: more ? questions.map { ($0.question, $0.path) } : []
            ))
        }
        for index in 0..<widest {
            let letter = String(UnicodeScalar(UInt8(97 + min(index, 25))))
            test("shape.position", "option \(letter)",
                 hint: "move some right answers to other letters, so each letter is right about as often as chance") { choice, option in
                option == index && index < choice.count
            }
        }
        test("shape.position", "the last option",
             hint: "move some right answers up, so the last option is right about as often as chance") { choice, option in
            option == choice.count - 1
        }
        func rank(_ choice: Choice, _ option: Int) -> Int {
            choice.lengths.filter { $0 > choice.lengths[option] }.count
        }
        test("shape.length", "the longest",
             hint: "make wrong options as long and specific as the right one, and let the right one be short sometimes") { choice, option in
            rank(choice, option) == 0
        }
        test("shape.length", "the second longest",
             hint: "vary the right option's length: sometimes the longest, sometimes the shortest, like the wrong ones") { choice, option in
            rank(choice, option) == 1 && choice.count > 2
        }
        test("shape.length", "the shortest",
             hint: "vary the right option's length: sometimes the longest, sometimes the shortest, like the wrong ones") { choice, option in
            choice.lengths[option] == choice.lengths.min() && choice.count > 2
        }
        return findings
    }

    static func pValue(_ p: Double) -> String {
        if p < 0.0001 { return "< 0.0001" }
        return "= " + String(format: "%.4f", p)
    }

    // MARK: - Cue words

    struct OptionText {
        var question: Question
        var path: String
        var text: String
        var isRight: Bool
        var position: SourcePosition
        /// The option's words, worked out once.
        var words: Set<String>
    }

    static func options(in module: Module) -> [OptionText] {
        var questions = module.questions
        for scenario in module.scenarios { questions += scenario.steps.compactMap(\.question) }
        return questions.filter { $0.kind == .singleChoice || $0.kind == .selectAll }.flatMap { question in
            question.options.map { OptionText(question: question, path: module.path, text: $0.text, isRight: $0.isCorrect, position: $0.position,
                       words: Words.of($0.text)) }
        }
    }

    static func cueFindings(_ options: [OptionText]) -> [Finding] {
        var findings: [Finding] = []
        for word in cueWords {
            let having = options.filter { $0.words.contains(word) }
            guard having.count >= cueMinimum else { continue }
            let right = having.filter(\.isRight).count
            guard right == 0 || right == having.count else { continue }
            let side = right == 0 ? "wrong" : "right"
            findings.append(Finding(
                code: "shape.cue-word", word: word,
                message: "“\(word)” is in \(having.count) options and every one is \(side)",
                position: having[0].position,
                hint: right == 0
                    ? "learners learn that “\(word)” marks a wrong answer: use it in a right option too, or reword the wrong ones"
                    : "learners learn that “\(word)” marks the right answer: use it in a wrong option too, or reword the right ones",
                questions: having.map { ($0.question, $0.path) }.reduce(into: []) { list, item in
                    if !list.contains(where: { $0.0.id == item.0.id }) { list.append(item) }
                }
            ))
        }
        return findings
    }

    // MARK: - Prompt words

    /// A right option that alone repeats a word of the prompt: "pick the one that echoes the question".
    static func echo(_ choice: Choice, sink: inout DiagnosticSink) {
        let question = choice.question
        let prompt = Words.content(question.title + " " + question.prompt.map(\.text).joined(separator: " "))
        guard !prompt.isEmpty else { return }
        let key = Words.content(question.options[choice.key].text)
        var others: Set<String> = []
        for (index, option) in question.options.enumerated() where index != choice.key {
            others.formUnion(Words.content(option.text))
        }
        let echoed = key.intersection(prompt).subtracting(others).sorted()
        guard let word = echoed.first else { return }
        sink.warning("shape.prompt-echo", at: question.options[choice.key].position,
                     "only the right option repeats “\(word)” from the prompt of \(question.id)",
                     hint: "use “\(word)” in a wrong option too, or say it another way in the right one")
    }

    // MARK: - Critical feedback

    static let softOpenings = ["not quite", "close", "almost", "nearly", "good try", "so close"]

    /// Feedback on a critical wrong option must say plainly that it could cost a life.
    static func softCriticalFeedback(_ module: Module, sink: inout DiagnosticSink) {
        var questions = module.questions
        for scenario in module.scenarios { questions += scenario.steps.compactMap(\.question) }
        for question in questions {
            for option in question.options where option.isCritical && !option.isCorrect {
                let feedback = option.feedback.map(\.text).joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines)
                let lower = feedback.lowercased()
                let soft = softOpenings.first { opening in
                    guard lower.hasPrefix(opening) else { return false }
                    let after = lower.dropFirst(opening.count).first
                    return after.map { !$0.isLetter } ?? true
                }
                if let soft {
                    sink.warning("critical.soft-feedback", at: option.position,
                                 "the feedback on this critical choice opens “\(feedback.prefix(soft.count))”, too soft for a choice that could cost a life",
                                 hint: "say plainly that it could cost a life or cause serious harm, then why, then what to do instead")
                }
            }
        }
    }
}

/// Word lists for the shape checks: lower-case letters and digits, apostrophes kept.
enum Words {
    static func of(_ text: String) -> Set<String> {
        var words: Set<String> = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || character == "'" || character == "’" {
                current.append(character == "’" ? "'" : character)
            } else if !current.isEmpty {
                words.insert(current)
                current = ""
            }
        }
        if !current.isEmpty { words.insert(current) }
        return words
    }

    /// Words that carry meaning (five letters or more, not common function words), with a
    /// plural or possessive "s" dropped so "breath" and "breaths" match.
    static func content(_ text: String) -> Set<String> {
        Set(of(text).compactMap { word -> String? in
            var word = word
            if word.hasSuffix("'s") { word.removeLast(2) }
            guard word.count >= 5, !stopwords.contains(word) else { return nil }
            if word.hasSuffix("s"), !word.hasSuffix("ss"), word.count > 4 { word.removeLast() }
            return word
        })
    }

    static let stopwords: Set<String> = [
        "about", "above", "after", "again", "also", "always", "another", "anyone", "anything", "back", "because", "been",
        "before", "being", "best", "both", "came", "come", "comes", "could", "does", "doing", "done", "down", "each",
        "even", "every", "first", "from", "gets", "give", "gives", "goes", "going", "good", "have", "having", "here",
        "into", "just", "know", "like", "look", "make", "makes", "many", "might", "more", "most", "much", "must",
        "need", "needs", "never", "next", "none", "once", "only", "other", "over", "part", "right", "said", "same",
        "says", "should", "since", "some", "someone", "something", "still", "such", "sure", "take", "takes", "tell",
        "than", "that", "their", "them", "then", "there", "these", "they", "thing", "things", "think", "this", "those",
        "through", "time", "told", "very", "want", "wants", "well", "were", "what", "when", "where", "which", "while",
        "will", "with", "without", "would", "your", "yours", "you're", "they're", "it's", "don't", "doesn't", "isn't",
        "can't", "won't", "didn't", "best", "most", "least", "which", "person", "people", "should", "true", "false",
        "answer", "option", "options", "choose", "pick", "select", "apply", "following", "statement", "describe",
        "describes", "example", "mean", "means", "word", "words", "ask", "asks", "said", "say", "here's", "let's",
        "she's", "he's", "what's", "that's", "there's", "yourself", "them", "himself", "herself",
    ]
}

/// Exact tail probabilities of a sum of independent yes/no trials with their own chances
/// (a Poisson binomial; the plain binomial when every chance is the same).
enum Binomial {
    /// The distribution of the number of successes, by dynamic programming.
    static func distribution(_ probabilities: [Double]) -> [Double] {
        var table = [1.0]
        for p in probabilities {
            var next = [Double](repeating: 0, count: table.count + 1)
            for (k, mass) in table.enumerated() {
                next[k] += mass * (1 - p)
                next[k + 1] += mass * p
            }
            table = next
        }
        return table
    }

    /// Above this many trials the exact table (quadratic in the trials) gives way to the
    /// normal approximation, which is as good as exact at that size.
    static let exactLimit = 2_000

    /// Two-sided p-value: twice the smaller tail at `observed`, at most 1.
    static func twoSided(observed: Int, probabilities: [Double]) -> Double {
        guard probabilities.count <= exactLimit else {
            let mean = probabilities.reduce(0, +)
            let variance = probabilities.reduce(0) { $0 + $1 * (1 - $1) }
            guard variance > 0 else { return Double(observed) == mean ? 1 : 0 }
            // Continuity-corrected tails.
            let sd = variance.squareRoot()
            let lower = 0.5 * erfc(-((Double(observed) + 0.5 - mean) / sd) / 2.0.squareRoot())
            let upper = 0.5 * erfc(((Double(observed) - 0.5 - mean) / sd) / 2.0.squareRoot())
            return min(1, 2 * min(lower, upper))
        }
        let table = distribution(probabilities)
        guard observed >= 0, observed < table.count else { return 1 }
        let lower = table[0...observed].reduce(0, +)
        let upper = table[observed...].reduce(0, +)
        return min(1, 2 * min(lower, upper))
    }
}

extension Element {
    /// The element's plain text (a callout's without its marker).
    var text: String {
        switch self {
        case let .text(content), let .callout(_, content): return content.plainText
        }
    }
}
