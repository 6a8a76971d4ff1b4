import CurriculumKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Runtime
import Testing
@testable import TrainingServer

/// The way through a module, as a new volunteer takes it: every defect seen in the second
/// pass has a test here that failed before its fix.
@Suite struct LearnerPathTests {
    /// A new learner who has started the practice module's questions.
    func startedLearner(_ client: any TestClientProtocol) async throws -> (browser: Browser, code: String) {
        let browser = Browser(client)
        let code = try await signUp(browser)
        _ = try await browser.post("/modules/practice/attempts", [])
        return (browser, code)
    }

    /// The signed-in learner's open attempt at the practice module, read from the store.
    func openAttempt(_ site: TestSite, code: String) async throws -> AttemptState? {
        let learner = try #require(try await site.coursework.learner(resumeCode: code))
        return try await site.coursework.openAttempt("practice", for: learner)
    }

    @Test func aModuleStartsAtItsFirstLessonAndReadingOnReachesTheQuestions() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let browser = Browser(client)
            let code = try await signUp(browser)
            let module = try await browser.get("/modules/practice")
            #expect(module.body.contains(#"href="/modules/practice/sections/1">Start this module"#), "Start opens the first lesson")
            // Reading the lessons with "Next" never meets a dead end: the question section offers the questions.
            let lesson = try await browser.get("/modules/practice/sections/1")
            #expect(lesson.body.contains("Naloxone reverses an opioid overdose") && !lesson.body.contains("<fieldset"))
            #expect(lesson.body.contains(#"href="/modules/practice/sections/2">Next: Questions"#))
            #expect(try await openAttempt(site, code: code) == nil, "reading doesn't start an attempt")
            let questions = try await browser.get("/modules/practice/sections/2")
            #expect(questions.body.contains("Start the questions"), "the way from reading to answering")
            #expect(!questions.body.contains("Back to the module"))
            let started = try await browser.post("/modules/practice/attempts", [])
            #expect(started.location == "/modules/practice/sections/2", "the attempt starts at the first question reached")
            let first = try await browser.follow(started)
            #expect(first.body.contains("<fieldset") && first.body.contains("Question 1 of 6"))
            #expect(try await openAttempt(site, code: code) != nil)
        }
    }

    @Test func laterQuestionsFoldTheLessonAndScenarioStepsCountAsSteps() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let (browser, code) = try await startedLearner(client)
            var state = try #require(try await openAttempt(site, code: code))
            let first = try await browser.get("/modules/practice/sections/\((state.next?.item.section ?? 0) + 1)")
            #expect(!first.body.contains("lesson-again"), "the first question shows its section's lesson open")
            #expect(first.body.contains("Answer these from what you read."))
            for index in 0..<5 {
                let next = try #require(state.next)
                let page = try await browser.get("/modules/practice/sections/\(next.item.section + 1)")
                if index > 0 {
                    #expect(page.body.contains("lesson-again"), "question \(index + 1) folds the section's text away")
                }
                _ = try await browser.post("/modules/practice/answers", rightFields(next))
                state = try #require(try await openAttempt(site, code: code))
            }
            // The scenario: its steps are steps, not "Question 6 of 6" over and over.
            let step = try await browser.get("/modules/practice/sections/3")
            #expect(step.body.contains("Scenario: step 1"), "\(step.body)")
            let next = try #require(state.next)
            _ = try await browser.post("/modules/practice/answers", rightFields(next))
            let second = try await browser.get("/modules/practice/sections/3")
            #expect(second.body.contains("Scenario: step 2"))
        }
    }

    @Test func anEmptySelectAllIsNeverScored() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let (browser, code) = try await startedLearner(client)
            // Answer the first question, then send the select-all with nothing ticked.
            var state = try #require(try await openAttempt(site, code: code))
            _ = try await browser.post("/modules/practice/answers", rightFields(try #require(state.next)))
            state = try #require(try await openAttempt(site, code: code))
            let next = try #require(state.next)
            #expect(next.presented.question.kind == .selectAll)
            try await browser.get("/modules/practice/sections/2")
            let page = try await browser.post("/modules/practice/answers", [("item", next.item.id), ("step", "")])
            #expect(page.status == .badRequest)
            #expect(page.body.contains("Tick every answer that applies"))
            #expect(try await openAttempt(site, code: code)?.responses.count == 1, "nothing was stored")
        }
    }

    @Test func criticalFeedbackShowsOnceAndTheResultSaysWhy() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let (browser, code) = try await startedLearner(client)
            var state = try #require(try await openAttempt(site, code: code))
            var first = true
            while let next = state.next {
                var fields = rightFields(next)
                if first, next.presented.question.kind == .singleChoice {
                    // The critical "cold bath" option, in the letters shown.
                    let bath = try #require(next.presented.question.options.first { $0.isCritical && !$0.isCorrect })
                    fields = [("item", next.item.id), ("step", ""), ("answer", next.presented.shownLetter(bath.letter))]
                }
                try await browser.get("/modules/practice/sections/\(next.item.section + 1)")
                _ = try await browser.post("/modules/practice/answers", fields)
                if first {
                    let feedback = try await browser.get("/modules/practice/feedback")
                    #expect(feedback.body.components(separatedBy: "A cold bath can hurt them.").count == 2,
                            "the critical option's feedback is shown once")
                    #expect(feedback.body.contains("verdict-not-yet"))
                    first = false
                }
                guard let after = try await openAttempt(site, code: code) else { break }
                state = after
            }
            let result = try await browser.get("/modules/practice/result")
            #expect(result.body.contains("Practice Module: not yet"))
            #expect(result.body.contains("an important choice means this attempt doesn"), "the score is above the mark: say why")
            #expect(result.body.contains("You have 1 attempt left."))
            #expect(result.body.contains("then try again"))
            #expect(result.body.contains(#"action="/modules/practice/attempts""#) && result.body.contains("Try again"),
                    "trying again is one button away")
        }
    }

    @Test func theStartPageRendersCalloutsAndKeepsFacilitatorNotesOut() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let page = try await Browser(client).get("/")
            #expect(page.body.contains("callout-tip") && page.body.contains("Take a break whenever you like."))
            #expect(!page.body.contains("[!TIP]") && !page.body.contains("[!FACILITATOR]"))
            #expect(!page.body.contains("Facilitator-only welcome note"))
            // The start form comes before the welcome text, so a phone shows it on the first screen.
            let form = try #require(page.body.range(of: "action=\"/start"))
            let welcome = try #require(page.body.range(of: "A small course the records tests take"))
            #expect(form.lowerBound < welcome.lowerBound)
            #expect(page.body.components(separatedBy: "<h1").count == 2, "one main heading")
        }
    }

    @Test func aPassPointsToTheNextModule() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let (browser, code) = try await startedLearner(client)
            while let state = try await openAttempt(site, code: code), let next = state.next {
                try await browser.get("/modules/practice/sections/\(next.item.section + 1)")
                _ = try await browser.post("/modules/practice/answers", rightFields(next))
            }
            let result = try await browser.get("/modules/practice/result")
            #expect(result.body.contains("Practice Module: passed"))
            #expect(result.body.contains(#"href="/modules/second">Next: Second Module"#))
        }
    }
}
