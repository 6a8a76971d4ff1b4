import CurriculumKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Runtime
import SQLiteStore
import Testing
@testable import TrainingServer

// MARK: Shared set-up for the coordinator and certificate route tests

/// Answers that never count as right, with text no staff page or export may ever show.
enum WrongAnswers {
    /// Typed into the short-answer question.
    static let shortAnswer = "purple elephant tonic"
    /// The text of the option chosen for the first single-choice question (option b of the fixture).
    static let chosenOption = "Leave to find a phone charger"
}

extension TestSite {
    /// A staff member with a password, signed in on a new browser.
    func staffBrowser(_ client: any TestClientProtocol, _ name: String = "Ada",
                      _ roles: Set<StaffRole> = [.coordinator]) async throws -> Browser {
        try await GroupRouteTests().signedIn(self, client, name, roles).0
    }

    /// A learner signed in on a new browser through the resume form.
    func learnerBrowser(_ client: any TestClientProtocol, code: String) async throws -> Browser {
        let browser = Browser(client)
        try await browser.get("/")
        let resumed = try await browser.post("/resume", [("code", code)])
        #expect(resumed.status == .seeOther && resumed.location == "/", "the code \(code) resumes")
        return browser
    }

    /// One whole attempt at a module through the runtime: every answer right (the module's
    /// answer key) or every answer wrong (with ``WrongAnswers``). Returns whether it passed.
    @discardableResult
    func take(_ moduleID: String, for learner: Learner, right: Bool = true) async throws -> Bool {
        var state = try await coursework.attempt(moduleID, for: learner)
        var passed = false
        while let next = state.next {
            let question = next.presented.question
            let response = right ? try #require(question.answerKey) : Self.wrong(question)
            let result = try await coursework.answer(response, in: state)
            state = result.state
            if let outcome = result.outcome { passed = outcome.passed }
        }
        return passed
    }

    /// Passes every module of the fixture course.
    func complete(_ learner: Learner) async throws {
        for module in coursework.curriculum.modules {
            #expect(try await take(module.id, for: learner), "\(module.id) passed")
        }
    }

    /// A response that scores nothing (in the module's letters).
    static func wrong(_ question: Question) -> CurriculumKit.Response {
        let miss = question.options.first { !$0.isCorrect }?.letter ?? "b"
        switch question.kind {
        case .singleChoice: return .choice(miss)
        case .selectAll: return .selection([miss])
        case .ordering: return .order(question.options.map(\.letter).reversed())
        case .matching:
            let count = max(1, question.matchTargets.count)
            var pairs: [String: Int] = [:]
            for option in question.options { pairs[option.letter] = ((option.match ?? 0) + 1) % count + 1 }
            return .matches(pairs)
        case .shortAnswer: return .text(WrongAnswers.shortAnswer)
        }
    }

    /// Adds `count` learners straight to the database, with the columns of SQLiteStore's
    /// `learner` table; every third has a finished, passed attempt at the first module.
    /// Names are "`prefix` 00000", "`prefix` 00001", …; returns their ids in that order.
    @discardableResult
    func insertLearners(_ count: Int, prefix: String = "Learner") async throws -> [String] {
        let hash = coursework.curriculum.modules[0].hash
        let moduleID = coursework.curriculum.modules[0].id
        let start = Date().addingTimeInterval(-30 * 86_400)
        let salt = UUID().uuidString.prefix(8).lowercased().filter(\.isHexDigit)
        return try await store.database.write { db in
            let learner = try db.makeStatement(sql: "INSERT INTO learner (id, display_name, code_digest, created_at) VALUES (?, ?, ?, ?)")
            let attempt = try db.makeStatement(sql: """
                INSERT INTO attempt (learner_id, module_id, number, seed, module_hash, started_at, finished_at, status,
                                     score_numerator, score_denominator, passed)
                VALUES (?, ?, 1, 1, ?, ?, ?, 'finished', 1, 1, 1)
                """)
            var ids: [String] = []
            ids.reserveCapacity(count)
            for index in 0..<count {
                let id = salt + String(format: "%0\(32 - salt.count)x", index + 1)
                let created = start.addingTimeInterval(Double(index))
                try learner.execute(arguments: [id, "\(prefix) \(String(format: "%05d", index))", "digest-\(id)", created])
                if index % 3 == 0 {
                    try attempt.execute(arguments: [id, moduleID, hash, created, created.addingTimeInterval(60)])
                }
                ids.append(id)
            }
            return ids
        }
    }

    /// The audit log, newest first.
    func audit() async throws -> [AuditEntry] {
        try await staff.auditLog(for: .commandLine)
    }
}

/// A staff page's raw response (for the exact bytes of a CSV file).
func rawGet(_ browser: Browser, _ path: String) async throws -> TestResponse {
    var headers: HTTPFields = [:]
    if let cookie = browser.cookie { headers[.cookie] = cookie }
    return try await browser.client.execute(uri: path, method: .get, headers: headers)
}

/// RFC 4180 read strictly: rows of fields, and whether anything broke the rules (a quote
/// inside an unquoted field, text after a closing quote, a bare CR or LF, no final CRLF).
func parseCSV(_ text: String) -> (rows: [[String]], malformed: Bool) {
    let scalars = Array(text.unicodeScalars.drop { $0 == "\u{FEFF}" })
    var rows: [[String]] = [], row: [String] = [], field = String.UnicodeScalarView()
    var quoted = false, wasQuoted = false, malformed = false
    var index = 0
    func endField() { row.append(String(field)); field = .init(); wasQuoted = false }
    while index < scalars.count {
        let scalar = scalars[index]
        if quoted {
            if scalar == "\"" {
                if index + 1 < scalars.count, scalars[index + 1] == "\"" { field.append("\""); index += 1 } else { quoted = false }
            } else {
                field.append(scalar)
            }
        } else {
            switch scalar {
            case "\"":
                if field.isEmpty && !wasQuoted { quoted = true; wasQuoted = true } else { malformed = true; field.append(scalar) }
            case ",":
                endField()
            case "\r":
                if index + 1 < scalars.count, scalars[index + 1] == "\n" {
                    endField(); rows.append(row); row = []; index += 1
                } else { malformed = true; field.append(scalar) }
            case "\n":
                malformed = true; field.append(scalar)
            default:
                if wasQuoted { malformed = true }
                field.append(scalar)
            }
        }
        index += 1
    }
    if quoted || !field.isEmpty || !row.isEmpty { malformed = true; endField(); rows.append(row) }
    return (rows, malformed)
}

/// Where each name's roster link first appears, in page order.
func rosterOrder(_ names: [String], in body: String) -> [String] {
    names.compactMap { name in body.range(of: ">\(name)</a>").map { (name, $0.lowerBound) } }
        .sorted { $0.1 < $1.1 }.map(\.0)
}

/// Makes a cohort from the cohorts page; returns the page it leads to (after any redirect).
@discardableResult
func makeCohort(_ coordinator: Browser, _ name: String) async throws -> Browser.Page {
    try await coordinator.get("/staff/cohorts")
    let posted = try await coordinator.post("/staff/cohorts", [("name", name)])
    #expect(posted.status == .seeOther || posted.status == .ok, "making \(name): \(posted.status)")
    let page = try await coordinator.follow(posted)
    #expect(page.status == .ok)
    return page
}

/// Today as the attendance form writes it.
var todayISO: String { CoordinatorRoutes.isoDay(Date()) }

/// The coordinator's area: the roster and its CSV, one learner's record and the actions on
/// it (each with a reason, for the audit log), cohorts and their join links. Coordinators
/// see completion and scores, never answers.
@Suite struct CoordinatorRouteTests {
    /// Every coordinator page, GET.
    static let gets = ["/staff/learners", "/staff/learners.csv", "/staff/learners/ID", "/staff/cohorts", "/staff/certificates",
                       "/staff/certificates.csv"]
    /// Every coordinator form, POST.
    static let posts = ["/staff/learners/ID/cohort", "/staff/learners/ID/attempt", "/staff/learners/ID/complete",
                        "/staff/learners/ID/attendance", "/staff/learners/ID/code", "/staff/learners/ID/remove", "/staff/cohorts",
                        "/staff/certificates/CODE/revoke"]
    /// What coordinators' actions write to the audit log.
    static let auditedActions: Set<String> = ["cohort made", "learner moved", "extra attempt", "complete by exception",
                                              "attendance recorded", "new resume code", "learner removed", "certificate revoked"]
    /// The learner actions, by their path's last part.
    static let actions = ["cohort", "attempt", "complete", "attendance", "code", "remove"]

    // MARK: Authorisation

    @Suite struct Authorisation {
        /// Fields that would make every form do something, were it allowed.
        static func fields(cohort: String) -> [(String, String)] {
            [("reason", "checking who may do this"), ("module", "practice"), ("date", todayISO), ("confirm", "yes"),
             ("cohort", cohort), ("name", "Night shift")]
        }

        @Test func everyCoordinatorRouteRefusesTheSignedOutALearnerAFacilitatorAndAMissingFormToken() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let coordinator = try await site.staffBrowser(client, "Ada", [.coordinator])
                try await makeCohort(coordinator, "Day shift")
                let dayShift = try #require(try await site.store.cohorts().first)

                // A learner who finished and holds a certificate: every form below would change them.
                let learnerBrowser = Browser(client)
                let code = try await signUp(learnerBrowser, name: "Robin Sparrow")
                let robin = try await site.coursework.learner(resumeCode: code)
                try await site.complete(robin)
                try await learnerBrowser.get("/")
                let claimed = try await learnerBrowser.post("/certificate", [("name", "Robin Printed")])
                let certificate = String(try #require(claimed.location).dropFirst("/certificates/".count))
                #expect(try await site.store.certificate(code: certificate) != nil)
                #expect(try await site.audit().filter { CoordinatorRouteTests.auditedActions.contains($0.action) }.map(\.action)
                        == ["cohort made"])

                func path(_ template: String) -> String {
                    template.replacingOccurrences(of: "ID", with: robin.id).replacingOccurrences(of: "CODE", with: certificate)
                }
                let fields = Self.fields(cohort: dayShift.id)

                // Signed out, and signed in as a learner: sent to the staff sign-in.
                let visitor = Browser(client)
                try await visitor.get("/")
                for (who, browser) in [("signed out", visitor), ("a learner", learnerBrowser)] {
                    for template in CoordinatorRouteTests.gets {
                        let page = try await browser.get(path(template))
                        #expect(page.status == .seeOther && page.location == "/staff", "\(who): GET \(template) → \(page.status) \(page.location ?? "")")
                        #expect(!page.body.contains("Robin Sparrow"), "\(who): GET \(template) shows nothing")
                    }
                    for template in CoordinatorRouteTests.posts {
                        try await browser.get("/")
                        let page = try await browser.post(path(template), fields)
                        #expect(page.status == .seeOther && page.location == "/staff", "\(who): POST \(template) → \(page.status) \(page.location ?? "")")
                    }
                }

                // A facilitator: told it isn't their role, and shown nothing.
                let facilitator = try await site.staffBrowser(client, "Bea", [.facilitator])
                for template in CoordinatorRouteTests.gets {
                    let page = try await facilitator.get(path(template))
                    #expect(page.status == .forbidden, "facilitator: GET \(template) → \(page.status)")
                    #expect(page.body.contains("part of your role") && page.body.contains(#"href="/staff""#), "\(template)")
                    #expect(!page.body.contains("Robin Sparrow") && !page.body.contains(certificate), "nothing of \(template) leaks")
                }
                for template in CoordinatorRouteTests.posts {
                    try await facilitator.get("/staff")
                    let page = try await facilitator.post(path(template), fields)
                    #expect(page.status == .forbidden, "facilitator: POST \(template) → \(page.status)")
                }

                // A coordinator without the form token: refused.
                for template in CoordinatorRouteTests.posts {
                    try await coordinator.get("/staff/learners/\(robin.id)")
                    let page = try await coordinator.post(path(template), fields, withToken: false)
                    #expect(page.status == .forbidden, "no token: POST \(template) → \(page.status)")
                    let wrong = try await coordinator.post(path(template), fields, csrf: String(repeating: "0", count: 64))
                    #expect(wrong.status == .forbidden, "wrong token: POST \(template) → \(wrong.status)")
                }

                // Nothing changed.
                #expect(try await site.coursework.learner(id: robin.id) == robin, "not removed")
                #expect(try await site.coursework.learner(resumeCode: code) == robin, "the resume code still works")
                #expect(try await learnerBrowser.get("/").body.contains("Robin Sparrow"), "and the learner is still signed in")
                #expect(try await site.store.cohorts().map(\.name) == ["Day shift"], "no cohort made")
                #expect(try await site.store.cohortID(learnerID: robin.id) == nil, "not moved")
                #expect(try await site.store.adjustments(learnerID: robin.id).isEmpty, "no attempt granted, nothing marked complete")
                #expect(try await site.store.attendance(learnerID: robin.id).isEmpty, "no attendance recorded")
                #expect(try await site.store.certificate(code: certificate)?.revokedAt == nil, "not revoked")
                let audited = try await site.audit().filter { CoordinatorRouteTests.auditedActions.contains($0.action) }
                #expect(audited.map(\.action) == ["cohort made"], "nothing more audited")

                // And the coordinator, with the token, may open every page.
                for template in CoordinatorRouteTests.gets {
                    #expect(try await coordinator.get(path(template)).status == .ok, "coordinator: GET \(template)")
                }
            }
        }

        @Test func anUnknownLearnerIsAFriendlyNotFoundForThePageAndEveryAction() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let coordinator = try await site.staffBrowser(client)
                let nobody = String(repeating: "ab", count: 16)
                let page = try await coordinator.get("/staff/learners/\(nobody)")
                #expect(page.status == .notFound)
                #expect(page.body.contains("No such learner") && page.body.contains(#"href="/staff/learners""#))
                #expect(!page.body.contains(".swift") && !page.body.contains("Error:"))
                for action in CoordinatorRouteTests.actions {
                    try await coordinator.get("/staff/learners")
                    let posted = try await coordinator.post("/staff/learners/\(nobody)/\(action)", Self.fields(cohort: ""))
                    #expect(posted.status == .notFound, "\(action) → \(posted.status)")
                    #expect(posted.body.contains("No such learner"), "\(action)")
                }
                #expect(try await site.audit().allSatisfy { !CoordinatorRouteTests.auditedActions.contains($0.action) },
                        "nothing about a learner who isn't there was audited")
            }
        }
    }

    // MARK: The roster

    @Suite struct Roster {
        /// Four learners in each state, two in a cohort, one with a certificate; joined a day apart.
        struct Learners {
            var zoe: Learner, yuri: Learner, casey: Learner, drew: Learner
            var cohort: Cohort
            var certificate: String
            var all: [Learner] { [zoe, yuri, casey, drew] }
        }

        static let names = ["Zoe Complete", "Yuri Progress", "Casey Stuck", "Drew New"]

        func make(_ site: TestSite, _ client: any TestClientProtocol, _ coordinator: Browser) async throws -> Learners {
            let zoeBrowser = Browser(client)
            let zoe = try await site.coursework.learner(resumeCode: try await signUp(zoeBrowser, name: "Zoe Complete"))
            try await site.complete(zoe)
            try await zoeBrowser.get("/")
            let claimed = try await zoeBrowser.post("/certificate", [("name", "Zoe Q. Public")])
            let certificate = String(try #require(claimed.location).dropFirst("/certificates/".count))
            let (yuri, _) = try await site.coursework.register(displayName: "Yuri Progress")
            #expect(try await site.take("practice", for: yuri))
            let (casey, _) = try await site.coursework.register(displayName: "Casey Stuck")
            #expect(try await !site.take("practice", for: casey, right: false))
            #expect(try await !site.take("practice", for: casey, right: false))
            let (drew, _) = try await site.coursework.register(displayName: "Drew New")
            for (days, learner) in zip([4.0, 3, 2, 1], [zoe, yuri, casey, drew]) {
                try await site.store.database.write { db in
                    try db.execute(sql: "UPDATE learner SET created_at = ? WHERE id = ?",
                                   arguments: [Date().addingTimeInterval(-days * 86_400), learner.id])
                }
            }
            try await makeCohort(coordinator, "March volunteers")
            let cohort = try #require(try await site.store.cohorts().first)
            try await site.store.setCohort(learnerID: zoe.id, cohortID: cohort.id)
            try await site.store.setCohort(learnerID: yuri.id, cohortID: cohort.id)
            return Learners(zoe: zoe, yuri: yuri, casey: casey, drew: drew, cohort: cohort, certificate: certificate)
        }

        @Test func learnersAreListedWithTheirStateAndFilteredAndSorted() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let coordinator = try await site.staffBrowser(client)
                let learners = try await make(site, client, coordinator)
                let names = Self.names

                let all = try await coordinator.get("/staff/learners")
                #expect(all.status == .ok)
                #expect(all.body.contains("4 learners"))
                #expect(rosterOrder(names, in: all.body) == ["Casey Stuck", "Drew New", "Yuri Progress", "Zoe Complete"], "by name")
                for learner in learners.all {
                    #expect(all.body.contains(#"href="/staff/learners/\#(learner.id)""#))
                    #expect(all.body.contains("(\(learner.id.prefix(8)))"), "known by a short id")
                }
                // Each row's state, certificate and cohort.
                func row(_ name: String, in body: String) -> String {
                    guard let start = body.range(of: ">\(name)</a>") else { return "" }
                    return String(body[start.upperBound...]).components(separatedBy: "</tr>").first ?? ""
                }
                #expect(row("Zoe Complete", in: all.body).contains("Complete"))
                #expect(row("Zoe Complete", in: all.body).contains("Valid to"))
                #expect(row("Zoe Complete", in: all.body).contains("March volunteers"))
                #expect(row("Zoe Complete", in: all.body).contains("2 of 2"))
                #expect(row("Yuri Progress", in: all.body).contains("In progress"))
                #expect(row("Yuri Progress", in: all.body).contains("1 of 2"))
                #expect(row("Casey Stuck", in: all.body).contains("Needs help"))
                #expect(row("Casey Stuck", in: all.body).contains("None yet"))
                #expect(row("Drew New", in: all.body).contains("Not started"))
                #expect(row("Drew New", in: all.body).contains("—"), "in no cohort")

                // Filters.
                let cohort = try await coordinator.get("/staff/learners?cohort=\(learners.cohort.id)")
                #expect(rosterOrder(names, in: cohort.body) == ["Yuri Progress", "Zoe Complete"])
                #expect(cohort.body.contains("2 of 4 match these filters"))
                #expect(cohort.body.contains(#"<option value="\#(learners.cohort.id)" selected>March volunteers</option>"#))
                let none = try await coordinator.get("/staff/learners?cohort=none")
                #expect(rosterOrder(names, in: none.body) == ["Casey Stuck", "Drew New"])
                for (state, expected) in [("complete", ["Zoe Complete"]), ("in%20progress", ["Yuri Progress"]),
                                          ("needs%20help", ["Casey Stuck"]), ("not%20started", ["Drew New"])] {
                    let page = try await coordinator.get("/staff/learners?state=\(state)")
                    #expect(page.status == .ok)
                    #expect(rosterOrder(names, in: page.body) == expected, "state=\(state)")
                }
                let search = try await coordinator.get("/staff/learners?q=PROG")
                #expect(rosterOrder(names, in: search.body) == ["Yuri Progress"], "a search ignores case")
                #expect(search.body.contains(#"value="PROG""#), "and is kept in the form")
                let expiring = try await coordinator.get("/staff/learners?expires=400")
                #expect(rosterOrder(names, in: expiring.body) == ["Zoe Complete"], "the certificate ends within 400 days")
                let notYet = try await coordinator.get("/staff/learners?expires=30")
                #expect(rosterOrder(names, in: notYet.body).isEmpty, "but not within 30")
                #expect(notYet.body.contains("No learners match"))
                let combined = try await coordinator.get("/staff/learners?cohort=\(learners.cohort.id)&state=in%20progress")
                #expect(rosterOrder(names, in: combined.body) == ["Yuri Progress"])
                let nobody = try await coordinator.get("/staff/learners?q=nobody-by-this-name")
                #expect(nobody.status == .ok && nobody.body.contains("No learners match"))

                // Sorts.
                let joined = try await coordinator.get("/staff/learners?sort=joined")
                #expect(rosterOrder(names, in: joined.body) == ["Drew New", "Casey Stuck", "Yuri Progress", "Zoe Complete"], "newest first")
                let progress = try await coordinator.get("/staff/learners?sort=progress")
                #expect(rosterOrder(names, in: progress.body) == ["Zoe Complete", "Yuri Progress", "Casey Stuck", "Drew New"])
                let expiry = try await coordinator.get("/staff/learners?sort=expiry")
                #expect(rosterOrder(names, in: expiry.body).first == "Zoe Complete", "soonest expiry first")
                #expect(expiry.body.contains("sort=expiry"), "the CSV link keeps the sort")
                // Nonsense in the query is ignored, not an error.
                let odd = try await coordinator.get("/staff/learners?state=bogus&sort=bogus&page=-4&expires=abc")
                #expect(odd.status == .ok && rosterOrder(names, in: odd.body).count == 4)
            }
        }

        @Test func aLearnersPageShowsModulesWithScoresButNoPageOrExportShowsAnAnswer() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let coordinator = try await site.staffBrowser(client)
                let learners = try await make(site, client, coordinator)
                // The wrong answers really are stored, so not finding them below means something.
                let stored = try await site.store.database.read { db in try String.fetchAll(db, sql: "SELECT response FROM response") }
                #expect(stored.contains { $0.contains(WrongAnswers.shortAnswer) })

                let casey = try await coordinator.get("/staff/learners/\(learners.casey.id)")
                #expect(casey.status == .ok)
                #expect(casey.body.contains("Casey Stuck") && casey.body.contains("(\(learners.casey.id.prefix(8)))"))
                #expect(casey.body.contains("Practice Module") && casey.body.contains("Second Module"))
                #expect(casey.body.contains("Needs help"))
                #expect(casey.body.contains("2 used, 0 left"))
                let best = try #require(try await site.coursework.progress(of: learners.casey).modules[0].bestScore?.percent)
                #expect(casey.body.contains("<td>\(best)%</td>"), "the best score is shown")
                let yuri = try await coordinator.get("/staff/learners/\(learners.yuri.id)")
                #expect(yuri.body.contains("<td>100%</td>") && yuri.body.contains("1 used, 1 left"))
                #expect(yuri.body.contains("March volunteers"))
                let zoe = try await coordinator.get("/staff/learners/\(learners.zoe.id)")
                #expect(zoe.body.contains(learners.certificate) && zoe.body.contains("Zoe Q. Public"), "their certificate")
                #expect(zoe.body.contains("Complete"))

                var pages: [(String, String)] = []
                for path in ["/staff/learners", "/staff/learners.csv", "/staff/audit", "/staff/cohorts", "/staff/certificates",
                             "/staff/certificates.csv"] + learners.all.map({ "/staff/learners/\($0.id)" }) {
                    let page = try await coordinator.get(path)
                    #expect(page.status == .ok, "\(path)")
                    pages.append((path, page.body))
                }
                for (path, body) in pages {
                    #expect(!body.localizedCaseInsensitiveContains(WrongAnswers.shortAnswer), "\(path) shows a typed answer")
                    #expect(!body.localizedCaseInsensitiveContains(WrongAnswers.chosenOption), "\(path) shows a chosen option")
                    #expect(!body.contains("What do you do first?") && !body.contains("Which medicine"), "\(path) shows no questions")
                }
            }
        }

        @Test func moreThanFiftyLearnersArePagedWithALinkToTheNextPage() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.insertLearners(55)
            try await site.test { client in
                let coordinator = try await site.staffBrowser(client)
                let first = try await coordinator.get("/staff/learners")
                #expect(first.status == .ok)
                #expect(first.body.contains("55 learners") && first.body.contains("Page 1 of 2"))
                #expect(first.body.components(separatedBy: #"<th scope="row">"#).count - 1 == 50)
                #expect(first.body.contains(#"<a href="/staff/learners?page=2" rel="next">"#))
                #expect(!first.body.contains(#"rel="prev""#))
                #expect(first.body.contains(">Learner 00000</a>") && first.body.contains(">Learner 00049</a>"))
                #expect(!first.body.contains(">Learner 00050</a>"))

                let second = try await coordinator.get("/staff/learners?page=2")
                #expect(second.body.contains("Page 2 of 2"))
                #expect(second.body.components(separatedBy: #"<th scope="row">"#).count - 1 == 5)
                #expect(second.body.contains(">Learner 00050</a>") && second.body.contains(">Learner 00054</a>"))
                #expect(second.body.contains(#"<a href="/staff/learners" rel="prev">"#))
                #expect(!second.body.contains(#"rel="next""#))
                #expect(try await coordinator.get("/staff/learners?page=9").body.contains("Page 2 of 2"), "past the end: the last page")

                // The paging links keep the filters.
                let filtered = try await coordinator.get("/staff/learners?q=learner&sort=joined")
                #expect(filtered.body.contains("Page 1 of 2"))
                #expect(filtered.body.contains("q=learner") && filtered.body.contains("sort=joined") && filtered.body.contains("page=2"))
            }
        }
    }

    // MARK: The CSV

    @Suite struct CSVExport {
        static let header = ["learner_id", "display_name", "cohort", "joined", "module_id", "module", "state", "best_score_percent",
                             "attempts_used", "attempts_left", "first_started", "last_finished", "passed_on", "complete_by_exception",
                             "group_sessions_attended", "practicals_signed_off", "course_state", "certificate_code", "certificate_state",
                             "certificate_valid_until"]

        @Test func theFileIsUTF8WithAByteOrderMarkCRLFAHeaderAndARowPerLearnerAndModule() async throws {
            let site = try TestSite()
            defer { site.remove() }
            let (robin, _) = try await site.coursework.register(displayName: "Robin")
            let (sam, _) = try await site.coursework.register(displayName: "Sam")
            let (zoë, _) = try await site.coursework.register(displayName: "Zoë Ñandú 李")
            #expect(try await site.take("practice", for: robin))
            try await site.test { client in
                let coordinator = try await site.staffBrowser(client)
                let response = try await rawGet(coordinator, "/staff/learners.csv")
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(response.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"completion-") == true)
                #expect(response.headers[.cacheControl] == "no-store")
                let bytes = Array(response.body.readableBytesView)
                #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "starts with the UTF-8 byte-order mark")
                let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
                #expect(text.hasSuffix("\r\n"))
                #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends CRLF")
                #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
                let (rows, malformed) = parseCSV(text)
                #expect(!malformed)
                #expect(rows.first == Self.header)
                let modules = site.coursework.curriculum.modules.map(\.id)
                #expect(rows.count == 1 + 3 * modules.count, "a row per learner and module")
                #expect(rows.allSatisfy { $0.count == Self.header.count })
                let column = Dictionary(uniqueKeysWithValues: Self.header.enumerated().map { ($1, $0) })
                for learner in [robin, sam, zoë] {
                    let theirs = rows.dropFirst().filter { $0[0] == learner.id }
                    #expect(theirs.map { $0[column["module_id"]!] } == modules, "\(learner.displayName): each module, in course order")
                    #expect(theirs.allSatisfy { $0[column["display_name"]!] == learner.displayName })
                }
                let robinPractice = try #require(rows.first { $0[0] == robin.id && $0[column["module_id"]!] == "practice" })
                #expect(robinPractice[column["state"]!] == "passed")
                #expect(robinPractice[column["best_score_percent"]!] == "100")
                #expect(robinPractice[column["attempts_used"]!] == "1" && robinPractice[column["attempts_left"]!] == "1")
                #expect(robinPractice[column["passed_on"]!] == todayISO)
                #expect(robinPractice[column["course_state"]!] == "in progress")
                let samSecond = try #require(rows.first { $0[0] == sam.id && $0[column["module_id"]!] == "second" })
                #expect(samSecond[column["state"]!] == "not started" && samSecond[column["best_score_percent"]!] == "")

                // The CSV keeps the roster's filters.
                let filtered = try await coordinator.get("/staff/learners.csv?state=in%20progress")
                let filteredRows = parseCSV(filtered.body).rows
                #expect(filteredRows.count == 1 + modules.count)
                #expect(filteredRows.dropFirst().allSatisfy { $0[0] == robin.id })
                let roster = try await coordinator.get("/staff/learners?state=in%20progress")
                #expect(roster.body.contains(#"href="/staff/learners.csv?state=in%20progress""#), "the roster's CSV link carries its filters")
            }
        }

        @Test func formulaNamesAreNeutralisedAndNamesWithCommasAndQuotesAreQuoted() async throws {
            let site = try TestSite()
            defer { site.remove() }
            // What the display-name rules let through as typed: formula starters, commas, quotes,
            // semicolons, apostrophes. (Tabs, CR and LF are folded to spaces or refused; those
            // are covered by CSVTableTests.)
            let typed: [(name: String, cell: String, raw: String)] = [
                ("=HYPERLINK(1)", "'=HYPERLINK(1)", ",'=HYPERLINK(1),"),
                ("+1", "'+1", ",'+1,"),
                ("-2", "'-2", ",'-2,"),
                ("@SUM(A1)", "'@SUM(A1)", ",'@SUM(A1),"),
                (#"Smith, "Bo""#, #"Smith, "Bo""#, #","Smith, ""Bo""","#),
                ("=1,2", "'=1,2", #","'=1,2","#),
                (#"O'Brien; "Red" ☂"#, #"O'Brien; "Red" ☂"#, #","O'Brien; ""Red"" ☂","#),
                ("Plain Name", "Plain Name", ",Plain Name,"),
            ]
            var cells: [String: String] = [:]
            for entry in typed {
                #expect(try DisplayName.validated(entry.name) == entry.name, "the name rules accept \(entry.name)")
                cells[try await site.coursework.register(displayName: entry.name).learner.id] = entry.cell
            }
            let ids = cells
            #expect(try DisplayName.validated("tab\there") == "tab here", "a tab is folded to a space")
            #expect(try DisplayName.validated("line\nbreak\r\n") == "line break")
            #expect(throws: RecordsError.self) { try DisplayName.validated("bell\u{7}") }
            try await site.test { client in
                let coordinator = try await site.staffBrowser(client)
                let page = try await coordinator.get("/staff/learners.csv")
                for entry in typed {
                    #expect(page.body.contains(entry.raw), "\(entry.name) is written \(entry.raw)")
                }
                let (rows, malformed) = parseCSV(page.body)
                #expect(!malformed, "RFC 4180 all through")
                #expect(rows.count == 1 + typed.count * 2)
                for row in rows.dropFirst() {
                    #expect(row.count == Self.header.count, "\(row)")
                    #expect(ids[row[0]] == row[1], "\(row[1])")
                }
                // No cell at all starts a formula.
                for row in rows { for cell in row { #expect(!["=", "+", "-", "@"].contains(cell.first.map(String.init) ?? ""), "\(cell)") } }
                // The HTML roster shows the names as typed, escaped.
                let roster = try await coordinator.get("/staff/learners")
                #expect(roster.body.contains(">=HYPERLINK(1)</a>") && roster.body.contains("Smith, &quot;Bo&quot;"))
            }
        }
    }

    // MARK: Actions

    @Suite struct Actions {
        /// Checks a refused action: 400, the reason asked for, on the learner's page.
        func expectReasonAsked(_ page: Browser.Page, _ action: String) {
            #expect(page.status == .badRequest, "\(action) without a reason → \(page.status)")
            #expect(page.body.contains(#"id="action-error""#) && page.body.contains("Say why, for the audit log"), "\(action): says why")
        }

        /// Checks that the action is in the audit log (and on its page) with the reason and
        /// the learner's short id, never their name.
        func expectAudited(_ site: TestSite, _ coordinator: Browser, _ action: String, reason: String, learner: Learner,
                           notContaining secrets: [String] = []) async throws {
            let entries = try await site.audit().filter { $0.action == action }
            #expect(entries.count == 1, "one \(action) entry")
            let entry = try #require(entries.first)
            #expect(entry.actorName == "Ada")
            #expect(entry.detail.contains(reason), "\(entry.detail)")
            #expect(entry.detail.contains(String(learner.id.prefix(8))), "\(entry.detail)")
            #expect(!entry.detail.contains(learner.id), "the short id, not the whole id")
            #expect(!entry.detail.contains(learner.displayName), "never the learner's name: \(entry.detail)")
            for secret in secrets { #expect(!entry.detail.contains(secret)) }
            let page = try await coordinator.get("/staff/audit")
            #expect(page.body.contains(action) && page.body.contains(reason))
            #expect(!page.body.contains(learner.displayName))
            for secret in secrets { #expect(!page.body.contains(secret)) }
        }

        @Test func grantingAnAttemptLetsALearnerOutOfAttemptsStartAgain() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let robinBrowser = Browser(client)
                let robin = try await site.coursework.learner(resumeCode: try await signUp(robinBrowser, name: "Robin Sparrow"))
                #expect(try await !site.take("practice", for: robin, right: false))
                #expect(try await !site.take("practice", for: robin, right: false))
                try await robinBrowser.get("/modules/practice")
                #expect(try await robinBrowser.post("/modules/practice/attempts", []).location == "/modules/practice", "out of attempts")

                let ada = try await site.staffBrowser(client)
                #expect(try await ada.get("/staff/learners?state=needs%20help").body.contains(">Robin Sparrow</a>"))
                try await ada.get("/staff/learners/\(robin.id)")
                for blank in ["", "   "] {
                    expectReasonAsked(try await ada.post("/staff/learners/\(robin.id)/attempt", [("module", "practice"), ("reason", blank)]), "attempt")
                }
                #expect(try await site.store.adjustments(learnerID: robin.id).isEmpty, "nothing changed")
                await #expect(throws: RecordsError.self) { try await site.coursework.attempt("practice", for: robin) }
                let unknown = try await ada.post("/staff/learners/\(robin.id)/attempt", [("module", "nope"), ("reason", "typo")])
                #expect(unknown.status == .badRequest && unknown.body.contains("no module"))

                let reason = "phone died during the second try"
                let granted = try await ada.post("/staff/learners/\(robin.id)/attempt", [("module", "practice"), ("reason", reason)])
                #expect(granted.status == .seeOther && granted.location == "/staff/learners/\(robin.id)?done=attempt")
                let after = try await ada.follow(granted)
                #expect(after.body.contains("They have one more attempt."))
                #expect(after.body.contains("2 used, 1 left"))
                #expect(after.body.contains("Extra attempt: Practice Module, by Ada. Reason: \(reason)"))
                #expect(!(try await ada.get("/staff/learners?state=needs%20help").body.contains(">Robin Sparrow</a>")), "no longer stuck")

                try await robinBrowser.get("/modules/practice")
                let started = try await robinBrowser.post("/modules/practice/attempts", [])
                #expect(started.location == "/modules/practice/sections/2", "the learner can start again")
                #expect(try await site.coursework.openAttempt("practice", for: robin) != nil)
                try await expectAudited(site, ada, "extra attempt", reason: reason, learner: robin)
            }
        }

        @Test func markingAModuleCompleteByExceptionCountsItAsPassed() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let robinBrowser = Browser(client)
                let robin = try await site.coursework.learner(resumeCode: try await signUp(robinBrowser, name: "Robin Sparrow"))
                #expect(try await !site.take("practice", for: robin, right: false))
                #expect(try await site.take("second", for: robin))
                let ada = try await site.staffBrowser(client)
                try await ada.get("/staff/learners/\(robin.id)")
                expectReasonAsked(try await ada.post("/staff/learners/\(robin.id)/complete", [("module", "practice"), ("reason", "")]), "complete")
                #expect(try await site.coursework.progress(of: robin).modules[0].state == .notYetPassed, "nothing changed")
                #expect(try await site.store.adjustments(learnerID: robin.id).isEmpty)

                let reason = "passed the in-person assessment"
                let marked = try await ada.post("/staff/learners/\(robin.id)/complete", [("module", "practice"), ("reason", reason)])
                #expect(marked.location == "/staff/learners/\(robin.id)?done=complete")
                let after = try await ada.follow(marked)
                #expect(after.body.contains("The module counts as complete."))
                #expect(after.body.contains("Complete by exception"))
                #expect(after.body.contains(#"id="learner-state">Complete<"#))
                let progress = try await site.coursework.progress(of: robin)
                #expect(progress.modules[0].state == .passed && progress.modules[0].completeByException)
                #expect(progress.isComplete)
                #expect(try await ada.get("/staff/learners?state=complete").body.contains(">Robin Sparrow</a>"))
                let csv = parseCSV(try await ada.get("/staff/learners.csv").body).rows
                let practice = try #require(csv.first { $0.count > 13 && $0[0] == robin.id && $0[4] == "practice" })
                #expect(practice[6] == "passed" && practice[13] == "yes")
                #expect(try await robinBrowser.get("/").body.contains(#"action="/certificate""#), "the learner can claim a certificate")
                try await expectAudited(site, ada, "complete by exception", reason: reason, learner: robin)
            }
        }

        @Test func recordingAttendanceCountsASessionHeldWithoutTheLearnersPhone() async throws {
            let site = try TestSite()
            defer { site.remove() }
            let (robin, _) = try await site.coursework.register(displayName: "Robin Sparrow")
            try await site.test { client in
                let ada = try await site.staffBrowser(client)
                try await ada.get("/staff/learners/\(robin.id)")
                expectReasonAsked(try await ada.post("/staff/learners/\(robin.id)/attendance", [("date", todayISO), ("reason", "")]), "attendance")
                let future = try await ada.post("/staff/learners/\(robin.id)/attendance", [("date", "2999-01-01"), ("reason", "typo")])
                #expect(future.status == .badRequest && future.body.contains("today or earlier"))
                let nonsense = try await ada.post("/staff/learners/\(robin.id)/attendance", [("date", "last tuesday"), ("reason", "typo")])
                #expect(nonsense.status == .badRequest)
                #expect(try await site.store.attendance(learnerID: robin.id).isEmpty, "nothing changed")

                let reason = "attended in person, phone not linked"
                let recorded = try await ada.post("/staff/learners/\(robin.id)/attendance", [("date", todayISO), ("reason", reason)])
                #expect(recorded.location == "/staff/learners/\(robin.id)?done=attendance")
                let after = try await ada.follow(recorded)
                #expect(after.body.contains("Attendance recorded.") && after.body.contains("recorded by Ada"))
                let attendance = try await site.store.attendance(learnerID: robin.id)
                #expect(attendance.count == 1 && attendance.first?.byHand == true)
                #expect(try await site.coursework.progress(of: robin).sessionsAttended == 1)
                let csv = parseCSV(try await ada.get("/staff/learners.csv").body).rows
                #expect(csv.dropFirst().allSatisfy { $0[14] == "1" }, "group_sessions_attended")
                #expect(try await ada.get("/staff/learners?state=in%20progress").body.contains(">Robin Sparrow</a>"),
                        "a session attended is a start")
                try await expectAudited(site, ada, "attendance recorded", reason: reason, learner: robin)
            }
        }

        @Test func aNewResumeCodeIsShownOnceTheOldOneStopsAndTheLearnerIsSignedOut() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let robinBrowser = Browser(client)
                let oldCode = try await signUp(robinBrowser, name: "Robin Sparrow")
                let robin = try await site.coursework.learner(resumeCode: oldCode)
                let ada = try await site.staffBrowser(client)
                try await ada.get("/staff/learners/\(robin.id)")
                expectReasonAsked(try await ada.post("/staff/learners/\(robin.id)/code", [("reason", " ")]), "code")
                #expect(try await site.coursework.learner(resumeCode: oldCode) == robin, "nothing changed")
                #expect(try await robinBrowser.get("/").body.contains("Robin Sparrow"), "still signed in")

                let reason = "lost the card with the code"
                let posted = try await ada.post("/staff/learners/\(robin.id)/code", [("reason", reason)])
                #expect(posted.status == .seeOther && posted.location == "/staff/learners/\(robin.id)?done=code",
                        "a redirect: reloading the page can't make another code")
                let made = try await ada.follow(posted)
                #expect(made.status == .ok)
                #expect(made.body.contains(#"id="new-code""#) && made.body.contains("they were signed out"))
                let newCode = try #require(made.body.range(of: #"<p class="resume-code"><strong>"#).map { start in
                    String(made.body[start.upperBound...].prefix { $0 != "<" })
                })
                #expect(newCode.split(separator: "-").count == 4 && newCode != oldCode)
                let again = try await ada.get("/staff/learners/\(robin.id)")
                #expect(!again.body.contains(newCode) && !again.body.contains(#"id="new-code""#), "shown once")
                let reloaded = try await ada.get("/staff/learners/\(robin.id)?done=code")
                #expect(!reloaded.body.contains(newCode) && reloaded.body.contains("shown once and isn"), "a reload says it was shown once")
                #expect(try await site.coursework.learner(resumeCode: newCode) == robin, "and the code still works")

                // The learner's open session ended; the old code no longer resumes; the new one does.
                let home = try await robinBrowser.get("/")
                #expect(home.body.contains("Start the course") && !home.body.contains("Robin Sparrow"), "signed out")
                #expect(try await robinBrowser.get("/modules/practice").location == "/")
                let other = Browser(client)
                try await other.get("/")
                let old = try await other.post("/resume", [("code", oldCode)])
                #expect(old.status == .badRequest, "the old code fails")
                let resumed = try await other.post("/resume", [("code", newCode)])
                #expect(resumed.status == .seeOther && resumed.location == "/")
                #expect(try await other.follow(resumed).body.contains("Robin Sparrow"))
                try await expectAudited(site, ada, "new resume code", reason: reason, learner: robin,
                                        notContaining: [newCode, oldCode])
            }
        }

        @Test func removingNeedsTheConfirmBoxAndThenTheLearnerIsGone() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let robinBrowser = Browser(client)
                let code = try await signUp(robinBrowser, name: "Robin Sparrow")
                let robin = try await site.coursework.learner(resumeCode: code)
                #expect(try await site.take("practice", for: robin))
                let ada = try await site.staffBrowser(client)
                try await ada.get("/staff/learners/\(robin.id)")
                let unconfirmed = try await ada.post("/staff/learners/\(robin.id)/remove", [("reason", "asked to leave")])
                #expect(unconfirmed.status == .badRequest && unconfirmed.body.contains("Tick the box to confirm"))
                expectReasonAsked(try await ada.post("/staff/learners/\(robin.id)/remove", [("reason", ""), ("confirm", "yes")]), "remove")
                #expect(try await site.coursework.learner(id: robin.id) == robin, "nothing changed")
                #expect(try await site.audit().allSatisfy { $0.action != "learner removed" })

                let reason = "asked for their records to be deleted"
                let removed = try await ada.post("/staff/learners/\(robin.id)/remove", [("reason", reason), ("confirm", "yes")])
                #expect(removed.status == .seeOther && removed.location == "/staff/learners?done=removed")
                let roster = try await ada.follow(removed)
                #expect(roster.body.contains("The learner and their records were removed."))
                #expect(!roster.body.contains("Robin Sparrow") && roster.body.contains("No learners match"))
                let gone = try await ada.get("/staff/learners/\(robin.id)")
                #expect(gone.status == .notFound && gone.body.contains("No such learner"))
                #expect(try await site.coursework.learner(id: robin.id) == nil)
                let attempts = try await site.store.database.read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attempt WHERE learner_id = ?", arguments: [robin.id])
                }
                #expect(attempts == 0, "their attempts went with them")
                #expect(try await robinBrowser.get("/").body.contains("Start the course"), "their session ended")
                try await robinBrowser.get("/")
                #expect(try await robinBrowser.post("/resume", [("code", code)]).status == .badRequest, "their code is gone")
                try await expectAudited(site, ada, "learner removed", reason: reason, learner: robin)
            }
        }

        @Test func movingToAnotherCohortWithAReasonIsAudited() async throws {
            let site = try TestSite()
            defer { site.remove() }
            let (robin, _) = try await site.coursework.register(displayName: "Robin Sparrow")
            try await site.test { client in
                let ada = try await site.staffBrowser(client)
                try await makeCohort(ada, "Evening group")
                let evening = try #require(try await site.store.cohorts().first)
                try await ada.get("/staff/learners/\(robin.id)")
                let unknown = try await ada.post("/staff/learners/\(robin.id)/cohort", [("cohort", "feedfacefeedface"), ("reason", "typo")])
                #expect(unknown.status == .badRequest && unknown.body.contains("no such cohort"))
                #expect(try await site.store.cohortID(learnerID: robin.id) == nil)

                let reason = "switched to evenings"
                let moved = try await ada.post("/staff/learners/\(robin.id)/cohort", [("cohort", evening.id), ("reason", reason)])
                #expect(moved.location == "/staff/learners/\(robin.id)?done=cohort")
                let after = try await ada.follow(moved)
                #expect(after.body.contains("Moved to the cohort.") && after.body.contains("Evening group"))
                #expect(try await site.store.cohortID(learnerID: robin.id) == evening.id)
                #expect(try await ada.get("/staff/learners?cohort=\(evening.id)").body.contains(">Robin Sparrow</a>"))
                try await expectAudited(site, ada, "learner moved", reason: reason, learner: robin)

                let out = try await ada.post("/staff/learners/\(robin.id)/cohort", [("cohort", ""), ("reason", "left the group")])
                #expect(out.location == "/staff/learners/\(robin.id)?done=cohort")
                #expect(try await site.store.cohortID(learnerID: robin.id) == nil, "moved to no cohort")
            }
        }

        /// The page says "Each action asks for a reason", the form marks it required and the
        /// route's own comment says each needs one: moving a learner must too.
        @Test func movingToAnotherCohortWithoutAReasonIsRefused() async throws {
            let site = try TestSite()
            defer { site.remove() }
            let (robin, _) = try await site.coursework.register(displayName: "Robin Sparrow")
            try await site.test { client in
                let ada = try await site.staffBrowser(client)
                try await makeCohort(ada, "Evening group")
                let evening = try #require(try await site.store.cohorts().first)
                try await ada.get("/staff/learners/\(robin.id)")
                expectReasonAsked(try await ada.post("/staff/learners/\(robin.id)/cohort", [("cohort", evening.id), ("reason", "")]), "cohort")
                #expect(try await site.store.cohortID(learnerID: robin.id) == nil, "nothing changed")
                #expect(try await site.audit().allSatisfy { $0.action != "learner moved" }, "nothing audited")
            }
        }
    }

    // MARK: Cohorts

    @Suite struct Cohorts {
        /// The join key in a cohorts page's link.
        func joinKey(_ body: String) throws -> String {
            let range = try #require(body.range(of: "/start/"))
            let key = String(body[range.upperBound...].prefix { $0.isHexDigit })
            #expect(key.count == 16)
            return key
        }

        @Test func aCoordinatorMakesACohortAndADuplicateNameIsRefused() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let ada = try await site.staffBrowser(client)
                let empty = try await ada.get("/staff/cohorts")
                #expect(empty.status == .ok && empty.body.contains("No cohorts yet."))
                let made = try await makeCohort(ada, "March volunteers")
                #expect(made.body.contains("The cohort “March volunteers” is ready"))
                let key = try joinKey(made.body)
                let cohort = try #require(try await site.store.cohorts().first)
                #expect(cohort.joinKey == key && cohort.name == "March volunteers")
                #expect(made.body.contains(#"href="/staff/learners?cohort=\#(cohort.id)""#), "a link to its roster")
                #expect(made.body.contains("<td>0</td>"), "no members yet")

                for duplicate in ["March volunteers", "march VOLUNTEERS", "  March   volunteers "] {
                    let refused = try await ada.post("/staff/cohorts", [("name", duplicate)])
                    #expect(refused.status == .badRequest, "\(duplicate)")
                    #expect(refused.body.contains(#"id="cohort-error""#), "\(duplicate): says why")
                }
                let blank = try await ada.post("/staff/cohorts", [("name", "  ")])
                #expect(blank.status == .badRequest && blank.body.contains(#"id="cohort-error""#))
                #expect(try await site.store.cohorts().count == 1, "nothing else made")
                let audit = try await site.audit()
                #expect(audit.filter { $0.action == "cohort made" }.count == 1)
            }
        }

        @Test func theJoinLinkStartsOrContinuesTheCourseInTheCohort() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let ada = try await site.staffBrowser(client)
                let key = try joinKey(try await makeCohort(ada, "March volunteers").body)
                let cohort = try #require(try await site.store.cohorts().first)

                // Signed out: the start page, with the cohort in both forms.
                let newcomer = Browser(client)
                let start = try await newcomer.get("/start/\(key)")
                #expect(start.status == .ok)
                #expect(start.body.components(separatedBy: #"<input type="hidden" name="cohort" value="\#(key)">"#).count - 1 == 2,
                        "the start and resume forms carry the cohort")
                let started = try await newcomer.post("/start", [("name", "Nia Newcomer"), ("cohort", key)])
                #expect(started.status == .seeOther && started.location == "/welcome")
                let nia = try #require(try await site.store.roster().first { $0.learner.displayName == "Nia Newcomer" })
                #expect(nia.cohortID == cohort.id)

                // A learner who resumes through the link joins too.
                let (omar, omarCode) = try await site.coursework.register(displayName: "Omar Returning")
                let returning = Browser(client)
                try await returning.get("/start/\(key)")
                let resumed = try await returning.post("/resume", [("code", omarCode.description), ("cohort", key)])
                #expect(resumed.location == "/")
                #expect(try await site.store.cohortID(learnerID: omar.id) == cohort.id)

                // Signed in already: joins at once.
                let (pat, patCode) = try await site.coursework.register(displayName: "Pat Signed-In")
                let signedIn = try await site.learnerBrowser(client, code: patCode.description)
                let joined = try await signedIn.get("/start/\(key)")
                #expect(joined.status == .seeOther && joined.location == "/?joined=1")
                #expect(try await signedIn.follow(joined).body.contains("You joined your program"))
                #expect(try await site.store.cohortID(learnerID: pat.id) == cohort.id)

                // Everyone who joined shows in the cohort's roster; nobody else does.
                _ = try await site.coursework.register(displayName: "Quinn Elsewhere")
                let roster = try await ada.get("/staff/learners?cohort=\(cohort.id)")
                #expect(rosterOrder(["Nia Newcomer", "Omar Returning", "Pat Signed-In", "Quinn Elsewhere"], in: roster.body)
                        == ["Nia Newcomer", "Omar Returning", "Pat Signed-In"])
                #expect(try await ada.get("/staff/cohorts").body.contains("<td>3</td>"), "three members")
            }
        }

        @Test func aBogusJoinLinkIsAFriendlyNotFound() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let browser = Browser(client)
                for key in ["nope", "0123456789abcdef", "0123456789abcdef0", "<script>", String(repeating: "z", count: 16)] {
                    let page = try await browser.get("/start/\(key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key)")
                    #expect(page.status == .notFound, "\(key)")
                    #expect(page.body.contains("That link doesn't work") || page.body.contains("That link doesn&#39;t work"), "\(key)")
                    #expect(page.body.contains(#"href="/""#))
                    #expect(!page.body.contains("<script>"))
                }
                _ = try await signUp(browser)
                #expect(try await browser.get("/start/0123456789abcdef").status == .notFound, "signed in, too")
            }
        }
    }

    // MARK: Scale

    @Suite struct Scale {
        @Test func tenThousandLearnersMakeTwoHundredPagesAndAFullCSV() async throws {
            let site = try TestSite()
            defer { site.remove() }
            let count = 10_000
            let ids = try await site.insertLearners(count)
            #expect(ids.count == count)
            try await site.test { client in
                let ada = try await site.staffBrowser(client)
                let first = try await ada.get("/staff/learners")
                #expect(first.status == .ok)
                #expect(first.body.contains("10000 learners") && first.body.contains("Page 1 of 200"))
                #expect(first.body.components(separatedBy: #"<th scope="row">"#).count - 1 == 50)
                #expect(first.body.contains(#"<a href="/staff/learners?page=2" rel="next">"#))
                let last = try await ada.get("/staff/learners?page=200")
                #expect(last.body.contains("Page 200 of 200") && last.body.contains(">Learner 09999</a>"))
                let passed = try await ada.get("/staff/learners?state=in%20progress")
                #expect(passed.body.contains("3334 of 10000 match these filters"), "every third has an attempt")

                let response = try await rawGet(ada, "/staff/learners.csv")
                #expect(response.status == .ok)
                let bytes = Array(response.body.readableBytesView)
                #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
                let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
                let modules = site.coursework.curriculum.modules.count
                #expect(lines.last == "", "the last line ends CRLF too")
                #expect(lines.count - 1 == count * modules + 1, "a row per learner and module, and the header")
                #expect(try await ada.get("/staff/cohorts").status == .ok)
            }
        }
    }
}
