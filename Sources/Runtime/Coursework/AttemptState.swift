import CurriculumKit

/// Where a learner is in an open attempt: what the attempt shows, what is answered, and
/// what comes next. Every runner (terminal, web) reads this; none works it out itself.
public struct AttemptState: Sendable {
    /// One thing to answer, in the order the module presents them.
    public enum Item: Sendable, Equatable {
        /// A question drawn for this attempt, in the section at `section` (index into the module's sections).
        case question(id: String, section: Int)
        /// A branching scenario in the section at `section`.
        case scenario(id: String, section: Int)

        /// The index of the section it sits in.
        public var section: Int {
            switch self {
            case let .question(_, section), let .scenario(_, section): return section
            }
        }

        /// The id the records file answers under.
        public var id: String {
            switch self {
            case let .question(id, _), let .scenario(id, _): return id
            }
        }
    }

    /// What to answer now.
    public enum Next: Sendable {
        /// A question, as shown in this attempt.
        case question(PresentedQuestion, item: Item)
        /// A step of a scenario, with the narrative to show before its question.
        case scenarioStep(Scenario, step: Scenario.Step, question: PresentedQuestion, item: Item)

        /// The item it belongs to.
        public var item: Item {
            switch self {
            case let .question(_, item), let .scenarioStep(_, _, _, item): return item
            }
        }

        /// The question to show.
        public var presented: PresentedQuestion {
            switch self {
            case let .question(question, _), let .scenarioStep(_, _, question, _): return question
            }
        }
    }

    /// The module, as compiled now (its hash equals the attempt's).
    public let module: Module
    /// The attempt.
    public let attempt: AttemptRecord
    /// What the attempt shows, rebuilt from its seed.
    public let plan: AttemptPlan
    /// Everything to answer, in order.
    public let items: [Item]
    /// Answers so far, in the order given.
    public let responses: [ResponseRecord]
    /// True when an earlier open attempt was closed because the module's content changed.
    public var restartedAfterContentChange = false

    init(module: Module, attempt: AttemptRecord, responses: [ResponseRecord]) {
        self.module = module
        self.attempt = attempt
        self.responses = responses
        let plan = AttemptPolicy.plan(for: module, seed: attempt.seed)
        self.plan = plan
        let drawn = Set(plan.questions.map(\.questionID))
        var items: [Item] = []
        for (index, section) in module.sections.enumerated() {
            for question in section.questions where drawn.contains(question.id) {
                items.append(.question(id: question.id, section: index))
            }
            if let scenario = section.scenario, !scenario.steps.isEmpty {
                items.append(.scenario(id: scenario.id, section: index))
            }
        }
        self.items = items
    }

    /// The answers given in a scenario so far, as a path.
    public func path(in scenarioID: String) -> [ScenarioChoice] {
        responses.filter { $0.itemID == scenarioID && $0.step != nil }
            .map { ScenarioChoice(step: $0.step ?? "", response: $0.response) }
    }

    /// Whether every item is answered (each question once, each scenario to an ending).
    public var isComplete: Bool { next == nil }

    /// How many items are done, for "3 of 10".
    public var itemsDone: Int { items.filter(isDone).count }

    /// Whether an item is done.
    public func isDone(_ item: Item) -> Bool {
        switch item {
        case let .question(id, _):
            return responses.contains { $0.itemID == id }
        case let .scenario(id, _):
            guard let scenario = module.scenarios.first(where: { $0.id == id }) else { return true }
            guard case let .success(result) = Evaluator.evaluate(path: path(in: id), in: scenario) else { return false }
            return result.isComplete
        }
    }

    /// What to answer now, or nil when everything is answered.
    public var next: Next? {
        for item in items where !isDone(item) {
            switch item {
            case let .question(id, _):
                guard let question = module.question(id: id) else { continue }
                let shown = plan.questions.first { $0.questionID == id }
                return .question(PresentedQuestion(question, plan: shown), item: item)
            case let .scenario(id, _):
                guard let scenario = module.scenarios.first(where: { $0.id == id }) else { continue }
                var slug = scenario.steps.first?.slug
                if case let .success(result) = Evaluator.evaluate(path: path(in: id), in: scenario) {
                    slug = result.nextStep
                }
                guard let slug, let step = scenario.step(slug), let question = step.question else { continue }
                return .scenarioStep(scenario, step: step, question: PresentedQuestion(question, plan: nil), item: item)
            }
        }
        return nil
    }
}
