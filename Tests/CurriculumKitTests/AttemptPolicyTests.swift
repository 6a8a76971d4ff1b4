import Testing
@testable import CurriculumKit

/// Attempts: drawing, shuffling, limits and the pass verdict.
struct AttemptPolicyTests {
    static let body = """

    ## Lesson

    Text.

    ## Quiz

    ### One

    - (x) Right
    - ( ) Wrong
    - ( !) Dangerous
      > This could put someone at risk.

    ### Two

    1. First
    2. Second
    3. Third
    """

    func module(_ settings: String = "attempts: 2\npass: 75%\n") throws -> Module {
        try #require(compileModule(Self.body, settings: settings).curriculum?.modules.first)
    }

    @Test func orderingIsNeverShownInItsRightOrder() throws {
        let m = try module()
        for seed in 0..<300 {
            let plan = AttemptPolicy.plan(for: m, seed: UInt64(seed))
            #expect(plan.questions[1].optionOrder != ["a", "b", "c"])
            #expect(Set(plan.questions[1].optionOrder) == ["a", "b", "c"])
        }
    }

    @Test func optionsStayInWrittenOrderWithoutShuffle() throws {
        let plan = AttemptPolicy.plan(for: try module(), seed: 42)
        #expect(plan.questions[0].optionOrder == ["a", "b", "c"])
        #expect(plan.seed == 42)
    }

    @Test func theAttemptsLimitIsEnforced() throws {
        let m = try module()
        #expect(AttemptPolicy.mayStartAttempt(m, previous: 1))
        #expect(!AttemptPolicy.mayStartAttempt(m, previous: 2))
        #expect(AttemptPolicy.attemptsLeft(m, previous: 1) == 1)
        let unlimited = try module("")
        #expect(AttemptPolicy.mayStartAttempt(unlimited, previous: 1_000))
        #expect(AttemptPolicy.attemptsLeft(unlimited, previous: 3) == nil)
    }

    func evaluations(_ m: Module, _ responses: [Response]) throws -> [Evaluation] {
        try zip(m.questions, responses).map { try Evaluator.evaluate($1, for: $0).get() }
    }

    @Test func passingNeedsTheMarkAndNoCriticalChoice() throws {
        let m = try module()
        let pass = AttemptPolicy.outcome(for: m, evaluations: try evaluations(m, [.choice("a"), .order(["a", "b", "c"])]))
        #expect(pass.passed)
        #expect(pass.verdict == "passed")
        let low = AttemptPolicy.outcome(for: m, evaluations: try evaluations(m, [.choice("b"), .order(["a", "b", "c"])]))
        #expect(!low.passed)
        #expect(low.verdict == "not yet passed")
        #expect(low.reasons.first == "Your score was 50%; this module asks for 75%.")
        #expect(low.sectionsToReview == ["lesson"], "the lesson that teaches it, not the quiz section")
    }

    @Test func aCriticalChoiceFailsTheAttemptWhateverTheMean() throws {
        let m = try module("pass: 10%\n")
        let outcome = AttemptPolicy.outcome(for: m, evaluations: try evaluations(m, [.choice("c"), .order(["a", "b", "c"])]))
        #expect(outcome.score.percent == 50)
        #expect(!outcome.passed)
        #expect(outcome.criticalReasons.map(\.letter) == ["c"])
        #expect(outcome.reasons.contains { $0.contains("Dangerous") })
    }

    @Test func aScoreThatRoundsUpToTheMarkIsReportedAsJustUnder() throws {
        let body = """

        ## Quiz

        ### One

        - (x) Right
        - (25%) Partly

        ### Two

        - (x) Right
        - ( ) Wrong
        """
        let m = try #require(compileModule(body, settings: "pass: 63%\n").curriculum?.modules.first)
        let outcome = AttemptPolicy.outcome(for: m, evaluations: try evaluations(m, [.choice("b"), .choice("a")]))
        #expect(outcome.score == Score(5, over: 8))
        #expect(outcome.score.percent == 63, "62.5% rounds half up")
        #expect(!outcome.passed, "the exact score is under the mark")
        #expect(outcome.reasons.first == "Your score was just under 63%; this module asks for 63%.")
    }
}
