@testable import CurriculumKit
import Foundation
@testable import Runtime
import Testing
@testable import Presentation

/// What a learner is shown, decided once for every runner.
@Suite struct PresentationTests {
    static func module() throws -> Module {
        let path = Bundle.module.bundleURL.appendingPathComponent("Fixtures/signs.md").path
        let result = CurriculumCompiler.compile(path: path)
        return try #require(result.curriculum?.modules.first, "\(result.diagnostics)")
    }

    func progress(_ state: ModuleProgress.State, used: Int, left: Int?, best: Score? = nil) -> ModuleProgress {
        ModuleProgress(moduleID: "signs", title: "Signs", state: state, attemptsUsed: used, attemptsLeft: left,
                       bestScore: best, hasOpenAttempt: state == .inProgress)
    }

    @Test func attemptsLeftAreNotCountedDownDuringTheFirstAttempt() {
        #expect(ModuleStatus(progress(.inProgress, used: 0, left: 3)).attemptsNote == nil)
        #expect(ModuleStatus(progress(.notStarted, used: 0, left: 3)).attemptsNote == nil)
        #expect(ModuleStatus(progress(.notYetPassed, used: 1, left: 2, best: Score(1, over: 2))).attemptsNote == "2 attempts left")
        #expect(ModuleStatus(progress(.notYetPassed, used: 3, left: 0)).attemptsNote == "No attempts left")
        #expect(ModuleStatus(progress(.passed, used: 1, left: 2, best: .full)).attemptsNote == nil)
        #expect(ModuleStatus(progress(.notYetPassed, used: 1, left: 2, best: Score(7, over: 10))).label == "Not yet passed (best 70%)")
    }

    @Test func aCriticalMissIsNamedOnceAndInWordsThatFitASign() throws {
        let question = try #require(try Self.module().questions.first)
        let response = Response.selection(["b"])
        let evaluation = try Evaluator.evaluate(response, for: question).get()
        let feedback = AnswerFeedback(evaluation, question: question, response: response)
        #expect(feedback.verdict.kind == .notYet, "a critical miss is not yet, whatever the score (\(evaluation.score.percent)%)")
        #expect(feedback.critical.count == 1)
        let summary = try #require(feedback.critical.first?.summary)
        #expect(summary.contains("Slow or no breathing"))
        #expect(!summary.contains("step"), "a sign isn't a step: \(summary)")
        #expect(!feedback.missed.contains { $0.text == "Slow or no breathing" }, "the critical option's feedback isn't repeated")
    }

    @Test func partlyRightAndNotYetLookDifferentInWordsAndSymbol() throws {
        let module = try Self.module()
        let ordering = module.questions[1]
        let partly = try Evaluator.evaluate(.order(["a", "c", "b"]), for: ordering).get()
        let verdict = Verdict(partly)
        #expect(verdict.kind == .partly && verdict.heading.hasPrefix("Partly right"))
        let zero = try Evaluator.evaluate(.order(["c", "b", "a"]), for: ordering).get()
        #expect(Verdict(zero).kind == .notYet || Verdict(zero).kind == .partly)
        #expect(Verdict(partly).symbol != Verdict(try Evaluator.evaluate(.selection(["b"]), for: module.questions[0]).get()).symbol)
    }

    @Test func orderingAndMatchingFeedbackShowWhatTheLearnerGave() throws {
        let module = try Self.module()
        let ordering = module.questions[1]
        let order = Response.order(["b", "a", "c"])
        let orderFeedback = AnswerFeedback(try Evaluator.evaluate(order, for: ordering).get(), question: ordering, response: order)
        #expect(orderFeedback.yourAnswer == ["Call for help", "Check whether the person responds", "Give naloxone"])
        #expect(orderFeedback.rightAnswer.first == "Check whether the person responds")

        let matching = module.questions[2]
        let pairs = Response.matches(["a": 2, "b": 1])
        let matchFeedback = AnswerFeedback(try Evaluator.evaluate(pairs, for: matching).get(), question: matching, response: pairs)
        #expect(matchFeedback.yourAnswer == ["Drug → The person's mood and expectations", "Set → The substance and how it acts"])
        #expect(matchFeedback.rightAnswerLabel == "The matches:")

        let right = Response.order(["a", "b", "c"])
        let rightFeedback = AnswerFeedback(try Evaluator.evaluate(right, for: ordering).get(), question: ordering, response: right)
        #expect(rightFeedback.yourAnswer.isEmpty && rightFeedback.rightAnswer.isEmpty, "nothing to correct when it's right")
    }

    @Test func theResultSaysWhenACriticalChoiceIsWhyAndStopsSayingTryAgainOnTheLastAttempt() throws {
        let module = try Self.module()
        let curriculum = Curriculum(settings: .defaults, welcome: [], modules: [module], hash: "")
        let critical = try #require(try Evaluator.evaluate(.selection(["b"]), for: module.questions[0]).get().criticalReasons.first)
        let outcome = ModuleOutcome(score: Score(83, over: 100), passMark: 80, passed: false, criticalReasons: [critical],
                                    reasons: [], sectionsToReview: ["signs"])
        let course = CourseProgress(modules: [progress(.notYetPassed, used: 2, left: 0)], requiredModules: ["signs"], attendanceRequired: 0)
        let result = ModuleResult(outcome, module: module, progress: course, curriculum: curriculum)
        #expect(result.reasonLine?.contains("above the pass mark") == true)
        #expect(!result.reviewLabel.contains("try again"), "no attempt left: \(result.reviewLabel)")
        #expect(result.attemptsLine?.contains("coordinator") == true)
        #expect(result.review.map(\.title) == ["Signs"])

        let again = CourseProgress(modules: [progress(.notYetPassed, used: 1, left: 1)], requiredModules: ["signs"], attendanceRequired: 0)
        let first = ModuleResult(outcome, module: module, progress: again, curriculum: curriculum)
        #expect(first.reviewLabel.contains("try again") && first.attemptsLine == "You have 1 attempt left.")
    }

    @Test func aPassPointsToTheNextModuleNotYetPassed() throws {
        let module = try Self.module()
        var second = module
        second.id = "second"
        second.title = "Second"
        var third = module
        third.id = "third"
        third.title = "Third"
        let curriculum = Curriculum(settings: .defaults, welcome: [], modules: [module, second, third], hash: "")
        let passed = ModuleOutcome(score: .full, passMark: 80, passed: true, criticalReasons: [], reasons: [], sectionsToReview: [])
        func status(_ id: String, _ state: ModuleProgress.State) -> ModuleProgress {
            ModuleProgress(moduleID: id, title: id, state: state, attemptsUsed: state == .passed ? 1 : 0, attemptsLeft: nil,
                           bestScore: nil, hasOpenAttempt: false)
        }
        let course = CourseProgress(modules: [status("signs", .passed), status("second", .passed), status("third", .notStarted)],
                                    requiredModules: ["signs", "second", "third"], attendanceRequired: 0)
        let result = ModuleResult(passed, module: module, progress: course, curriculum: curriculum)
        #expect(result.nextModule?.id == "third", "the next one not yet passed")
        let done = CourseProgress(modules: [status("signs", .passed), status("second", .passed), status("third", .passed)],
                                  requiredModules: ["signs", "second", "third"], attendanceRequired: 0)
        #expect(ModuleResult(passed, module: module, progress: done, curriculum: curriculum).nextModule == nil)
    }

    @Test func attendanceIsCountedTowardTheCoursesRule() {
        let passed = ModuleProgress(moduleID: "signs", title: "Signs", state: .passed, attemptsUsed: 1, attemptsLeft: nil,
                                    bestScore: nil, hasOpenAttempt: false)
        let visit = Attendance(learnerID: "robin", sessionID: "g1", moduleIDs: ["signs"], attendedAt: Date(timeIntervalSince1970: 0),
                               recordedBy: "ada", byHand: false)
        var course = CourseProgress(modules: [passed], requiredModules: ["signs"], attendanceRequired: 2)
        #expect(CourseSummary.attendance(course) == "0 group sessions attended of 2 the course asks for.")
        #expect(CourseSummary.remaining(course) == "The course also asks for 2 group sessions with a facilitator.")
        #expect(!course.isComplete)
        course.attendance = [visit, visit]
        #expect(course.sessionsAttended == 1, "the same session twice counts once")
        #expect(CourseSummary.remaining(course) == "The course also asks for 1 more group session with a facilitator.")
        course.attendance.append(Attendance(learnerID: "robin", sessionID: "g2", moduleIDs: ["signs"],
                                            attendedAt: Date(timeIntervalSince1970: 0), recordedBy: "ada", byHand: true))
        #expect(course.isComplete)
        #expect(CourseSummary.remaining(course) == "You've completed the course: every required module and group session.")
        let none = CourseProgress(modules: [passed], requiredModules: ["signs"], attendanceRequired: 0)
        #expect(CourseSummary.attendance(none) == nil, "nothing to say when the course asks for none and none were attended")
    }

    @Test func terminalInstructionsShowAnExampleForEveryKind() throws {
        let module = try Self.module()
        #expect(Instructions.terminal(module.questions[1]).contains("separated by spaces, like c b a"))
        #expect(Instructions.terminal(module.questions[2]).contains("like a=1 b=2"))
    }

    @Test func instructionsAreNotSaidTwice() throws {
        let module = try Self.module()
        #expect(Instructions.page(for: module.questions[0]) == "Choose all that apply.")
        #expect(Instructions.page(for: module.questions[3]) == nil, "the prompt already says it")
    }

    @Test func counterNamesScenarioSteps() {
        #expect(Instructions.counter(questionNumber: 3, of: 10, scenarioStep: nil) == "Question 3 of 10")
        #expect(Instructions.counter(questionNumber: 10, of: 10, scenarioStep: 2) == "Scenario: step 2")
    }
}
