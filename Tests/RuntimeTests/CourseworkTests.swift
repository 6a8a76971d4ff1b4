import CurriculumKit
import Foundation
import Testing
@testable import Runtime
@testable import SQLiteStore

/// The course runtime: registering, attempts, answers, resuming, outcomes and progress.
@Suite struct CourseworkTests {
    let folder = TemporaryFolder()

    /// Answers every remaining item with the answer key; `wrong` items get a wrong option instead.
    func answerAll(_ coursework: Coursework, _ state: AttemptState, wrong: Set<String> = []) async throws -> Coursework.AnswerResult? {
        var state = state
        var last: Coursework.AnswerResult?
        while let next = state.next {
            let response: Response
            if wrong.contains(next.item.id), let miss = next.presented.question.options.first(where: { !$0.isCorrect }) {
                response = next.presented.question.kind == .singleChoice ? .choice(miss.letter) : .selection([miss.letter])
            } else {
                response = try #require(state.rightAnswer())
            }
            let result = try await coursework.answer(response, in: state)
            state = result.state
            last = result
        }
        return last
    }

    @Test func registersPseudonymousLearnersAndFindsThemByCode() async throws {
        defer { folder.remove() }
        let coursework = try makeCoursework(folder)
        let (learner, code) = try await coursework.register(displayName: "  Robin   the  Volunteer ")
        #expect(learner.displayName == "Robin the Volunteer")
        #expect(try await coursework.learner(resumeCode: code.description.uppercased()) == learner)
        #expect(try await coursework.learner(resumeCode: code.words.joined(separator: " ")) == learner)
        let (other, otherCode) = try await coursework.register(displayName: "<script>alert(1)</script>")
        #expect(other.displayName == "<script>alert(1)</script>", "stored as typed; escaping is the web layer's job")
        #expect(otherCode != code)

        for bad in ["", "   ", String(repeating: "x", count: 61), "tab\u{7}bell"] {
            let error = await #expect(throws: RecordsError.self) { try await coursework.register(displayName: bad) }
            #expect(error?.kind == .badDisplayName)
        }
        var rng = SeededGenerator(seed: 3)
        let stranger = ResumeCode.generate(using: &rng)
        let unknown = await #expect(throws: RecordsError.self) { try await coursework.learner(resumeCode: stranger.description) }
        #expect(unknown?.kind == .unknownCode)
    }

    @Test func answeringEverythingRightPasses() async throws {
        defer { folder.remove() }
        let coursework = try makeCoursework(folder)
        let (learner, _) = try await coursework.register(displayName: "Robin")
        let state = try await coursework.attempt("practice", for: learner)
        #expect(state.items.count == 6, "five questions and one scenario")
        #expect(state.items.map(\.section) == [1, 1, 1, 1, 1, 2])
        let last = try #require(try await answerAll(coursework, state))
        let outcome = try #require(last.outcome)
        #expect(outcome.passed && outcome.score == .full)
        let progress = try await coursework.progress(of: learner)
        #expect(progress.modules.map(\.state) == [.passed, .notStarted])
        #expect(progress.modules[0].bestScore == .full && progress.modules[0].attemptsUsed == 1)
        #expect(progress.requiredPassed == 1 && !progress.modulesComplete)
        let attempts = try await coursework.store.attempts(learnerID: learner.id, moduleID: "practice")
        #expect(attempts.map(\.status) == [.finished])
        #expect(try await coursework.store.responses(attemptID: attempts[0].id).count == 7, "5 questions + 2 scenario steps")
    }

    @Test func resumingContinuesAtTheSameQuestionWithTheSameOrder() async throws {
        defer { folder.remove() }
        let first = try makeCoursework(folder)
        let (learner, code) = try await first.register(displayName: "Robin")
        var state = try await first.attempt("practice", for: learner)
        let shown = state.plan.questions.map(\.optionOrder)
        for _ in 0..<2 {
            state = try await first.answer(try #require(state.rightAnswer()), in: state).state
        }
        let expectedNext = try #require(state.next).item

        // A new process: the store reopened, seeds from elsewhere.
        let second = try makeCoursework(folder, seed: 999)
        let again = try await second.learner(resumeCode: code.description)
        let resumed = try await second.attempt("practice", for: again)
        #expect(resumed.attempt.id == state.attempt.id)
        #expect(resumed.plan.questions.map(\.optionOrder) == shown)
        #expect(resumed.next?.item == expectedNext)
        #expect(resumed.itemsDone == 2)
    }

    @Test func shuffledLettersMapBackToTheModulesLetters() async throws {
        defer { folder.remove() }
        let coursework = try makeCoursework(folder)
        let (learner, _) = try await coursework.register(displayName: "Robin")
        // Find a seed whose first question isn't shown in written order.
        var state = try await coursework.attempt("practice", for: learner)
        var tries = 0
        while state.plan.questions[0].optionOrder == ["a", "b", "c", "d"], tries < 20 {
            try await coursework.store.close(attemptID: state.attempt.id, result: nil, at: Date())
            state = try await coursework.attempt("practice", for: learner)
            tries += 1
        }
        let presented = try #require(state.next?.presented)
        let order = state.plan.questions[0].optionOrder
        #expect(order != ["a", "b", "c", "d"])
        #expect(presented.shown.options.map(\.letter) == ["a", "b", "c", "d"])
        #expect(presented.shown.options.map(\.text) == order.map { presented.question.option($0)?.text })
        // Typing the shown letter of the right option gives the module's letter "a".
        let shownRight = presented.shownLetter("a")
        #expect(try presented.response(from: shownRight.uppercased()).get() == .choice("a"))
        guard case let .failure(problem) = presented.response(from: "z") else { Issue.record("accepted z"); return }
        #expect(problem.hint?.contains("a, b, c, d") == true)
        let result = try await coursework.answer(.choice("a"), in: state)
        #expect(result.evaluation.score == .full)
    }

    @Test func matchingTargetsAreRenumberedAsShown() throws {
        let course = try Fixtures.course()
        let module = try #require(course.module(id: "practice"))
        let question = try #require(module.questions.first { $0.kind == .matching })
        let plan = AttemptPlan.ShownQuestion(questionID: question.id, optionOrder: ["c", "a", "b"], targetOrder: [3, 1, 2])
        let presented = PresentedQuestion(question, plan: plan)
        #expect(presented.shown.matchTargets == [question.matchTargets[2], question.matchTargets[0], question.matchTargets[1]])
        // Shown a is module c (Setting → target 3, shown as 1).
        let response = try presented.response(from: "a=1 b=2 c=3").get()
        #expect(response == .matches(["c": 3, "a": 1, "b": 2]))
        #expect(Evaluator.evaluate(response, for: question).map(\.score) == .success(.full))
    }

    @Test func aCriticalChoiceMeansNotYetWhateverTheMean() async throws {
        defer { folder.remove() }
        let coursework = try makeCoursework(folder)
        let (learner, _) = try await coursework.register(displayName: "Robin")
        var state = try await coursework.attempt("practice", for: learner)
        state = try await coursework.answer(.choice("c"), in: state).state  // the must-never option
        let last = try #require(try await answerAll(coursework, state))
        let outcome = try #require(last.outcome)
        #expect(outcome.score.percent == 83)
        #expect(!outcome.passed)
        #expect(outcome.criticalReasons.count == 2, "chose the must-never option and missed the must-choose one")
        #expect(outcome.sectionsToReview == ["reading"])
        #expect(try await coursework.progress(of: learner).modules[0].state == .notYetPassed)
    }

    @Test func theAttemptsLimitIsKept() async throws {
        defer { folder.remove() }
        let coursework = try makeCoursework(folder)
        let (learner, _) = try await coursework.register(displayName: "Robin")
        for number in 1...2 {
            let state = try await coursework.attempt("practice", for: learner)
            #expect(state.attempt.number == number)
            _ = try await answerAll(coursework, state, wrong: ["practice/what-do-you-do-first"])
        }
        let error = await #expect(throws: RecordsError.self) { try await coursework.attempt("practice", for: learner) }
        #expect(error?.kind == .noAttemptsLeft)
        let progress = try await coursework.progress(of: learner).modules[0]
        #expect(progress.state == .notYetPassed && progress.attemptsLeft == 0 && progress.attemptsUsed == 2)
    }

    @Test func anEditedModuleStartsAFreshAttemptThatDoesNotCount() async throws {
        defer { folder.remove() }
        let coursework = try makeCoursework(folder)
        let (learner, _) = try await coursework.register(displayName: "Robin")
        var state = try await coursework.attempt("practice", for: learner)
        state = try await coursework.answer(try #require(state.rightAnswer()), in: state).state

        var edited = coursework.curriculum
        edited.modules[0].hash = "changed"
        let later = Coursework(curriculum: edited, store: coursework.store,
                               hasher: try DataFolder(path: folder.path).open().hasher)
        let fresh = try await later.attempt("practice", for: learner)
        #expect(fresh.restartedAfterContentChange)
        #expect(fresh.responses.isEmpty && fresh.attempt.number == 2)
        let attempts = try await later.store.attempts(learnerID: learner.id, moduleID: "practice")
        #expect(attempts.map(\.status) == [.superseded, .open])
        #expect(try await later.progress(of: learner).modules[0].attemptsLeft == 2, "a superseded attempt doesn't count")
    }

    @Test func scenariosFollowTheLearnersPath() async throws {
        defer { folder.remove() }
        let coursework = try makeCoursework(folder)
        let (learner, _) = try await coursework.register(displayName: "Robin")
        var state = try await coursework.attempt("practice", for: learner)
        for _ in 0..<5 { state = try await coursework.answer(try #require(state.rightAnswer()), in: state).state }
        guard case let .scenarioStep(_, step, _, _) = try #require(state.next) else { Issue.record("not at the scenario"); return }
        #expect(step.slug == "sam-comes-in-quiet")
        let result = try await coursework.answer(.choice("b"), in: state)  // hand him the bag: ends the story
        #expect(result.scenario?.ending == "he-leaves")
        let outcome = try #require(result.outcome)
        #expect(result.state.isComplete)
        #expect(outcome.sectionsToReview == ["scenario-a-visit"])
    }

    @Test func anAnswerThatDoesNotFitIsRefusedAndNothingIsStored() async throws {
        defer { folder.remove() }
        let coursework = try makeCoursework(folder)
        let (learner, _) = try await coursework.register(displayName: "Robin")
        let state = try await coursework.attempt("practice", for: learner)
        await #expect(throws: InputProblem.self) { try await coursework.answer(.choice("q"), in: state) }
        await #expect(throws: InputProblem.self) { try await coursework.answer(.text("hi"), in: state) }
        #expect(try await coursework.store.responses(attemptID: state.attempt.id).isEmpty)
        let unknown = await #expect(throws: RecordsError.self) { try await coursework.attempt("nope", for: learner) }
        #expect(unknown?.kind == .unknownItem)
        #expect(unknown?.hint?.contains("practice") == true)
    }

    @Test func aModuleOfLessonsOnlyIsPassedOnceRead() async throws {
        defer { folder.remove() }
        let compiled = CurriculumCompiler.compile(moduleText: """
        ---
        id: reading
        title: Reading Only
        ---

        ## A page

        Just something to read.
        """)
        let course = try #require(compiled.curriculum, "\(compiled.diagnostics)")
        let coursework = try makeCoursework(folder, curriculum: course)
        let (learner, _) = try await coursework.register(displayName: "Robin")
        let state = try await coursework.attempt("reading", for: learner)
        #expect(state.items.isEmpty && state.isComplete)
        let outcome = try #require(try await coursework.finishReading(state))
        #expect(outcome.passed && outcome.score == .full)
        #expect(try await coursework.progress(of: learner).modules[0].state == .passed)
    }

    @Test func displayNamesThatDoNotFitSayWhy() async throws {
        defer { folder.remove() }
        let coursework = try makeCoursework(folder)
        let long = await #expect(throws: RecordsError.self) { try await coursework.register(displayName: String(repeating: "x", count: 61)) }
        #expect(long?.message.contains("up to 60") == true && long?.hint == "choose a shorter name")
        let control = await #expect(throws: RecordsError.self) { try await coursework.register(displayName: "a\u{7}b") }
        #expect(control?.message.contains("control characters") == true)
    }

    @Test func namesThatWouldDisplayAsSomethingElseAreRefused() async throws {
        defer { folder.remove() }
        let coursework = try makeCoursework(folder)
        // One letter carrying 2,000 combining marks is one "character" but hundreds of lines tall.
        let zalgo = "a" + String(repeating: "\u{0301}", count: 2_000)
        let stacked = await #expect(throws: RecordsError.self) { try await coursework.register(displayName: zalgo) }
        #expect(stacked?.kind == .badDisplayName)
        // A right-to-left override makes "Robin\u{202E}nimda" read as "Robinadmin".
        let override = await #expect(throws: RecordsError.self) { try await coursework.register(displayName: "Robin\u{202E}nimda") }
        #expect(override?.message.contains("text-direction") == true)
        await #expect(throws: RecordsError.self) { try await coursework.register(displayName: "Ro\u{200B}bin") }
        // Names in any script, with accents and emoji, are welcome.
        for name in ["Zoë", "Nguyễn Thị Minh Khai", "محمد", "आर्या", "Sam 👩🏽‍🦱", "Ōkubo"] {
            let (learner, _) = try await coursework.register(displayName: name)
            #expect(learner.displayName == name.precomposedStringWithCanonicalMapping)
        }
    }
}
