import CurriculumKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import GRDB
import Runtime
import SQLiteStore
import Testing
@testable import TrainingServer

/// The form fields that answer what the attempt is at correctly, in the letters shown.
func rightFields(_ next: AttemptState.Next) -> [(String, String)] {
    let presented = next.presented
    let question = presented.question
    var fields: [(String, String)] = [("item", next.item.id)]
    if case let .scenarioStep(_, step, _, _) = next { fields.append(("step", step.slug)) } else { fields.append(("step", "")) }
    switch question.kind {
    case .singleChoice:
        if let right = question.options.first(where: \.isCorrect) { fields.append(("answer", presented.shownLetter(right.letter))) }
    case .selectAll:
        for option in question.options where option.isCorrect { fields.append(("answer", presented.shownLetter(option.letter))) }
    case .ordering:
        for (index, option) in question.options.enumerated() {
            fields.append(("position-\(presented.shownLetter(option.letter))", String(index + 1)))
        }
    case .matching:
        for option in question.options {
            let target = question.matchTargets[option.match ?? 0]
            let shown = (presented.shown.matchTargets.firstIndex(of: target) ?? 0) + 1
            fields.append(("match-\(presented.shownLetter(option.letter))", String(shown)))
        }
    case .shortAnswer:
        fields.append(("answer", question.acceptedAnswers.first ?? ""))
    }
    return fields
}

/// Registers through the start form; returns the resume code shown.
func signUp(_ browser: Browser, name: String = "Robin") async throws -> String {
    try await browser.get("/")
    let started = try await browser.post("/start", [("name", name)])
    #expect(started.status == .seeOther && started.location == "/welcome")
    let welcome = try await browser.follow(started)
    let code = welcome.body.range(of: "<strong>").flatMap { start in
        welcome.body[start.upperBound...].range(of: "</strong>").map { String(welcome.body[start.upperBound..<$0.lowerBound]) }
    }
    return try #require(code)
}

/// The learner web app through its router: pages, forms, security and privacy.
@Suite struct RouteTests {
    @Test func everyResponseCarriesTheSecurityHeaders() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let browser = Browser(client)
            for path in ["/", "/no-such-page", "/style.css", "/health"] {
                let page = try await browser.get(path)
                let csp = try #require(page.headers[.contentSecurityPolicy], "\(path)")
                #expect(csp.contains("script-src 'self'") && csp.contains("default-src 'self'"))
                #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"))
                #expect(page.headers[.xContentTypeOptions] == "nosniff")
                #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            }
            let home = try await Browser(client).get("/")
            #expect(home.status == .ok)
            let cookie = try #require(home.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            #expect(!home.body.contains("<script"), "no script at all, so none inline")
            #expect(!home.body.contains("style=\""), "no inline styles")
        }
    }

    @Test func aPostWithoutTheRightTokenIsRefused() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let browser = Browser(client)
            try await browser.get("/")
            let none = try await browser.post("/start", [("name", "Robin")], withToken: false)
            #expect(none.status == .forbidden)
            #expect(none.body.contains("Go back to the start page and try again"))
            let wrong = try await browser.post("/start", [("name", "Robin")], csrf: String(repeating: "0", count: 64))
            #expect(wrong.status == .forbidden)
            // A token from someone else's session doesn't work with this cookie.
            let other = Browser(client)
            try await other.get("/")
            let foreign = try await browser.post("/start", [("name", "Robin")], csrf: other.token)
            #expect(foreign.status == .forbidden)
            let noCookie = Browser(client)
            let bare = try await noCookie.post("/resume", [("code", "a b c d")], csrf: browser.token)
            #expect(bare.status == .forbidden)
        }
        let count = try await site.store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM learner") }
        #expect(count == 0, "no learner was created")
    }

    @Test func aDisplayNameIsShownEscaped() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let browser = Browser(client)
            _ = try await signUp(browser, name: "<script>alert(1)</script>")
            let home = try await browser.get("/")
            #expect(home.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!home.body.contains("<script>alert(1)"))
        }
    }

    @Test func aLearnerTakesAWholeModuleAndSeesTheirCode() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let browser = Browser(client)
            let code = try await signUp(browser)
            #expect(code.split(separator: "-").count == 4)
            let welcomeAgain = try await browser.get("/welcome")
            #expect(welcomeAgain.status == .seeOther, "the code is shown once")
            let home = try await browser.get("/")
            #expect(home.body.contains("Practice Module") && home.body.contains("Not started"))
            let module = try await browser.get("/modules/practice")
            #expect(module.body.contains("Answer one question of every kind."))
            var page = try await browser.follow(try await browser.post("/modules/practice/attempts", []))
            #expect(page.body.contains("Naloxone reverses an opioid overdose") || page.body.contains("<fieldset"))
            #expect(!page.body.contains("Secret note for facilitators"))
            var answered = 0
            while answered < 20 {
                let learner = try #require(try await site.store.learner(resumeCode: code, hasher: site.hasher))
                guard let state = try await site.coursework.openAttempt("practice", for: learner), let next = state.next else { break }
                let sectionPage = try await browser.get("/modules/practice/sections/\(next.item.section + 1)")
                #expect(sectionPage.body.contains("<fieldset"), "the question form is on its section's page")
                #expect(sectionPage.body.contains("<legend>"))
                let posted = try await browser.post("/modules/practice/answers", rightFields(next))
                #expect(posted.status == .seeOther && posted.location == "/modules/practice/feedback")
                page = try await browser.follow(posted)
                #expect(page.body.contains("That&#39;s right") || page.body.contains("That's right"), "\(page.body)")
                answered += 1
            }
            #expect(answered == 7, "5 questions and 2 scenario steps")
            #expect(page.body.contains("Scenario score: 100%"))
            let result = try await browser.get("/modules/practice/result")
            #expect(result.body.contains("Practice Module: passed"))
            #expect(result.body.contains("Your score: 100%"))
            let after = try await browser.get("/")
            #expect(after.body.contains("Passed (100%)"))
            #expect(after.body.contains("1 of 2 required modules passed"))
        }
    }

    @Test func aBadSubmissionComesBackWithAMessageAndNothingIsLost() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let browser = Browser(client)
            _ = try await signUp(browser)
            try await browser.get("/modules/practice")
            _ = try await browser.post("/modules/practice/attempts", [])
            try await browser.get("/modules/practice/sections/2")
            let item = try #require(Browser.value(of: "item", in: browser.lastPage))
            let empty = try await browser.post("/modules/practice/answers", [("item", item), ("step", "")])
            #expect(empty.status == .badRequest)
            #expect(empty.body.contains("Choose one of the answers"))
            #expect(empty.body.contains("role=\"alert\""))
            #expect(empty.body.contains("<fieldset"), "the question is shown again")
            let nonsense = try await browser.post("/modules/practice/answers", [("item", item), ("step", ""), ("answer", "zz")])
            #expect(nonsense.status == .badRequest)
            #expect(nonsense.body.contains("There is no option"))
            let stale = try await browser.post("/modules/practice/answers", [("item", "practice/other"), ("step", ""), ("answer", "a")])
            #expect(stale.status == .seeOther, "an old form is sent back to where the learner is")
            let huge = try await browser.post("/modules/practice/answers", [("item", item), ("answer", String(repeating: "x", count: 100_000))])
            #expect(huge.status == .contentTooLarge)
            #expect(huge.body.contains("too much"))
        }
        let count = try await site.store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM response") }
        #expect(count == 0)
    }

    @Test func orderingAndMatchingWorkWithoutDragAndDrop() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let browser = Browser(client)
            let code = try await signUp(browser)
            _ = try await browser.post("/modules/practice/attempts", [])
            let learner = try #require(try await site.store.learner(resumeCode: code, hasher: site.hasher))
            // Answer the first two questions, then the ordering one arrives.
            for _ in 0..<2 {
                let state = try #require(try await site.coursework.openAttempt("practice", for: learner))
                try await browser.get("/modules/practice/sections/2")
                _ = try await browser.post("/modules/practice/answers", rightFields(try #require(state.next)))
            }
            let ordering = try await browser.get("/modules/practice/sections/2")
            #expect(ordering.body.contains("<select name=\"position-a\""))
            #expect(ordering.body.contains("<label for=\"pos-a\">"))
            let item = try #require(Browser.value(of: "item", in: ordering.body))
            let same = try await browser.post("/modules/practice/answers",
                                              [("item", item), ("step", ""), ("position-a", "1"), ("position-b", "1"), ("position-c", "2")])
            #expect(same.status == .badRequest && same.body.contains("different position"))
            #expect(same.body.contains("<option value=\"1\" selected>"), "choices are kept")
        }
    }

    @Test func oneLearnerCannotSeeAnothersRecords() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let alice = Browser(client)
            let code = try await signUp(alice, name: "Alice")
            _ = try await alice.post("/modules/practice/attempts", [])
            let learner = try #require(try await site.store.learner(resumeCode: code, hasher: site.hasher))
            let state = try #require(try await site.coursework.openAttempt("practice", for: learner))
            try await alice.get("/modules/practice/sections/2")
            _ = try await alice.post("/modules/practice/answers", rightFields(try #require(state.next)))

            let bob = Browser(client)
            _ = try await signUp(bob, name: "Bob")
            let home = try await bob.get("/")
            #expect(!home.body.contains("Alice"))
            #expect(!home.body.contains("In progress"))
            let feedback = try await bob.get("/modules/practice/feedback")
            #expect(feedback.status == .seeOther, "Bob has no answers to see")
            // A cookie with a made-up session token, or with Alice's id in place of one: signed out.
            bob.setCookie("gw_session=s.\(String(repeating: "ab", count: 32))")
            #expect(try await bob.get("/").body.contains("Start the course"))
            bob.setCookie("gw_session=s.\(learner.id)")
            let forgedHome = try await bob.get("/")
            #expect(forgedHome.body.contains("Start the course") && !forgedHome.body.contains("Alice"))
            let forgedModule = try await bob.get("/modules/practice")
            #expect(forgedModule.status == .seeOther)
        }
    }

    @Test func resumingWithACodeContinuesOnAnotherDevice() async throws {
        let site = try TestSite()
        defer { site.remove() }
        // Started elsewhere (the terminal runner writes the same records).
        let (learner, code) = try await site.coursework.register(displayName: "Sam")
        var state = try await site.coursework.attempt("practice", for: learner)
        for _ in 0..<2 {
            let next = try #require(state.next)
            let right = next.presented.question.kind == .singleChoice
                ? CurriculumKit.Response.choice(next.presented.question.options.first(where: \.isCorrect)?.letter ?? "a")
                : CurriculumKit.Response.selection(next.presented.question.options.filter(\.isCorrect).map(\.letter))
            state = try await site.coursework.answer(right, in: state).state
        }
        try await site.test { client in
            let browser = Browser(client)
            try await browser.get("/")
            let wrong = try await browser.post("/resume", [("code", "not a real code at all")])
            #expect(wrong.status == .badRequest && wrong.body.contains("4 words"))
            let resumed = try await browser.post("/resume", [("code", code.description.uppercased().replacingOccurrences(of: "-", with: " "))])
            #expect(resumed.status == .seeOther)
            let home = try await browser.follow(resumed)
            #expect(home.body.contains("Sam") && home.body.contains("In progress"))
            let module = try await browser.get("/modules/practice")
            #expect(module.body.contains("Continue at question 3 of 6"))
        }
    }

    @Test func unknownPagesAndSignedOutVisitsAreFriendly() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let browser = Browser(client)
            let missing = try await browser.get("/no/such/page")
            #expect(missing.status == .notFound)
            #expect(missing.body.contains("Page not found") && missing.body.contains("href=\"/\""))
            let signedOut = try await browser.get("/modules/practice")
            #expect(signedOut.status == .seeOther && signedOut.location == "/")
            _ = try await signUp(browser)
            for path in ["/modules/nope", "/modules/practice/sections/99", "/modules/practice/sections/x", "/modules/practice/sections/0"] {
                let page = try await browser.get(path)
                #expect(page.status == .notFound, "\(path) → \(page.location ?? "")")
                #expect(!page.body.contains("Error:") && !page.body.contains(".swift"))
            }
            let health = try await browser.get("/health")
            #expect(health.body.contains(#""status":"ok""#))
        }
    }

    @Test func discussionPromptsGetAPrivateReflectionBox() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let browser = Browser(client)
            _ = try await signUp(browser)
            let page = try await browser.get("/modules/practice/sections/1")
            #expect(page.body.contains("Think about it") && page.body.contains("Who could you ask to stay with you?"))
            let box = try #require(page.body.range(of: "<textarea"))
            #expect(page.body.contains("<label for=\"reflect-s0-1\""))
            #expect(page.body[..<box.lowerBound].components(separatedBy: "<form").count
                    == page.body[..<box.lowerBound].components(separatedBy: "</form>").count, "not inside a form: never sent")
            #expect(!page.body.contains("Secret note for facilitators"))
        }
    }
}
