import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Runtime
import SQLiteStore
import Testing
@testable import TrainingServer

/// Group sessions over HTTP: a facilitator opens and drives a session, participants join
/// with the code and vote, results stay hidden until the reveal, ending records attendance,
/// and every route refuses whoever shouldn't use it.
@Suite struct GroupRouteTests {
    /// A staff member with a password, signed in on a new browser.
    func signedIn(_ site: TestSite, _ client: any TestClientProtocol, _ name: String, _ roles: Set<StaffRole>) async throws -> (Browser, StaffMember) {
        let (member, link) = try await site.staff.add(name: name, roles: roles, by: .commandLine)
        _ = try await site.staff.choosePassword(token: link, password: StaffRouteTests.password, confirmation: StaffRouteTests.password)
        let browser = Browser(client)
        let page = try await StaffRouteTests().signIn(browser, name)
        #expect(page.status == .seeOther)
        return (browser, member)
    }

    /// Opens a session over `modules`; returns its control path.
    func open(_ facilitator: Browser, _ modules: [String]) async throws -> String {
        try await facilitator.get("/staff/sessions")
        let opened = try await facilitator.post("/staff/sessions", modules.map { ("module", $0) })
        #expect(opened.status == .seeOther)
        return try #require(opened.location)
    }

    /// Presses a control button from the control page as it stands.
    @discardableResult
    func press(_ facilitator: Browser, _ control: String, _ action: String) async throws -> Browser.Page {
        let page = try await facilitator.get(control)
        let version = try #require(Browser.value(of: "version", in: page.body))
        return try await facilitator.post(control + "/control", [("action", action), ("version", version)])
    }

    func joinCode(_ page: String) throws -> String {
        let range = try #require(page.range(of: "code <strong>"))
        return String(page[range.upperBound...].prefix { $0.isNumber || $0 == " " }).filter(\.isNumber)
    }

    @Test func aRoomVotesTheResultsStayHiddenUntilTheRevealAndEndingCountsAttendance() async throws {
        let site = try TestSite()
        defer { site.remove() }
        let (learner, resumeCode) = try await site.coursework.register(displayName: "Robin")
        try await site.test { client in
            let (facilitator, _) = try await signedIn(site, client, "Bea", [.facilitator])
            let control = try await open(facilitator, ["second"])
            let first = try await facilitator.get(control)
            #expect(first.status == .ok && first.body.contains("Join slide"))
            let code = try joinCode(first.body)
            #expect(code.count == 6)
            let projector = try await facilitator.get(control + "/present")
            #expect(projector.body.contains(String(code.prefix(3)) + " " + String(code.suffix(3))), "the code in large type")
            #expect(projector.body.contains("<svg") && projector.body.contains("/join"), "a QR code and the address")

            // Three participants join; one links their resume code.
            var people: [Browser] = []
            for index in 0..<3 {
                let phone = Browser(client)
                try await phone.get("/join?code=\(code)")
                let joined = try await phone.post("/join", [("code", String(code.prefix(3)) + " " + String(code.suffix(3))),
                                                            ("nickname", index == 0 ? "Sky" : "")])
                #expect(joined.status == .seeOther && joined.location == "/live")
                let waiting = try await phone.follow(joined)
                #expect(waiting.body.contains("The facilitator will start soon"))
                people.append(phone)
            }
            #expect(!(try await facilitator.get(control + "/present")).body.contains("Sky"), "nicknames stay off the projector by default")
            try await press(facilitator, control, "nicknames")
            #expect(try await facilitator.get(control + "/present").body.contains("<span>Sky</span>"), "until the facilitator turns them on")
            let linking = try await people[0].post("/live/link", [("code", resumeCode.description)])
            #expect(linking.status == .seeOther && linking.location == "/live?n=linked", "a redirect: a refresh never sends it again")
            let linked = try await people[0].follow(linking)
            #expect(linked.body.contains("will count toward your course"))

            // The facilitator moves on to the poll.
            var page = try await facilitator.get(control)
            var steps = 0
            while !page.body.contains("Pick the right one"), steps < 20 {
                try await press(facilitator, control, "next")
                page = try await facilitator.get(control)
                steps += 1
            }
            #expect(page.body.contains("Nobody has answered yet"))
            let phonePoll = try await people[0].get("/live")
            #expect(phonePoll.body.contains("Pick the right one") && phonePoll.body.contains("Send my answer"))
            let poll = try #require(Browser.value(of: "poll", in: phonePoll.body))

            for (index, phone) in people.enumerated() {
                try await phone.get("/live")
                let sent = try await phone.post("/live/answer", [("poll", poll), ("answer", index == 2 ? "b" : "a")])
                #expect(sent.status == .seeOther)
            }
            // A change of mind and a replay count once.
            try await people[2].get("/live")
            try await people[2].post("/live/answer", [("poll", poll), ("answer", "a")])
            try await people[2].post("/live/answer", [("poll", poll), ("answer", "a")])
            let counted = try await facilitator.get(control)
            #expect(counted.body.contains("3 answered"))
            #expect(!counted.body.contains("bar-count"), "no distribution before the reveal")
            let projecting = try await facilitator.get(control + "/present")
            #expect(projecting.body.contains("3 answered") && !projecting.body.contains("bar-count"))

            try await press(facilitator, control, "reveal")
            let revealed = try await facilitator.get(control + "/present")
            #expect(revealed.body.contains("3 (100%)"), "everyone ended on a")
            let phoneResult = try await people[1].get("/live")
            #expect(phoneResult.body.contains("You chose “Right”.") && phoneResult.body.contains("3 (100%)"))
            let late = try await people[1].post("/live/answer", [("poll", poll), ("answer", "b")])
            #expect(late.location == "/live?n=closed", "no answers after the reveal")
            #expect(try await people[1].follow(late).body.contains("That question has closed"))

            try await facilitator.get(control)
            let ended = try await facilitator.post(control + "/end", [])
            #expect(ended.body.contains("Attendance recorded for 1 linked person"))
            let attendance = try await site.store.attendance(learnerID: learner.id)
            #expect(attendance.count == 1 && attendance.first?.moduleIDs == ["second"])
            let progress = try await site.coursework.progress(of: learner)
            #expect(progress.sessionsAttended == 1)
            // The learner's own course page counts it.
            let own = Browser(client)
            try await own.get("/")
            try await own.post("/resume", [("code", resumeCode.description)])
            let course = try await own.get("/")
            #expect(course.body.contains("1 group session attended."), "the course page shows the attendance")

            let stream = try await facilitator.get(control + "/events")
            #expect(stream.headers[.contentType] == "text/event-stream")
            #expect(stream.body.contains("event: state") && stream.body.contains("\"count\":3"),
                    "an ended session's stream says where it stands, then closes")
            #expect(try await people[0].get("/live/events").status == .notFound, "a participant's stream ends with its session")

            let after = try await people[0].get("/live")
            #expect(after.body.contains("This session has ended"))
            let again = Browser(client)
            try await again.get("/join")
            #expect(try await again.post("/join", [("code", code)]).body.contains("No session is running with that code"))
        }
    }

    @Test func everySessionRouteRefusesTheSignedOutALearnerTheWrongRoleAndAnotherFacilitator() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let (owner, _) = try await signedIn(site, client, "Bea", [.facilitator])
            let control = try await open(owner, ["second"])
            let gets = [control, control + "/present", control + "/events"]
            let posts = [control + "/control", control + "/end", control + "/attendance"]

            let (other, _) = try await signedIn(site, client, "Cas", [.facilitator, .coordinator])
            for path in gets {
                let page = try await other.get(path)
                #expect(page.status == .forbidden, "another facilitator can't open \(path)")
                #expect(page.body.contains("run by someone else"))
            }
            try await other.get("/staff/sessions")
            for path in posts {
                #expect(try await other.post(path, [("action", "next"), ("code", "x")]).status == .forbidden, "nor post to \(path)")
            }

            let (coordinator, _) = try await signedIn(site, client, "Dee", [.coordinator])
            for path in gets + ["/staff/sessions", "/staff/guide/second"] {
                #expect(try await coordinator.get(path).status == .forbidden, "a coordinator without the facilitator role can't open \(path)")
            }

            let stranger = Browser(client)
            for path in gets + ["/staff/sessions", "/staff/guide/second"] {
                let page = try await stranger.get(path)
                #expect(page.status == .seeOther && page.location == "/staff", "signed out: \(path) goes to sign-in")
            }
            let learner = Browser(client)
            try await learner.get("/")
            try await learner.post("/start", [("name", "Robin")])
            for path in gets {
                #expect(try await learner.get(path).location == "/staff", "a learner's session is not a staff session")
            }
            #expect(try await owner.get(control.replacingOccurrences(of: "/staff/sessions/", with: "/staff/sessions/0")).status == .notFound)

            // Nothing the others tried moved the session.
            let page = try await owner.get(control)
            #expect(page.body.contains("Slide 1 of"))
        }
    }

    @Test func aParticipantAnswersOnlyTheCurrentPollOfTheirOwnSession() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let (facilitator, _) = try await signedIn(site, client, "Bea", [.facilitator])
            let control = try await open(facilitator, ["second"])
            let code = try joinCode(try await facilitator.get(control).body)

            let outsider = Browser(client)
            #expect(try await outsider.get("/live").location == "/join", "not joined: to the join page")
            try await outsider.get("/join")
            #expect(try await outsider.post("/live/answer", [("poll", "second/pick-the-right-one"), ("answer", "a")]).location == "/live")

            let phone = Browser(client)
            try await phone.get("/join")
            try await phone.post("/join", [("code", code)])
            try await phone.get("/live")
            let early = try await phone.post("/live/answer", [("poll", "second/pick-the-right-one"), ("answer", "a")])
            #expect(early.location == "/live?n=closed", "a poll that isn't on the screen takes no answer")
            #expect(try await phone.follow(early).body.contains("That question has closed"))
            #expect(try await phone.get("/live?n=%3Cscript%3E").body.contains("<script>") == false, "only known notices are shown")
            let forged = try await phone.post("/live/answer", [("poll", "second/pick-the-right-one"), ("answer", "a")], csrf: "forged")
            #expect(forged.status == .forbidden)
            let rows = try await site.store.tally(sessionID: String(control.split(separator: "/").last ?? ""), pollKey: "second/pick-the-right-one")
            #expect(rows.total == 0)
        }
    }

    @Test func wrongJoinCodesAreLimitedPerDevice() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let phone = Browser(client)
            try await phone.get("/join")
            for _ in 0..<30 {
                #expect(try await phone.post("/join", [("code", "000000")]).status == .badRequest)
            }
            let blocked = try await phone.post("/join", [("code", "000000")])
            #expect(blocked.status == .tooManyRequests && blocked.body.contains("Wait 15 minutes"))
        }
    }

    @Test func theGuidePrintsNotesTimingsAndAnswerKeys() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let (facilitator, _) = try await signedIn(site, client, "Bea", [.facilitator])
            let guide = try await facilitator.get("/staff/guide/practice")
            #expect(guide.status == .ok)
            #expect(guide.body.contains("Facilitator guide: ") && guide.body.contains("What do you do first?"))
            #expect(guide.body.contains("right, must be chosen") && guide.body.contains("must never be chosen"))
            #expect(try await facilitator.get("/staff/guide/none").status == .notFound)
        }
    }
}
