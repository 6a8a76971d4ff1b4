import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import Runtime
import SQLiteStore
import Testing
@testable import TrainingServer

/// The staff area: a coordinator made on the command line signs in, invites a facilitator,
/// who sees only what a facilitator may; every staff route refuses whoever shouldn't use it.
@Suite struct StaffRouteTests {
    static let password = "a quiet harbour at dawn"

    /// Follows a one-time link and chooses a password; returns the page after.
    func choosePassword(_ browser: Browser, link token: String, password: String = StaffRouteTests.password) async throws -> Browser.Page {
        let page = try await browser.get("/staff/welcome/\(token)")
        #expect(page.status == .ok)
        return try await browser.post("/staff/welcome", [("token", token), ("password", password), ("confirm", password)])
    }

    func signIn(_ browser: Browser, _ name: String, _ password: String = StaffRouteTests.password) async throws -> Browser.Page {
        try await browser.get("/staff")
        return try await browser.post("/staff/sign-in", [("name", name), ("password", password)])
    }

    /// Every staff page a coordinator may use, GET and POST.
    static let coordinatorGets = ["/staff/people", "/staff/audit"]
    static let coordinatorPosts = ["/staff/people", "/staff/people/ID/remove", "/staff/people/ID/reset"]
    static let staffGets = ["/staff/two-step"]
    static let staffPosts = ["/staff/two-step", "/staff/two-step/off"]

    @Test func aCoordinatorInvitesAFacilitatorWhoSeesOnlyWhatAFacilitatorMay() async throws {
        let site = try TestSite()
        defer { site.remove() }
        let (ada, link) = try await site.staff.add(name: "Ada", roles: [.coordinator], by: .commandLine)
        try await site.test { client in
            let coordinator = Browser(client)
            let chosen = try await choosePassword(coordinator, link: link)
            #expect(chosen.status == .seeOther && chosen.location == "/staff")
            let home = try await coordinator.follow(chosen)
            #expect(home.body.contains("Hello, Ada") && home.body.contains("/staff/people"))
            #expect(try await coordinator.get("/staff/welcome/\(link)").status == .notFound, "a link works once")

            try await coordinator.get("/staff/people")
            let invited = try await coordinator.post("/staff/people", [("name", "Bea"), ("role", "facilitator")])
            #expect(invited.status == .ok)
            let url = try #require(invited.body.range(of: "/staff/welcome/").map { range in
                String(invited.body[range.upperBound...].prefix { $0.isHexDigit })
            })
            let facilitator = Browser(client)
            let beaHome = try await facilitator.follow(try await choosePassword(facilitator, link: url))
            #expect(beaHome.body.contains("Hello, Bea") && beaHome.body.contains("Group sessions"))
            #expect(!beaHome.body.contains("/staff/people") && !beaHome.body.contains("/staff/audit"))
            for path in Self.coordinatorGets {
                let page = try await facilitator.get(path)
                #expect(page.status == .forbidden, "a facilitator can't open \(path)")
                #expect(page.body.contains("part of your role") && page.body.contains(#"href="/staff""#), "and is told why, with the way back")
                #expect(!page.body.contains("Ada"), "nothing of the page leaks")
            }
            for path in Self.coordinatorPosts {
                let page = try await facilitator.post(path.replacingOccurrences(of: "ID", with: ada.id), [("name", "Eve"), ("role", "coordinator")])
                #expect(page.status == .forbidden, "a facilitator can't post to \(path)")
            }
            #expect(try await site.staff.everyone().map(\.name) == ["Ada", "Bea"], "nothing changed")
            #expect(try await site.staff.member(named: "Ada").passwordHash != nil)

            // The coordinator reads the audit log; it holds no password.
            let audit = try await coordinator.get("/staff/audit")
            #expect(audit.body.contains("staff added") && audit.body.contains("password set"))
            #expect(!audit.body.contains(Self.password))
        }
    }

    @Test func everyStaffRouteRefusesTheSignedOutALearnerAndAPendingSignIn() async throws {
        let site = try TestSite()
        defer { site.remove() }
        let (ada, link) = try await site.staff.add(name: "Ada", roles: [.coordinator], by: .commandLine)
        _ = try await site.staff.choosePassword(token: link, password: Self.password, confirmation: Self.password)
        try await site.test { client in
            let visitor = Browser(client)
            try await visitor.get("/")
            let learner = Browser(client)
            try await learner.get("/")
            _ = try await learner.follow(try await learner.post("/start", [("name", "Robin")]))
            for browser in [visitor, learner] {
                for path in Self.coordinatorGets + Self.staffGets {
                    let page = try await browser.get(path)
                    #expect(page.status == .seeOther && page.location == "/staff", "\(path) sends them to sign in")
                }
                for path in Self.coordinatorPosts + Self.staffPosts {
                    let page = try await browser.post(path.replacingOccurrences(of: "ID", with: ada.id), [("name", "Eve"), ("role", "coordinator")])
                    #expect(page.status == .seeOther || page.status == .forbidden, "\(path): \(page.status)")
                }
                // A forged staff cookie is nobody.
                browser.setCookie("gw_staff=\(String(repeating: "0", count: 64))")
                #expect(try await browser.get("/staff/people").location == "/staff")
            }
            #expect(try await site.staff.everyone().count == 1, "nothing was added or removed")
        }
    }

    @Test func aSecondStepIsAskedForAndCanBeRequiredForCoordinators() async throws {
        let site = try TestSite(requireTwoStep: true)
        defer { site.remove() }
        let (_, link) = try await site.staff.add(name: "Ada", roles: [.coordinator], by: .commandLine)
        try await site.test { client in
            let browser = Browser(client)
            let chosen = try await choosePassword(browser, link: link)
            #expect(chosen.location == "/staff/two-step", "a coordinator must set up two-step first")
            #expect(try await browser.get("/staff/people").location == "/staff/two-step", "and can use nothing else until then")
            let setup = try await browser.get("/staff/two-step")
            let secret = try #require(Browser.value(of: "secret", in: setup.body))
            let wrong = try await browser.post("/staff/two-step", [("secret", secret), ("code", "000000")])
            #expect(wrong.status == .badRequest)
            let code = String(format: "%06d", TOTP(secret: secret).compute())
            let on = try await browser.post("/staff/two-step", [("secret", secret), ("code", code)])
            #expect(on.location == "/staff")
            #expect(try await browser.get("/staff/people").status == .ok)

            // Next time: password, then the code, before anything else.
            let next = Browser(client)
            let signedIn = try await signIn(next, "Ada")
            #expect(signedIn.location == "/staff/code")
            #expect(try await next.get("/staff/people").location == "/staff/code", "the password alone isn't enough")
            #expect(try await next.post("/staff/code", [("code", "123456")]).status == .badRequest)
            let verified = try await next.post("/staff/code", [("code", String(format: "%06d", TOTP(secret: secret).compute()))])
            #expect(verified.location == "/staff")
            #expect(try await next.get("/staff/people").status == .ok)
            #expect(try await next.post("/staff/two-step/off", [("code", code)]).status == .forbidden, "required: it stays on")
        }
    }

    @Test func signInGuessingIsLimitedPerAccount() async throws {
        let site = try TestSite()
        defer { site.remove() }
        let (_, link) = try await site.staff.add(name: "Ada", roles: [.coordinator], by: .commandLine)
        _ = try await site.staff.choosePassword(token: link, password: Self.password, confirmation: Self.password)
        try await site.test { client in
            let guesser = Browser(client)
            for guess in 0..<5 {
                let page = try await signIn(guesser, "ada", "wrong password \(guess)")
                #expect(page.status == .badRequest)
                #expect(page.body.contains("don&#39;t match") || page.body.contains("don't match"))
            }
            // Even the right password waits now, from any device.
            let owner = Browser(client)
            let limited = try await signIn(owner, "Ada")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.body.contains("Wait 15 minutes"))
            let audit = try await site.staff.auditLog(for: .commandLine)
            #expect(audit.filter { $0.action == "sign-in refused" }.count == 5)
        }
    }

    @Test func signingOutOrBeingRemovedEndsASessionAtOnce() async throws {
        let site = try TestSite()
        defer { site.remove() }
        let (_, adaLink) = try await site.staff.add(name: "Ada", roles: [.coordinator], by: .commandLine)
        let (bea, beaLink) = try await site.staff.add(name: "Bea", roles: [.facilitator], by: .commandLine)
        try await site.test { client in
            let ada = Browser(client)
            _ = try await choosePassword(ada, link: adaLink)
            let beaBrowser = Browser(client)
            _ = try await choosePassword(beaBrowser, link: beaLink)
            #expect(try await beaBrowser.get("/staff").body.contains("Hello, Bea"))
            #expect(beaBrowser.cookies["gw_staff"] != nil)

            // Removed by a coordinator: Bea's open session ends on her next click.
            try await ada.get("/staff/people")
            let removed = try await ada.post("/staff/people/\(bea.id)/remove", [])
            #expect(removed.location == "/staff/people")
            #expect(try await beaBrowser.get("/staff").body.contains("Staff sign-in"))
            #expect(try await beaBrowser.get("/staff/two-step").location == "/staff")

            // Signing out ends Ada's session for every copy of the cookie.
            let adaCookie = try #require(ada.cookies["gw_staff"])
            try await ada.get("/staff")
            _ = try await ada.post("/staff/sign-out", [])
            let copy = Browser(client)
            copy.setCookie("gw_staff=\(adaCookie)")
            #expect(try await copy.get("/staff/people").location == "/staff")
        }
    }

    @Test func weakPasswordsAndUsedLinksAreRefusedWithAReason() async throws {
        let site = try TestSite()
        defer { site.remove() }
        let (_, link) = try await site.staff.add(name: "Ada Lovelace", roles: [.coordinator], by: .commandLine)
        try await site.test { client in
            let browser = Browser(client)
            for (weak, reason) in [("short", "at least 12"), ("password1234", "common passwords"), ("aaaaaaaaaaaaaa", "repeats"),
                                   ("AdaLovelace1", "your name"), ("qwertyuiopasdf", "keyboard")] {
                try await browser.get("/staff/welcome/\(link)")
                let page = try await browser.post("/staff/welcome", [("token", link), ("password", weak), ("confirm", weak)])
                #expect(page.status == .badRequest, "\(weak)")
                #expect(page.body.contains(reason), "\(weak): \(reason) in \(page.body.components(separatedBy: "role=\"alert\"").dropFirst().first?.prefix(200) ?? "")")
            }
            let mismatch = try await browser.post("/staff/welcome", [("token", link), ("password", Self.password), ("confirm", "other words entirely")])
            #expect(mismatch.body.contains("aren"))
            #expect(try await choosePassword(browser, link: link).location == "/staff", "the link still worked after refusals")
            let again = try await browser.post("/staff/welcome", [("token", link), ("password", Self.password), ("confirm", Self.password)])
            #expect(again.status == .notFound && again.body.contains("no longer works"))
        }
    }
}
