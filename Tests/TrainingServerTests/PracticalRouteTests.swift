import CurriculumKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Runtime
import SQLiteStore
import Testing
@testable import TrainingServer

/// Practical skill sign-offs over HTTP: a facilitator ticks the steps they watched a linked
/// participant do and signs them off on the session's sign-off page; a coordinator records
/// one by hand with a reason; completion and the certificate wait for the required practical;
/// and nobody else can write a sign-off.
@Suite struct PracticalRouteTests {
    static let practicalID = "skills/giving-naloxone"
    static let allSteps = ["0", "1", "2"]

    /// The site over the fixture course with a required practical (`practical-course`).
    static func site() throws -> TestSite { try TestSite(course: "practical-course") }

    /// A session over `modules` opened by `facilitator`: its control path and join code.
    func open(_ facilitator: Browser, _ modules: [String] = ["skills"]) async throws -> (control: String, code: String) {
        let control = try await GroupRouteTests().open(facilitator, modules)
        let code = try GroupRouteTests().joinCode(try await facilitator.get(control).body)
        return (control, code)
    }

    /// A phone that joins the session and links `resumeCode`.
    @discardableResult
    func joinAndLink(_ client: any TestClientProtocol, code: String, resumeCode: String) async throws -> Browser {
        let phone = Browser(client)
        try await phone.get("/join?code=\(code)")
        let joined = try await phone.post("/join", [("code", code)])
        #expect(joined.status == .seeOther && joined.location == "/live")
        try await phone.get("/live")
        let linked = try await phone.post("/live/link", [("code", resumeCode)])
        #expect(linked.location == "/live?n=linked", "the resume code links")
        return phone
    }

    /// The form fields for signing `learnerID` off with `steps` ticked.
    func signOffFields(_ learnerID: String, steps: [String] = allSteps, practical: String = practicalID) -> [(String, String)] {
        [("learner", learnerID), ("practical", practical)] + steps.map { ("step", $0) }
    }

    /// Signs off through the form: a redirect back to the sign-off page (so a reload sends
    /// nothing again), whose notice says what happened. Returns the page it leads to.
    @discardableResult
    func signOff(_ facilitator: Browser, _ practicals: String, _ learnerID: String, done: String = "signed") async throws -> Browser.Page {
        let posted = try await facilitator.post(practicals, signOffFields(learnerID))
        #expect(posted.status == .seeOther, "a sign-off redirects: \(posted.status)")
        #expect(posted.location?.hasPrefix(practicals + "?done=\(done)") == true, "\(posted.location ?? "")")
        let page = try await facilitator.follow(posted)
        #expect(page.status == .ok)
        return page
    }

    /// Whether the checkbox for step `index` on the sign-off page is ticked.
    func isTicked(_ index: Int, in body: String) throws -> Bool {
        let marker = #"name="step" value="\#(index)" id=""#
        let start = try #require(body.range(of: marker), "no checkbox for step \(index)")
        let tag = body[start.upperBound...].prefix { $0 != ">" }
        return tag.hasSuffix(" checked")
    }

    /// A page's text with the template's escapes undone (its apostrophes are written &#39;).
    func text(_ page: Browser.Page) -> String {
        page.body.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
    }

    /// Every sign-off and audit entry about practicals: for "nothing was written".
    func written(_ site: TestSite) async throws -> (signOffs: [String: Set<String>], audited: [AuditEntry]) {
        (try await site.store.signedOffPracticals(), try await site.audit().filter { $0.action == "practical signed off" })
    }

    // MARK: Who may sign off

    @Test func theSignOffRoutesRefuseEveryoneWhoMayNotUseThem() async throws {
        let site = try Self.site()
        defer { site.remove() }
        try await site.test { client in
            let (owner, _) = try await GroupRouteTests().signedIn(site, client, "Bea", [.facilitator])
            let (control, code) = try await open(owner)
            let practicals = control + "/practicals"
            let robinBrowser = Browser(client)
            let robinCode = try await signUp(robinBrowser, name: "Robin Sparrow")
            let robin = try await site.coursework.learner(resumeCode: robinCode)
            try await joinAndLink(client, code: code, resumeCode: robinCode)
            let (sam, _) = try await site.coursework.register(displayName: "Sam Outside")
            let coordinatorAction = "/staff/learners/\(robin.id)/practical"
            let reasonFields = [("practical", Self.practicalID), ("reason", "watched at the March training")]
            #expect(try await owner.get(practicals).body.contains("Robin Sparrow"), "Robin is in the session")

            // Signed out, and a learner: sent to the staff sign-in.
            let visitor = Browser(client)
            try await visitor.get("/")
            for (who, browser) in [("signed out", visitor), ("a learner", robinBrowser)] {
                let page = try await browser.get(practicals)
                #expect(page.status == .seeOther && page.location == "/staff", "\(who): GET → \(page.status)")
                #expect(!page.body.contains("Robin Sparrow"))
                try await browser.get("/")
                let posted = try await browser.post(practicals, signOffFields(robin.id))
                #expect(posted.status == .seeOther && posted.location == "/staff", "\(who): POST → \(posted.status)")
                let action = try await browser.post(coordinatorAction, reasonFields)
                #expect(action.status == .seeOther && action.location == "/staff", "\(who): coordinator POST → \(action.status)")
            }

            // A coordinator without the facilitator role: not their role.
            let (coordinator, _) = try await GroupRouteTests().signedIn(site, client, "Dee", [.coordinator])
            let refused = try await coordinator.get(practicals)
            #expect(refused.status == .forbidden && refused.body.contains("part of your role"))
            #expect(!refused.body.contains("Robin Sparrow"))
            try await coordinator.get("/staff")
            #expect(try await coordinator.post(practicals, signOffFields(robin.id)).status == .forbidden)

            // A facilitator without the coordinator role can't use the coordinator's action.
            try await owner.get("/staff")
            let ownerAction = try await owner.post(coordinatorAction, reasonFields)
            #expect(ownerAction.status == .forbidden, "facilitator: coordinator POST → \(ownerAction.status)")

            // Another facilitator: the session is someone else's.
            let (other, _) = try await GroupRouteTests().signedIn(site, client, "Cas", [.facilitator])
            let theirs = try await other.get(practicals)
            #expect(theirs.status == .forbidden && theirs.body.contains("run by someone else"))
            #expect(!theirs.body.contains("Robin Sparrow"))
            try await other.get("/staff/sessions")
            #expect(try await other.post(practicals, signOffFields(robin.id)).status == .forbidden)
            // No such session.
            #expect(try await owner.get("/staff/sessions/0\(control.split(separator: "/").last ?? "")/practicals").status == .notFound)

            // The owner, for someone who isn't in the session, or nobody at all.
            try await owner.get(practicals)
            for (who, id) in [("a learner not in the session", sam.id), ("an unknown learner", String(repeating: "ab", count: 16))] {
                let page = try await owner.post(practicals, signOffFields(id))
                #expect(page.status == .badRequest, "\(who) → \(page.status)")
                #expect(page.body.contains("This learner is not in this session."), "\(who): says why")
            }
            let unknownPractical = try await owner.post(practicals, signOffFields(robin.id, practical: "skills/juggling"))
            #expect(unknownPractical.status == .badRequest && text(unknownPractical).contains("no practical 'skills/juggling'"))
            // And without the form token, or with a forged one.
            try await owner.get(practicals)
            #expect(try await owner.post(practicals, signOffFields(robin.id), withToken: false).status == .forbidden)
            #expect(try await owner.post(practicals, signOffFields(robin.id), csrf: String(repeating: "0", count: 64)).status == .forbidden)

            // A coordinator: an unknown learner, an unknown practical, no token.
            let (ada, _) = try await GroupRouteTests().signedIn(site, client, "Ada", [.coordinator])
            try await ada.get("/staff/learners/\(robin.id)")
            let nobody = try await ada.post("/staff/learners/\(String(repeating: "ab", count: 16))/practical", reasonFields)
            #expect(nobody.status == .notFound && nobody.body.contains("No such learner"))
            let juggling = try await ada.post(coordinatorAction, [("practical", "skills/juggling"), ("reason", "typo")])
            #expect(juggling.status == .badRequest && text(juggling).contains("no practical 'skills/juggling'"))
            #expect(try await ada.post(coordinatorAction, reasonFields, withToken: false).status == .forbidden)

            // Nothing was written, for anyone.
            let (signOffs, audited) = try await written(site)
            #expect(signOffs.isEmpty, "\(signOffs)")
            #expect(audited.isEmpty, "\(audited.map(\.detail))")
            #expect(try await site.store.signOffs(learnerID: robin.id).isEmpty)
            #expect(try await site.store.signOffs(learnerID: sam.id).isEmpty)
            #expect(try await !site.coursework.progress(of: robin).practicalsComplete)
        }
    }

    // MARK: The facilitator's sign-off

    @Test func aFacilitatorSignsOffALinkedParticipantOnceEveryStepIsTicked() async throws {
        let site = try Self.site()
        defer { site.remove() }
        try await site.test { client in
            let (bea, beaMember) = try await GroupRouteTests().signedIn(site, client, "Bea", [.facilitator])
            let (control, code) = try await open(bea)
            let sessionID = String(control.split(separator: "/").last ?? "")
            let robinBrowser = Browser(client)
            let robinCode = try await signUp(robinBrowser, name: "Robin Sparrow")
            let robin = try await site.coursework.learner(resumeCode: robinCode)
            try await joinAndLink(client, code: code, resumeCode: robinCode)
            let practicals = control + "/practicals"

            #expect(try await bea.get(control).body.contains(#"href="\#(practicals)""#), "the control page links to the sign-off page")
            let page = try await bea.get(practicals)
            #expect(page.status == .ok)
            #expect(page.body.contains("Practice: Giving naloxone") && page.body.contains("Robin Sparrow"))
            #expect(page.body.contains("Calls for <strong>help</strong>"), "the steps as written")
            #expect(page.body.components(separatedBy: #"name="step""#).count - 1 == 3, "a box for each step")
            #expect(!(try isTicked(0, in: page.body)), "nothing ticked to begin with")

            // A step not seen: refused, with the ticks kept.
            let missing = try await bea.post(practicals, signOffFields(robin.id, steps: ["0", "2"]))
            #expect(missing.status == .badRequest)
            let error = try #require(missing.body.range(of: #"<p class="error" role="alert">"#).map { missing.body[$0.upperBound...].prefix { $0 != "<" } })
            #expect(error.hasPrefix("Not signed off yet: ") && error.contains("not ticked"), "says why: \(error)")
            #expect(error.contains("step 2 of 3"), "names the step not ticked: \(error)")
            #expect(error.hasSuffix("Tick every step you saw Robin Sparrow do."))
            #expect(try isTicked(0, in: missing.body) && !(try isTicked(1, in: missing.body)) && (try isTicked(2, in: missing.body)),
                    "the ticks the facilitator made are still there")
            #expect(missing.body.contains("<details class=\"sign-off\" open>"), "and Robin's checklist stays open")
            let none = try await bea.post(practicals, signOffFields(robin.id, steps: []))
            #expect(none.status == .badRequest && none.body.contains("Not signed off yet: ") && none.body.contains("not ticked"))
            let nonsense = try await bea.post(practicals, signOffFields(robin.id, steps: ["0", "1", "7", "x"]))
            #expect(nonsense.status == .badRequest, "steps that don't exist don't stand in for a missing one")
            #expect(try await site.store.signOffs(learnerID: robin.id).isEmpty, "nothing written")

            // Every step: signed off.
            let signed = try await signOff(bea, practicals, robin.id)
            #expect(signed.body.contains("Signed off Robin Sparrow."))
            #expect(signed.body.contains("Signed off on ") && signed.body.contains("by Bea."))
            let signOffs = try await site.store.signOffs(learnerID: robin.id)
            #expect(signOffs.count == 1)
            let first = try #require(signOffs.first)
            #expect(first.practicalID == Self.practicalID && first.signedBy == beaMember.id && first.signerName == "Bea")
            #expect(first.groupSessionID == sessionID && first.reason == nil)

            // In the audit log under Robin's short id, never their name.
            let audited = try await site.audit().filter { $0.action == "practical signed off" }
            #expect(audited.count == 1)
            let entry = try #require(audited.first)
            #expect(entry.actorName == "Bea")
            #expect(entry.detail.contains("learner \(robin.id.prefix(8))") && entry.detail.contains(Self.practicalID))
            #expect(!entry.detail.contains(robin.id) && !entry.detail.contains("Robin"), "\(entry.detail)")

            // The learner sees it on the practical's own page.
            let section = try await robinBrowser.get("/modules/skills/sections/2")
            #expect(section.status == .ok)
            #expect(section.body.contains("<h1>Practice: Giving naloxone</h1>") && section.body.contains(#"class="card practical""#))
            #expect(section.body.contains("Signed off on ") && section.body.contains("by Bea."), "the sign-off is shown")

            // Signing off again keeps the first.
            let again = try await signOff(bea, practicals, robin.id, done: "kept")
            #expect(again.body.contains("Robin Sparrow was already signed off on this; the first sign-off stands."))
            #expect(try await site.store.signOffs(learnerID: robin.id) == [first])
            #expect(try await site.audit().filter { $0.action == "practical signed off" }.count == 1, "audited once")
        }
    }

    @Test func theFacilitatorCanStillSignOffThoseWhoAttendedOnceTheSessionHasEnded() async throws {
        let site = try Self.site()
        defer { site.remove() }
        try await site.test { client in
            let (bea, _) = try await GroupRouteTests().signedIn(site, client, "Bea", [.facilitator])
            let (control, code) = try await open(bea)
            let (robin, robinCode) = try await site.coursework.register(displayName: "Robin Sparrow")
            try await joinAndLink(client, code: code, resumeCode: robinCode.description)
            try await bea.get(control)
            let ended = try await bea.post(control + "/end", [])
            #expect(ended.body.contains("sign off practical skills"), "the ended page links to the sign-off page")
            let page = try await bea.get(control + "/practicals")
            #expect(page.status == .ok && page.body.contains("Robin Sparrow"), "those who attended are still listed")
            try await signOff(bea, control + "/practicals", robin.id)
            #expect(try await site.store.signOffs(learnerID: robin.id).count == 1)
        }
    }

    @Test func aSessionOverModulesWithoutPracticalsSignsOffNothing() async throws {
        let site = try Self.site()
        defer { site.remove() }
        try await site.test { client in
            let (bea, _) = try await GroupRouteTests().signedIn(site, client, "Bea", [.facilitator])
            let (control, code) = try await open(bea, ["second"])
            let (robin, robinCode) = try await site.coursework.register(displayName: "Robin Sparrow")
            try await joinAndLink(client, code: code, resumeCode: robinCode.description)
            let page = try await bea.get(control + "/practicals")
            #expect(page.status == .ok && text(page).contains("This session's modules have no practical skills."))
            #expect(!(try await bea.get(control).body.contains("sign-off-link")), "no link to it from the control page")
            let posted = try await bea.post(control + "/practicals", signOffFields(robin.id))
            #expect(posted.status == .badRequest, "a practical of a module the session doesn't run")
            #expect(try await site.store.signOffs(learnerID: robin.id).isEmpty)
        }
    }

    // MARK: The coordinator's sign-off

    @Test func aCoordinatorsSignOffNeedsAReasonAndIsAuditedUnderTheShortID() async throws {
        let site = try Self.site()
        defer { site.remove() }
        let (robin, _) = try await site.coursework.register(displayName: "Robin Sparrow")
        try await site.test { client in
            let ada = try await site.staffBrowser(client, "Ada", [.coordinator])
            let before = try await ada.get("/staff/learners/\(robin.id)")
            #expect(before.body.contains("Record a practical skill sign-off"))
            #expect(before.body.contains(#"<option value="\#(Self.practicalID)">Giving naloxone</option>"#))
            #expect(before.body.contains("Giving naloxone: <span class=\"state state-not-started\">not yet</span>"))

            for blank in ["", "   "] {
                let refused = try await ada.post("/staff/learners/\(robin.id)/practical", [("practical", Self.practicalID), ("reason", blank)])
                CoordinatorRouteTests.Actions().expectReasonAsked(refused, "practical")
            }
            #expect(try await site.store.signOffs(learnerID: robin.id).isEmpty, "nothing written without a reason")

            let reason = "observed by Sam at the 3 June training, paper checklist"
            let recorded = try await ada.post("/staff/learners/\(robin.id)/practical", [("practical", Self.practicalID), ("reason", reason)])
            #expect(recorded.status == .seeOther && recorded.location == "/staff/learners/\(robin.id)?done=practical")
            let after = try await ada.follow(recorded)
            #expect(after.body.contains("The practical skill is signed off."))
            #expect(after.body.contains("by Ada: “\(reason)”"))
            #expect(!after.body.contains("Record a practical skill sign-off"), "nothing left to sign off")
            let signOffs = try await site.store.signOffs(learnerID: robin.id)
            #expect(signOffs.count == 1 && signOffs.first?.reason == reason && signOffs.first?.groupSessionID == nil)
            #expect(signOffs.first?.signerName == "Ada")
            try await CoordinatorRouteTests.Actions().expectAudited(site, ada, "practical signed off", reason: reason, learner: robin)

            // Again: the first stands, and nothing more is audited.
            let again = try await ada.post("/staff/learners/\(robin.id)/practical", [("practical", Self.practicalID), ("reason", "second go")])
            #expect(again.location == "/staff/learners/\(robin.id)?done=practical-kept")
            #expect(try await ada.follow(again).body.contains("They were already signed off on that skill; the first sign-off stands."))
            #expect(try await site.store.signOffs(learnerID: robin.id) == signOffs)
            #expect(try await site.audit().filter { $0.action == "practical signed off" }.count == 1)
        }
    }

    // MARK: Completion

    @Test func completionAndTheCertificateWaitForTheRequiredPractical() async throws {
        let site = try Self.site()
        defer { site.remove() }
        try await site.test { client in
            let robinBrowser = Browser(client)
            let robinCode = try await signUp(robinBrowser, name: "Robin Sparrow")
            let robin = try await site.coursework.learner(resumeCode: robinCode)
            try await site.complete(robin)
            let (bea, _) = try await GroupRouteTests().signedIn(site, client, "Bea", [.facilitator])
            let (control, code) = try await open(bea)
            try await joinAndLink(client, code: code, resumeCode: robinCode)
            try await bea.get(control)
            #expect(try await bea.post(control + "/end", []).body.contains("Attendance recorded for 1 linked person"))

            // Every module passed and a session attended: not complete yet.
            let progress = try await site.coursework.progress(of: robin)
            #expect(progress.modulesComplete && progress.attendanceComplete)
            #expect(progress.practicalsMissing == [Self.practicalID])
            #expect(!progress.isComplete)
            let course = try await robinBrowser.get("/")
            #expect(course.body.contains("Practical skills signed off: 0 of 1. Still to do with a facilitator: Giving naloxone."))
            #expect(course.body.contains("The course also asks for a practical skill signed off by a facilitator."))
            #expect(!course.body.contains(#"action="/certificate""#), "no certificate offered")
            #expect(course.body.contains("had your practical skills signed off, you can get your certificate here"))
            let early = try await robinBrowser.post("/certificate", [("name", "Robin Sparrow")])
            #expect(early.location == "/?certificate=not-yet", "a claim is refused")
            #expect(try await site.store.certificates(learnerID: robin.id).isEmpty)
            let ada = try await site.staffBrowser(client, "Ada", [.coordinator])
            let roster = try await ada.get("/staff/learners")
            #expect(roster.body.contains("<th scope=\"col\">Practicals</th>") && roster.body.contains("<td>0 of 1</td>"))
            #expect(try await ada.get("/staff/learners?state=complete").body.contains("No learners match"))

            // Signed off: complete, and the certificate is offered.
            try await signOff(bea, control + "/practicals", robin.id)
            #expect(try await site.coursework.progress(of: robin).isComplete)
            let done = try await robinBrowser.get("/")
            #expect(done.body.contains("Practical skills signed off: 1 of 1."))
            #expect(text(done).contains("You've completed the course: every required module, group session and practical skill."))
            #expect(done.body.contains(#"action="/certificate""#), "the certificate is offered")
            #expect(try await ada.get("/staff/learners?state=complete").body.contains(">Robin Sparrow</a>"))
            #expect(try await ada.get("/staff/learners").body.contains("<td>1 of 1</td>"))
            let claimed = try await robinBrowser.post("/certificate", [("name", "Robin Sparrow")])
            #expect(claimed.location?.hasPrefix("/certificates/") == true, "\(claimed.location ?? "")")
            #expect(try await site.store.certificates(learnerID: robin.id).count == 1)
        }
    }

    // MARK: Slides

    @Test func theDeckHasASlideForThePracticalWithTheNoteAfterIt() throws {
        let course = try Fixtures.course("practical-course")
        let module = try #require(course.module(id: "skills"))
        let practical = try #require(course.practical(id: Self.practicalID))
        let slides = SlideDeck(modules: [module]).slides.filter { slide in
            if case .practical = slide.body { return true }
            return false
        }
        #expect(slides.count == 1)
        let slide = try #require(slides.first)
        #expect(slide.body == .practical(practical))
        #expect(slide.moduleID == "skills" && slide.sectionID == module.sections[1].id)
        #expect(slide.heading.contains("Giving naloxone"))
        #expect(slide.notes.map(\.plainText) == ["Ten minutes. Sign off only when every step is done."], "the note after the steps")
        #expect(slide.minutes == 10)
        #expect(SlideDeck(modules: [try #require(course.module(id: "second"))]).slides.allSatisfy { slide in
            if case .practical = slide.body { return false }
            return true
        })
    }
}
