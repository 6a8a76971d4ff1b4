import Testing
@testable import CurriculumKit

/// Scoring of every question kind, with boundaries.
struct EvaluatorTests {
    static let single = """
    ### Which one?

    - ( ) Zero
      > Not this.
    - (x) Right
      > Yes.
    - (50%) Half
    - ( !) Dangerous
      > This could cost a life.
    """

    func score(_ body: String, _ response: Response) throws -> Evaluation {
        let q = try #require(question(body))
        return try Evaluator.evaluate(response, for: q).get()
    }

    @Test func singleChoiceUsesTheChosenWeight() throws {
        #expect(try score(Self.single, .choice("b")).score == .full)
        #expect(try score(Self.single, .choice("a")).score == .zero)
        #expect(try score(Self.single, .choice("c")).score.percent == 50)
        let dangerous = try score(Self.single, .choice("d"))
        #expect(dangerous.isCritical)
        #expect(dangerous.criticalReasons.first?.kind == .choseMustNever)
        #expect(dangerous.criticalReasons.first?.feedback.isEmpty == false)
    }

    @Test func feedbackHasTheChosenOptionTheMissedAnswerAndTheExplanation() throws {
        let body = Self.single + "\n\nBecause reflecting helps.\n"
        let evaluation = try score(body, .choice("a"))
        #expect(evaluation.feedback.chosen.map(\.letter) == ["a"])
        #expect(evaluation.feedback.chosen.first?.isCorrect == false)
        #expect(evaluation.feedback.missed.map(\.letter) == ["b"])
        #expect(evaluation.feedback.explanation.isEmpty == false)
        #expect(try score(body, .choice("b")).feedback.missed.isEmpty)
    }

    static let selectAll = """
    ### Which apply?

    - [x] One
    - [ ] Two
    - [x!] Three
    - [ ] Four
    """

    @Test func selectAllSubtractsWrongChoices() throws {
        #expect(try score(Self.selectAll, .selection(["a", "c"])).score == .full)
        let partial = try score(Self.selectAll, .selection(["a"]))
        #expect(partial.score.percent == 50)
        #expect(partial.isCritical, "missing the [x!] option is critical")
        #expect(partial.criticalReasons.first?.kind == .missedMustChoose)
        #expect(try score(Self.selectAll, .selection(["a", "b", "c"])).score.percent == 50)
        #expect(try score(Self.selectAll, .selection(["b", "d"])).score == .zero, "never below zero")
        #expect(try score(Self.selectAll, .selection([])).score == .zero)
    }

    static let ordering = """
    ### In order

    1. First
    2. Second
    3. Third
    4. Fourth
    """

    @Test func orderingScoresPairsInOrder() throws {
        #expect(try score(Self.ordering, .order(["a", "b", "c", "d"])).score == .full)
        #expect(try score(Self.ordering, .order(["b", "a", "c", "d"])).score == Score(5, over: 6))
        #expect(try score(Self.ordering, .order(["b", "a", "c", "d"])).score.percent == 83)
        #expect(try score(Self.ordering, .order(["d", "c", "b", "a"])).score == .zero)
    }

    static let matching = """
    ### Match

    - Drug -> The substance
    - Set -> The mood
    - Setting -> The place
    """

    @Test func matchingScoresTheShareOfRightPairs() throws {
        #expect(try score(Self.matching, .matches(["a": 1, "b": 2, "c": 3])).score == .full)
        let third = try score(Self.matching, .matches(["a": 1, "b": 3, "c": 2]))
        #expect(third.score.percent == 33)
        #expect(third.feedback.rightAnswer == ["Set → The mood", "Setting → The place"])
    }

    static let short = """
    ### Name it

    - = naloxone
    - = Café au lait
    """

    @Test func shortAnswerFoldsCaseAccentsAndSpace() throws {
        #expect(try score(Self.short, .text("  NALOXONE ")).score == .full)
        #expect(try score(Self.short, .text("cafe  AU lait")).score == .full)
        #expect(try score(Self.short, .text("CAFÉ au lait")).score == .full)
        #expect(try score(Self.short, .text("water")).score == .zero)
        #expect(try score(Self.short, .text("")).score == .zero)
        #expect(Evaluator.normalize("CAFE") == Evaluator.normalize("café"))
    }

    @Test func roundingIsHalfUp() {
        #expect(Score(5, over: 8).percent == 63, "62.5% rounds up")
        #expect(Score(1, over: 3).percent == 33)
        #expect(Score(2, over: 3).percent == 67)
        #expect(Score(1, over: 200).percent == 1)
        #expect(Score(0, over: 5).percent == 0)
        #expect(Score(7, over: 7).percent == 100)
    }

    @Test func responsesThatDontFitAreErrorsNotZeros() throws {
        let single = try #require(question(Self.single))
        let order = try #require(question(Self.ordering))
        let match = try #require(question(Self.matching))
        let select = try #require(question(Self.selectAll))
        #expect(Evaluator.validate(.choice("z"), for: single)?.message == "there is no option 'z'")
        #expect(Evaluator.validate(.order(["a", "b"]), for: order)?.message == "the order leaves out c, d")
        #expect(Evaluator.validate(.order(["a", "a", "b", "c"]), for: order)?.message == "item 'a' is given twice")
        #expect(Evaluator.validate(.selection(["a", "a"]), for: select) != nil)
        #expect(Evaluator.validate(.matches(["a": 1, "b": 9, "c": 2]), for: match)?.message == "there is no right side 9")
        #expect(Evaluator.validate(.matches(["a": 1]), for: match)?.message == "b, c are not matched")
        #expect(Evaluator.validate(.text("x"), for: single) != nil, "wrong kind")
        if case .success = Evaluator.evaluate(.choice("q"), for: single) { Issue.record("must fail") }
    }

    @Test func writtenResponsesParseForEveryKind() throws {
        let match = try #require(question(Self.matching))
        #expect(try Response.parse("a=2 b=1 c=3", for: match).get() == .matches(["a": 2, "b": 1, "c": 3]))
        let select = try #require(question(Self.selectAll))
        #expect(try Response.parse("a, c", for: select).get() == .selection(["a", "c"]))
        #expect(try Response.parse("none", for: select).get() == .selection([]))
        let short = try #require(question(Self.short))
        #expect(try Response.parse("\"Narcan\"", for: short).get() == .text("Narcan"))
        if case .success = Response.parse("a=x", for: match) { Issue.record("a=x must fail") }
    }

    @Test func shortAnswerPatternsAcceptTheKeyWordsAndNothingLoose() throws {
        let q = try #require(question("""
        ### Name the medicine

        - = naloxone
        - = ... naloxone ...
        - = naloxone nasal ...
        """))
        func percent(_ typed: String) throws -> Int { try Evaluator.evaluate(.text(typed), for: q).get().score.percent }
        #expect(try percent("Naloxone (Narcan)") == 100)
        #expect(try percent("naloxone kits") == 100)
        #expect(try percent("I'd give NALOXÓNE right away") == 100, "case and accents fold")
        #expect(try percent("naloxones") == 0, "whole words only")
        #expect(try percent("narcan") == 0)
        #expect(try percent("") == 0)
        #expect(ShortAnswerPattern.matches("naloxone nasal spray", pattern: "naloxone nasal ..."))
        #expect(!ShortAnswerPattern.matches("the naloxone nasal spray", pattern: "naloxone nasal ..."), "anchored at the start")
        #expect(ShortAnswerPattern.matches("call 911 then give naloxone", pattern: "... call ... naloxone"))
        #expect(!ShortAnswerPattern.matches("give naloxone then call", pattern: "... call ... naloxone"), "in order, and anchored at the end")
        #expect(ShortAnswerPattern.matches("naloxone", pattern: "naloxone ..."))
        #expect(!ShortAnswerPattern.matches("anything at all", pattern: "..."))
        // Without dots, an answer still has to be exact: the evaluator isn't loosened.
        let exact = try #require(question("""
        ### Name it

        - = naloxone
        """))
        #expect(try Evaluator.evaluate(.text("naloxone kits"), for: exact).get().score == .zero)
    }
}
