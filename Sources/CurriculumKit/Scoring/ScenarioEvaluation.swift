/// One choice on a learner's path through a scenario.
public struct ScenarioChoice: Sendable, Equatable, Codable {
    /// The step's slug.
    public var step: String
    /// The learner's response at that step.
    public var response: Response

    /// Creates a choice.
    public init(step: String, response: Response) {
        self.step = step
        self.response = response
    }
}

/// The outcome of a path through a scenario.
public struct ScenarioResult: Sendable, Equatable, Codable {
    /// Each step's evaluation, in path order.
    public var steps: [Evaluation]
    /// Points earned along the path (a step's score, summed), as a fraction of 100 per step.
    public var points: Score
    /// The path's points over the best path's points.
    public var score: Score
    /// The ending step reached (its slug), `end` for `#end`, or `nil` while the path is unfinished.
    public var ending: String?
    /// Where the path goes next when unfinished.
    public var nextStep: String?
    /// Whether a critical rule was broken on the path.
    public var isCritical: Bool { steps.contains(where: \.isCritical) }
    /// Whether the path reached an ending.
    public var isComplete: Bool { ending != nil }
}

extension Evaluator {
    /// Evaluates a learner's path. Each choice must be at the step the previous choice
    /// led to; the first choice is at the first step.
    public static func evaluate(path: [ScenarioChoice], in scenario: Scenario) -> Result<ScenarioResult, InputProblem> {
        guard let first = scenario.steps.first else {
            return .failure(InputProblem("this scenario has no steps"))
        }
        var current: StepTarget = .step(first.slug)
        var evaluations: [Evaluation] = []
        var points = Score.zero
        for choice in path {
            guard case let .step(slug) = current else {
                return .failure(InputProblem("the path goes on after the scenario ended", hint: "stop at the ending"))
            }
            guard choice.step == slug else {
                return .failure(InputProblem("the path goes to '\(choice.step)', but the last choice led to '\(slug)'",
                                             hint: "follow the steps the choices link to"))
            }
            guard let step = scenario.step(slug), let question = step.question else {
                return .failure(InputProblem("'\(slug)' is an ending, so there is nothing to answer there"))
            }
            switch evaluate(choice.response, for: question) {
            case let .failure(problem): return .failure(problem)
            case let .success(evaluation):
                evaluations.append(evaluation)
                points = points + evaluation.score
                var chosen: Option?
                if case let .choice(letter) = choice.response { chosen = question.option(letter) }
                current = step.next(after: chosen)
            }
        }
        var ending: String?
        var next: String?
        switch current {
        case .end: ending = "end"
        case let .step(slug):
            if let step = scenario.step(slug), step.isEnding { ending = slug } else { next = slug }
        }
        let best = Score(scenario.bestPathPoints, over: 100)
        let score = best.numerator == 0 ? Score.full : min(points / best, .full)
        return .success(ScenarioResult(steps: evaluations, points: points, score: score, ending: ending, nextStep: next))
    }
}
