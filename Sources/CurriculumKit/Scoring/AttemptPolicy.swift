/// A small, fast, seedable random number generator (SplitMix64), so an attempt's draw
/// and shuffle can be rebuilt exactly from its stored seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// What one attempt shows: which questions, in which order, with options in which order.
public struct AttemptPlan: Sendable, Equatable, Codable {
    /// One question as shown.
    public struct ShownQuestion: Sendable, Equatable, Codable {
        /// The question's id.
        public var questionID: String
        /// Option letters in the order shown (ordering: the scrambled items).
        public var optionOrder: [String]
        /// Matching: right-side numbers (1-based) in the order shown.
        public var targetOrder: [Int]

        /// Creates a shown question.
        public init(questionID: String, optionOrder: [String], targetOrder: [Int]) {
            self.questionID = questionID
            self.optionOrder = optionOrder
            self.targetOrder = targetOrder
        }
    }

    /// The seed everything was drawn from.
    public var seed: UInt64
    /// The module's content hash when the plan was made.
    public var moduleHash: String
    /// Questions drawn, in module order.
    public var questions: [ShownQuestion]
    /// Scenario ids included (every scenario of the module).
    public var scenarios: [String]
}

/// Whether a module attempt passed, and why not when it didn't.
public struct ModuleOutcome: Sendable, Equatable, Codable {
    /// Mean of the item scores (questions and scenarios).
    public var score: Score
    /// The pass mark in percent.
    public var passMark: Int
    /// Passed: score at or above the mark and no critical choice.
    public var passed: Bool
    /// Critical choices made, with the course's feedback.
    public var criticalReasons: [CriticalReason]
    /// Plain reasons, for "not yet passed".
    public var reasons: [String]
    /// Ids of the sections to review, in module order: for each question not fully right, the
    /// lesson that teaches it (``Module/lessonSection(teaching:)``); for a scenario, its section.
    public var sectionsToReview: [String]

    /// "passed" or "not yet passed".
    public var verdict: String { passed ? "passed" : "not yet passed" }

    /// Creates an outcome.
    public init(score: Score, passMark: Int, passed: Bool, criticalReasons: [CriticalReason],
                reasons: [String], sectionsToReview: [String]) {
        self.score = score
        self.passMark = passMark
        self.passed = passed
        self.criticalReasons = criticalReasons
        self.reasons = reasons
        self.sectionsToReview = sectionsToReview
    }
}

/// The attempt policy: drawing a pool, shuffling from a stored seed, the attempts limit
/// and the pass mark.
public enum AttemptPolicy {
    /// Plans an attempt at a module from a seed. The same module and seed always give the same plan.
    public static func plan(for module: Module, seed: UInt64) -> AttemptPlan {
        var rng = SeededGenerator(seed: seed)
        var questions = module.questions
        if let pool = module.pool, pool < questions.count {
            let drawn = draw(pool, from: questions.count, using: &rng).sorted()
            questions = drawn.map { questions[$0] }
        }
        let shown = questions.map { shownOrder(of: $0, shuffleChoices: module.shuffle, using: &rng) }
        return AttemptPlan(seed: seed, moduleHash: module.hash, questions: shown, scenarios: module.scenarios.map(\.id))
    }

    /// `count` distinct indices from `0..<total`, without replacement (partial Fisher–Yates).
    /// The order one question is shown in: ordering items always scrambled (never already
    /// solved), matching targets always shuffled, choices shuffled when `shuffleChoices`.
    public static func shownOrder<G: RandomNumberGenerator>(of question: Question, shuffleChoices: Bool,
                                                            using rng: inout G) -> AttemptPlan.ShownQuestion {
        let letters = question.options.map(\.letter)
        var order = letters
        var targets = Array(1...max(1, question.matchTargets.count))
        if question.matchTargets.isEmpty { targets = [] }
        switch question.kind {
        case .ordering:
            order.shuffle(using: &rng)
            if order == letters && letters.count > 1 {
                // Never show an ordering already solved: rotate by one.
                order = Array(order.dropFirst()) + [order[0]]
            }
        case .matching:
            targets.shuffle(using: &rng)
        case .singleChoice, .selectAll:
            if shuffleChoices { order.shuffle(using: &rng) }
        case .shortAnswer:
            break
        }
        return AttemptPlan.ShownQuestion(questionID: question.id, optionOrder: order, targetOrder: targets)
    }

    public static func draw<G: RandomNumberGenerator>(_ count: Int, from total: Int, using rng: inout G) -> [Int] {
        var indices = Array(0..<total)
        let n = min(count, total)
        for i in 0..<n {
            let j = Int.random(in: i..<total, using: &rng)
            indices.swapAt(i, j)
        }
        return Array(indices[..<n])
    }

    /// Whether another attempt may start after `previous` attempts.
    public static func mayStartAttempt(_ module: Module, previous: Int) -> Bool {
        guard let limit = module.attempts else { return true }
        return previous < limit
    }

    /// Attempts left, or `nil` when unlimited.
    public static func attemptsLeft(_ module: Module, previous: Int) -> Int? {
        module.attempts.map { max(0, $0 - previous) }
    }

    /// Judges a finished attempt from its question evaluations and scenario results.
    public static func outcome(for module: Module, evaluations: [Evaluation], scenarios: [ScenarioResult] = []) -> ModuleOutcome {
        let scores = evaluations.map(\.score) + scenarios.map(\.score)
        let mean = Score.mean(scores)
        let critical = evaluations.flatMap(\.criticalReasons) + scenarios.flatMap { $0.steps.flatMap(\.criticalReasons) }
        let meetsMark = mean >= Score(percent: module.pass)
        var reasons: [String] = []
        if !meetsMark {
            // A score that rounds up to the mark is still under it: say so rather than show the mark.
            let shown = mean.percent >= module.pass ? "just under \(module.pass)%" : "\(mean.percent)%"
            reasons.append("Your score was \(shown); this module asks for \(module.pass)%.")
        }
        for reason in critical { reasons.append(reason.summary) }
        // Point at the lessons that teach what was missed, not at the quiz sections.
        var reviewIndices = Set<Int>()
        let weak = Set(evaluations.filter { $0.score != .full || $0.isCritical }.map(\.questionID))
        for (index, section) in module.sections.enumerated() {
            for question in section.questions where weak.contains(question.id) {
                reviewIndices.insert(module.lessonSection(teaching: question) ?? index)
            }
        }
        for (section, result) in zip(module.sections.filter { $0.scenario != nil }, scenarios) where result.score != .full || result.isCritical {
            if let index = module.sections.firstIndex(where: { $0.id == section.id }) { reviewIndices.insert(index) }
        }
        let review = reviewIndices.sorted().map { module.sections[$0].id }
        return ModuleOutcome(score: mean, passMark: module.pass, passed: meetsMark && critical.isEmpty,
                             criticalReasons: critical, reasons: reasons, sectionsToReview: review)
    }
}
