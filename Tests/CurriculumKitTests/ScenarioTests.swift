import Testing
@testable import CurriculumKit

/// Scenario graphs: links, best path and path scoring.
struct ScenarioTests {
    static let text = """

    ## Scenario: A visit

    ### Start

    - (x) Greet -> [talk](#talk)
    - (50%) Nod -> [talk](#talk)
    - ( ) Ignore -> [leaves](#leaves)

    ### Talk

    - (x) Offer naloxone -> [takes](#takes)
    - ( !) Lecture him -> [leaves](#leaves)

    ### Takes

    He takes two kits.

    ### Leaves

    He leaves.
    """

    func scenario() throws -> Scenario {
        let result = compileModule(Self.text)
        return try #require(result.curriculum?.modules.first?.scenarios.first, "\(result.diagnostics)")
    }

    @Test func bestPathIsTheHighestScoringCompletePath() throws {
        let s = try scenario()
        #expect(s.bestPathPoints == 200)
        #expect(s.steps.map(\.slug) == ["start", "talk", "takes", "leaves"])
        #expect(s.steps[2].isEnding)
    }

    @Test func aPathScoresItsPointsOverTheBest() throws {
        let s = try scenario()
        let best = try Evaluator.evaluate(path: [
            ScenarioChoice(step: "start", response: .choice("a")),
            ScenarioChoice(step: "talk", response: .choice("a")),
        ], in: s).get()
        #expect(best.score == .full)
        #expect(best.ending == "takes")
        let half = try Evaluator.evaluate(path: [
            ScenarioChoice(step: "start", response: .choice("b")),
            ScenarioChoice(step: "talk", response: .choice("a")),
        ], in: s).get()
        #expect(half.score == Score(3, over: 4))
        let bad = try Evaluator.evaluate(path: [
            ScenarioChoice(step: "start", response: .choice("a")),
            ScenarioChoice(step: "talk", response: .choice("b")),
        ], in: s).get()
        #expect(bad.isCritical)
        #expect(bad.ending == "leaves")
        #expect(bad.score == Score(1, over: 2))
    }

    @Test func unfinishedPathsReportTheNextStep() throws {
        let result = try Evaluator.evaluate(path: [ScenarioChoice(step: "start", response: .choice("a"))], in: try scenario()).get()
        #expect(!result.isComplete)
        #expect(result.nextStep == "talk")
    }

    @Test func aPathThatDoesNotFollowTheLinksIsRejected() throws {
        let s = try scenario()
        let skip = Evaluator.evaluate(path: [
            ScenarioChoice(step: "start", response: .choice("c")),
            ScenarioChoice(step: "talk", response: .choice("a")),
        ], in: s)
        guard case let .failure(problem) = skip else { Issue.record("must fail"); return }
        #expect(problem.message.contains("led to 'leaves'"))
        guard case .failure = Evaluator.evaluate(path: [ScenarioChoice(step: "talk", response: .choice("a"))], in: s) else {
            Issue.record("a path must start at the first step"); return
        }
    }

    @Test func endingsMayBeEndLinksInsteadOfEndingSteps() {
        let withEnd = compileModule("\n## Scenario: Short\n\n### Only\n\n- (x) Stop -> [end](#end)\n- ( ) Also stop -> [end](#end)\n")
        #expect(!withEnd.diagnostics.contains { $0.code == "scenario.no-ending" })
        let without = compileModule("\n## Scenario: Short\n\n### Only\n\n- (x) Stop\n- ( ) Also stop\n")
        #expect(without.diagnostics.contains { $0.code == "scenario.no-ending" })
    }

    @Test func unlinkedOptionsFollowTheNextStepInTheFile() throws {
        let result = compileModule("""

        ## Scenario: Straight

        ### One

        - (x) Go
        - ( ) Stay

        ### Two

        The end.
        """)
        let s = try #require(result.curriculum?.modules.first?.scenarios.first)
        #expect(s.steps[0].defaultNext == .step("two"))
        #expect(s.bestPathPoints == 100)
    }
}
