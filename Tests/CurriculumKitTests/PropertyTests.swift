import PropertyBased
import Testing
@testable import CurriculumKit

/// Properties of the evaluator and the attempt policy over generated questions.
struct PropertyTests {
    /// A select-all question with `n` options, the first `right` of them right.
    func selectAll(n: Int, right: Int) -> Question? {
        let lines = (0..<n).map { "- [\($0 < right ? "x" : " ")] Option \($0)" }.joined(separator: "\n")
        return question("### Pick\n\n" + lines)
    }

    func ordering(n: Int) -> Question? {
        question("### Order\n\n" + (1...n).map { "\($0). Step \($0)" }.joined(separator: "\n"))
    }

    @Test func selectAllScoresStayInRangeAndIgnoreTickOrder() async {
        await propertyCheck(count: 150, input: Gen.int(in: 1...8), Gen.int(in: 0...1_000_000)) { n, seed in
            let right = seed % n + 1
            guard let q = selectAll(n: n, right: right) else { Issue.record("compile"); return }
            var rng = SeededGenerator(seed: UInt64(seed))
            let letters = q.options.map(\.letter).filter { _ in Bool.random(using: &rng) }
            guard case let .success(a) = Evaluator.evaluate(.selection(letters), for: q),
                  case let .success(b) = Evaluator.evaluate(.selection(letters.shuffled(using: &rng)), for: q) else {
                Issue.record("valid responses must evaluate"); return
            }
            #expect(a.score >= .zero && a.score <= .full)
            #expect(a.score == b.score, "the order boxes were ticked never changes the score")
        }
    }

    @Test func theAnswerKeyScoresFullAndIsNeverCritical() async {
        await propertyCheck(count: 100, input: Gen.int(in: 1...8), Gen.int(in: 0...1000)) { n, seed in
            let right = seed % n + 1
            guard let q = selectAll(n: n, right: right), let o = ordering(n: max(n, 2)) else { Issue.record("compile"); return }
            let key = q.options.filter(\.isCorrect).map(\.letter)
            let evaluation = try? Evaluator.evaluate(.selection(key), for: q).get()
            #expect(evaluation?.score == .full)
            #expect(evaluation?.isCritical == false)
            #expect((try? Evaluator.evaluate(.order(o.options.map(\.letter)), for: o).get())?.score == .full)
        }
    }

    @Test func oneAdjacentSwapCostsOnePair() async {
        await propertyCheck(count: 100, input: Gen.int(in: 2...9), Gen.int(in: 0...100)) { n, at in
            guard let q = ordering(n: n) else { Issue.record("compile"); return }
            var letters = q.options.map(\.letter)
            let i = at % (n - 1)
            letters.swapAt(i, i + 1)
            let score = try? Evaluator.evaluate(.order(letters), for: q).get().score
            let pairs = n * (n - 1) / 2
            #expect(score == Score(pairs - 1, over: pairs))
        }
    }

    @Test func orderingScoresStayInRange() async {
        await propertyCheck(count: 100, input: Gen.int(in: 2...9), Gen.int(in: 0...1_000_000)) { n, seed in
            guard let q = ordering(n: n) else { Issue.record("compile"); return }
            var rng = SeededGenerator(seed: UInt64(seed))
            let score = try? Evaluator.evaluate(.order(q.options.map(\.letter).shuffled(using: &rng)), for: q).get().score
            #expect(score.map { $0 >= .zero && $0 <= .full } == true)
        }
    }

    static let module: Module? = {
        let questions = (1...6).map { "### Question \($0)\n\n- (x) Right \($0)\n- ( ) Wrong \($0)\n- ( ) Other \($0)\n" }.joined(separator: "\n")
        return compileModule("\n## Quiz\n\n" + questions, settings: "shuffle: true\npool: 3\n").curriculum?.modules.first
    }()

    @Test func aSeedAlwaysGivesTheSameDrawAndShuffle() async throws {
        let module = try #require(Self.module)
        await propertyCheck(count: 100, input: Gen.int(in: 0...Int.max)) { seed in
            let a = AttemptPolicy.plan(for: module, seed: UInt64(seed))
            let b = AttemptPolicy.plan(for: module, seed: UInt64(seed))
            #expect(a == b)
            #expect(a.questions.count == 3)
            #expect(Set(a.questions.map(\.questionID)).count == 3, "pools draw without replacement")
        }
    }

    @Test func overManySeedsEveryPermutationAppears() throws {
        let module = try #require(Self.module)
        var seen: Set<[String]> = []
        var drawn: Set<String> = []
        for seed in 0..<400 {
            let plan = AttemptPolicy.plan(for: module, seed: UInt64(seed))
            seen.insert(plan.questions[0].optionOrder)
            drawn.formUnion(plan.questions.map(\.questionID))
        }
        #expect(seen.count == 6, "all 3! orders of three options")
        #expect(drawn.count == 6, "every question is drawn by some seed")
    }

    @Test func poolsDrawWithoutReplacement() async {
        await propertyCheck(count: 200, input: Gen.int(in: 1...30), Gen.int(in: 0...1_000_000)) { total, seed in
            var rng = SeededGenerator(seed: UInt64(seed))
            let count = seed % total + 1
            let drawn = AttemptPolicy.draw(count, from: total, using: &rng)
            #expect(drawn.count == count)
            #expect(Set(drawn).count == count)
            #expect(drawn.allSatisfy { (0..<total).contains($0) })
        }
    }
}
