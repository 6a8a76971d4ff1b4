import CurriculumKit

/// A question as one attempt shows it: options in the attempt's shuffled order, lettered
/// a, b, c… as shown, and matching targets numbered 1, 2, 3… as shown.
///
/// Learners answer in the letters they see; ``response(from:)`` turns that into the
/// module's own letters, which is what the evaluator scores and the records keep.
public struct PresentedQuestion: Sendable {
    /// The question as written in the module.
    public let question: Question
    /// The question relabelled in the order shown: render this one.
    public let shown: Question
    private let toModuleLetter: [String: String]
    private let toShownLetter: [String: String]
    private let toModuleTarget: [Int: Int]

    /// Presents `question` in the order `plan` gives; in written order when `plan` is nil.
    public init(_ question: Question, plan: AttemptPlan.ShownQuestion?) {
        self.question = question
        let written = question.options.map(\.letter)
        var order = plan?.optionOrder ?? written
        if Set(order) != Set(written) || order.count != written.count { order = written }
        var targets = plan?.targetOrder ?? Array(1...max(1, question.matchTargets.count))
        if question.matchTargets.isEmpty || Set(targets) != Set(1...question.matchTargets.count) {
            targets = question.matchTargets.isEmpty ? [] : Array(1...question.matchTargets.count)
        }
        var shownTargetOf: [Int: Int] = [:]  // module target number → shown number
        var moduleTargetOf: [Int: Int] = [:]
        for (index, moduleNumber) in targets.enumerated() {
            shownTargetOf[moduleNumber] = index + 1
            moduleTargetOf[index + 1] = moduleNumber
        }
        var toModule: [String: String] = [:]
        var toShown: [String: String] = [:]
        var options: [Option] = []
        for (index, letter) in order.enumerated() {
            guard var option = question.option(letter) else { continue }
            let shownLetter = PresentedQuestion.letter(index)
            toModule[shownLetter] = letter
            toShown[letter] = shownLetter
            option.letter = shownLetter
            // `match` is 0-based into matchTargets; renumber it to the shown order.
            if let match = option.match, let shownNumber = shownTargetOf[match + 1] { option.match = shownNumber - 1 }
            options.append(option)
        }
        var shown = question
        shown.options = options
        shown.matchTargets = targets.compactMap { number in
            question.matchTargets.indices.contains(number - 1) ? question.matchTargets[number - 1] : nil
        }
        self.shown = shown
        toModuleLetter = toModule
        toShownLetter = toShown
        toModuleTarget = moduleTargetOf
    }

    /// Reads what the learner typed, in the shown letters (`b`, `a, c`, `c a b`, `a=2 b=1`,
    /// or text), and returns the response in the module's letters, or what's wrong with it.
    public func response(from typed: String) -> Result<Response, InputProblem> {
        Response.parse(Self.spacedLetters(typed, for: shown), for: shown).map(toModule)
    }

    /// `bca` read as `b c a` for ordering and select-all, when every character is one of the
    /// question's one-letter options: people type it that way, and it can mean nothing else.
    static func spacedLetters(_ typed: String, for question: Question) -> String {
        guard question.kind == .ordering || question.kind == .selectAll else { return typed }
        let text = typed.trimmingCharacters(in: .whitespaces).lowercased()
        let letters = Set(question.options.map(\.letter))
        guard text.count > 1, letters.allSatisfy({ $0.count == 1 }),
              text.allSatisfy({ letters.contains(String($0)) }) else { return typed }
        return text.map(String.init).joined(separator: " ")
    }

    /// A response given in shown letters, in the module's letters.
    public func toModule(_ response: Response) -> Response {
        switch response {
        case let .choice(letter): return .choice(toModuleLetter[letter] ?? letter)
        case let .selection(letters): return .selection(letters.map { toModuleLetter[$0] ?? $0 })
        case let .order(letters): return .order(letters.map { toModuleLetter[$0] ?? $0 })
        case let .matches(pairs):
            var out: [String: Int] = [:]
            for (letter, number) in pairs { out[toModuleLetter[letter] ?? letter] = toModuleTarget[number] ?? number }
            return .matches(out)
        case .text: return response
        }
    }

    /// The letter shown for a module letter.
    /// A response in the module's letters as the learner sees it, in the shown letters.
    public func toShown(_ response: Response) -> Response {
        switch response {
        case let .choice(letter): return .choice(shownLetter(letter))
        case let .selection(letters): return .selection(letters.map(shownLetter))
        case let .order(letters): return .order(letters.map(shownLetter))
        case let .matches(pairs):
            var shownTarget: [Int: Int] = [:]
            for (shown, module) in toModuleTarget { shownTarget[module] = shown }
            var out: [String: Int] = [:]
            for (letter, number) in pairs { out[shownLetter(letter)] = shownTarget[number] ?? number }
            return .matches(out)
        case .text: return response
        }
    }

    public func shownLetter(_ moduleLetter: String) -> String {
        toShownLetter[moduleLetter] ?? moduleLetter
    }

    /// `0` → a, `1` → b …, past z `o27`, `o28` … as the compiler letters options.
    static func letter(_ index: Int) -> String {
        index < 26 ? String(UnicodeScalar(UInt8(97 + index))) : "o\(index + 1)"
    }
}
