import Credentials
import CurriculumKit
import Foundation
import HTTPTypes
import Hummingbird
import Presentation
import Runtime

/// The coordinator's pages under `/staff`: the completion report (with CSV), one learner's
/// record with the actions (each needs a reason, written to the audit log), cohorts and
/// their join links, and certificates that expire soon or have expired. Every route needs
/// a signed-in coordinator; coordinators see completion and scores, never answers.
struct CoordinatorRoutes: Sendable {
    let coordination: Coordination
    let certificates: Certificates
    let staff: StaffRoutes
    let pages: Pages

    private var curriculum: Curriculum { coordination.coursework.curriculum }

    func register(on router: Router<WebContext>) {
        router.get("/staff/learners") { request, context in try await roster(request, context) }
        router.get("/staff/learners.csv") { request, context in try await rosterCSV(request, context) }
        router.get("/staff/learners/:id") { request, context in try await learnerPage(request, context) }
        router.post("/staff/learners/:id/cohort") { request, context in try await act(request, context, .cohort) }
        router.post("/staff/learners/:id/attempt") { request, context in try await act(request, context, .attempt) }
        router.post("/staff/learners/:id/complete") { request, context in try await act(request, context, .complete) }
        router.post("/staff/learners/:id/attendance") { request, context in try await act(request, context, .attendance) }
        router.post("/staff/learners/:id/practical") { request, context in try await act(request, context, .practical) }
        router.post("/staff/learners/:id/code") { request, context in try await act(request, context, .code) }
        router.post("/staff/learners/:id/remove") { request, context in try await act(request, context, .remove) }
        router.get("/staff/cohorts") { request, context in
            let made = Form.query(request)["made"]
            return try await cohorts(request, context, error: nil, made: made)
        }
        router.post("/staff/cohorts") { request, context in try await createCohort(request, context) }
        router.get("/staff/certificates") { request, context in try await expiring(request, context, error: nil) }
        router.get("/staff/certificates.csv") { request, context in try await expiringCSV(request, context) }
        router.post("/staff/certificates/:code/revoke") { request, context in try await revoke(request, context) }
        router.post("/staff/certificates/revoke") { request, context in try await revoke(request, context) }
    }

    // MARK: The report

    private func query(_ request: Request) -> Coordination.Query {
        let parameters = Form.query(request)
        var query = Coordination.Query()
        if let cohort = parameters["cohort"], !cohort.isEmpty, cohort != "all" { query.cohortID = cohort == "none" ? "" : cohort }
        if let state = parameters["state"] { query.state = Coordination.CompletionState(rawValue: state) }
        if let days = parameters["expires"].flatMap({ Int($0) }), days > 0 { query.expiresWithinDays = min(days, 3650) }
        if let search = parameters["q"]?.trimmingCharacters(in: .whitespaces), !search.isEmpty { query.search = String(search.prefix(60)) }
        if let sort = parameters["sort"].flatMap(Coordination.Query.Sort.init(rawValue:)) { query.sort = sort }
        if let page = parameters["page"].flatMap({ Int($0) }) { query.page = max(1, min(page, 1_000_000)) }
        return query
    }

    /// The query string for a query (for paging and the CSV link).
    private func queryString(_ query: Coordination.Query, page: Int? = nil) -> String {
        var items: [URLQueryItem] = []
        if let cohort = query.cohortID { items.append(.init(name: "cohort", value: cohort.isEmpty ? "none" : cohort)) }
        if let state = query.state { items.append(.init(name: "state", value: state.rawValue)) }
        if let days = query.expiresWithinDays { items.append(.init(name: "expires", value: String(days))) }
        if let search = query.search { items.append(.init(name: "q", value: search)) }
        if query.sort != .name { items.append(.init(name: "sort", value: query.sort.rawValue)) }
        if let page, page > 1 { items.append(.init(name: "page", value: String(page))) }
        var components = URLComponents()
        components.queryItems = items
        return items.isEmpty ? "" : (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    private func roster(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await staff.require(request, .coordinator)
        let query = query(request)
        let report = try await coordination.report(query, by: .member(signIn.member))
        let cohorts = try await coordination.cohorts()
        let c = staff.chrome(context, signIn)
        let names = Dictionary(cohorts.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let rows = report.rows.map { row in
            RosterRowView(id: row.learner.id, shortID: Coordination.shortID(row.learner.id), displayName: row.learner.displayName,
                          cohort: row.cohort.flatMap { names[$0.id] } ?? "—",
                          modulesText: "\(row.requiredPassed) of \(row.requiredCount)", sessions: row.sessionsAttended,
                          practicalsText: row.practicalsRequired > 0 ? "\(row.practicalsSigned) of \(row.practicalsRequired)" : nil,
                          stateText: row.state.rawValue.capitalizedFirst, stateClass: Self.stateClass(row.state),
                          certificateText: certificateText(row.certificate, row.certificateStanding))
        }
        var cohortOptions = [ChoiceView(value: "all", label: "All cohorts", selected: query.cohortID == nil),
                             ChoiceView(value: "none", label: "In no cohort", selected: query.cohortID == "")]
        cohortOptions += cohorts.map { ChoiceView(value: $0.id, label: $0.name, selected: query.cohortID == $0.id) }
        let states = [ChoiceView(value: "", label: "Any state", selected: query.state == nil)]
            + Coordination.CompletionState.allCases.map { ChoiceView(value: $0.rawValue, label: $0.rawValue.capitalizedFirst, selected: query.state == $0) }
        let sortLabels: [Coordination.Query.Sort: String] = [.name: "Name", .joined: "Newest first", .progress: "Most modules passed",
                                                            .expiry: "Certificate expiry"]
        let sorts = Coordination.Query.Sort.allCases.map { ChoiceView(value: $0.rawValue, label: sortLabels[$0] ?? $0.rawValue, selected: query.sort == $0) }
        let removed = Form.query(request)["done"] == "removed"
        let page = RosterPage(
            courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: c.staff, rows: rows,
            hasPracticals: !curriculum.requiredPracticals.isEmpty,
            summary: report.matching == report.total ? "\(report.total) learner\(report.total == 1 ? "" : "s")"
                : "\(report.matching) of \(report.total) match these filters",
            cohorts: cohortOptions, states: states, sorts: sorts,
            expires: query.expiresWithinDays.map(String.init) ?? "", search: query.search ?? "",
            csvURL: "/staff/learners.csv" + queryString(query),
            previousURL: report.page > 1 ? "/staff/learners" + queryString(query, page: report.page - 1) : nil,
            nextURL: report.page < report.pageCount ? "/staff/learners" + queryString(query, page: report.page + 1) : nil,
            pageText: "Page \(report.page) of \(report.pageCount)",
            notice: removed ? "The learner and their records were removed." : nil, hasRows: !rows.isEmpty)
        return pages.page("staff-learners", page, context: context)
    }

    private func rosterCSV(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await staff.require(request, .coordinator)
        var query = query(request)
        query.page = 1
        let rows = try await coordination.allRows(query, by: .member(signIn.member))
        var table = CSVTable(header: ["learner_id", "display_name", "cohort", "joined", "module_id", "module", "state", "best_score_percent",
                                      "attempts_used", "attempts_left", "first_started", "last_finished", "passed_on",
                                      "complete_by_exception", "group_sessions_attended", "practicals_signed_off", "course_state", "certificate_code",
                                      "certificate_state", "certificate_valid_until"])
        for row in rows {
            for module in row.modules {
                let progress = module.progress
                table.rows.append([
                    row.learner.id, row.learner.displayName, row.cohort?.name ?? "", Self.isoDay(row.learner.createdAt),
                    progress.moduleID, progress.title, progress.state.rawValue,
                    progress.bestScore.map { String($0.percent) } ?? "", String(progress.attemptsUsed),
                    progress.attemptsLeft.map(String.init) ?? "unlimited",
                    module.firstStartedAt.map(Self.isoDay) ?? "", module.lastFinishedAt.map(Self.isoDay) ?? "",
                    module.passedAt.map(Self.isoDay) ?? "", progress.completeByException ? "yes" : "no",
                    String(row.sessionsAttended), "\(row.practicalsSigned) of \(row.practicalsRequired)", row.state.rawValue,
                    row.certificate?.code ?? "",
                    row.certificateStanding?.rawValue ?? "", row.certificate?.validUntil.map(Self.isoDay) ?? "",
                ])
            }
        }
        return Self.csv(table, filename: "completion-\(Self.isoDay(Date())).csv")
    }

    static func csv(_ table: CSVTable, filename: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                                        .contentDisposition: "attachment; filename=\"\(filename)\""],
                 body: .init(byteBuffer: ByteBuffer(string: table.text)))
    }

    // MARK: One learner

    private enum Action { case cohort, attempt, complete, attendance, practical, code, remove }

    private func learnerPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await staff.require(request, .coordinator)
        let id = context.parameters.get("id") ?? ""
        if Form.query(request)["done"] == "code" {
            // The new code, once: a reload finds the flash taken and says so instead.
            let flash = try await staff.sessions.takeFlash(token: signIn.token)
            let parts = flash?.split(separator: "|").map(String.init) ?? []
            let code = parts.count == 3 && parts[0] == "resume-code" && parts[1] == id ? parts[2] : nil
            return try await learnerPage(signIn, context, id: id,
                                         notice: code == nil ? "The new resume code was shown once and isn't kept. Make another if it was lost." : nil,
                                         error: nil, newCode: code)
        }
        let notices = ["cohort": "Moved to the cohort.", "attempt": "They have one more attempt.",
                       "complete": "The module counts as complete.", "attendance": "Attendance recorded.",
                       "practical": "The practical skill is signed off.", "practical-kept": "They were already signed off on that skill; the first sign-off stands.",
                       "revoked": "The certificate was revoked. Verifying it now says revoked."]
        return try await learnerPage(signIn, context, id: id,
                                     notice: request.uri.queryParameters.get("done").flatMap { notices[String($0)] }, error: nil, newCode: nil)
    }

    private func learnerPage(_ signIn: StaffSignIn, _ context: WebContext, id: String, notice: String?, error: String?, newCode: String?,
                             status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let detail = try await coordination.learner(id: id, by: .member(signIn.member)) else {
            return pages.error(.notFound, heading: "No such learner", message: "There is no learner with that id. They may have been removed.",
                               context: context, staff: StaffName(name: signIn.member.name), link: ("/staff/learners", "Go to the roster"),
                               staffArea: true)
        }
        let row = detail.row
        let c = staff.chrome(context, signIn)
        let modules = row.modules.map { module -> ModuleReportView in
            let progress = module.progress
            let status = ModuleStatus(progress)
            var attempts = "\(progress.attemptsUsed) used"
            if let left = progress.attemptsLeft { attempts += ", \(left) left" }
            return ModuleReportView(title: progress.title,
                                    stateText: progress.completeByException ? "Complete by exception" : status.label,
                                    stateClass: status.tone.rawValue, best: progress.bestScore.map { "\($0.percent)%" } ?? "—",
                                    attempts: attempts, started: module.firstStartedAt.map(Self.day) ?? "—",
                                    finished: (module.passedAt ?? module.lastFinishedAt).map(Self.day) ?? "—")
        }
        let cohorts = try await coordination.cohorts()
        var page = LearnerDetailPage(
            courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: c.staff, id: row.learner.id,
            shortID: Coordination.shortID(row.learner.id), displayName: row.learner.displayName, joined: Self.day(row.learner.createdAt),
            cohortName: row.cohort?.name ?? "No cohort", stateText: row.state.rawValue.capitalizedFirst, stateClass: Self.stateClass(row.state),
            modules: modules,
            moduleOptions: curriculum.modules.map { ChoiceView(value: $0.id, label: $0.title, selected: false) },
            cohortOptions: [ChoiceView(value: "", label: "No cohort", selected: row.cohort == nil)]
                + cohorts.map { ChoiceView(value: $0.id, label: $0.name, selected: row.cohort?.id == $0.id) },
            attendance: detail.attendance.map {
                AttendanceView(when: Self.day($0.attendedAt), how: $0.byHand ? "recorded by \($0.recordedBy)" : "group session run by \($0.recordedBy)")
            },
            hasAttendance: !detail.attendance.isEmpty,
            adjustments: detail.adjustments.map {
                AdjustmentView(when: Self.day($0.at), what: "\($0.kind.rawValue.capitalizedFirst): \(curriculum.module(id: $0.moduleID)?.title ?? $0.moduleID)",
                               by: $0.recordedBy, reason: $0.reason)
            },
            hasAdjustments: !detail.adjustments.isEmpty,
            certificates: detail.certificates.reversed().map { certificateRow($0, learner: nil) },
            hasCertificates: !detail.certificates.isEmpty,
            notice: notice, error: error, newCode: newCode, today: Self.isoDay(Date()))
        page.practicals = curriculum.practicals.map { practical in
            PracticalStandingView(title: practical.title + (curriculum.requiredPracticals.contains { $0.id == practical.id } ? "" : " (not required)"),
                                  signedNote: detail.signOffs.first { $0.practicalID == practical.id }.map {
                                      "on \(Self.day($0.signedAt)) by \($0.signerName)" + ($0.reason.map { ": “\($0)”" } ?? " at a group session")
                                  })
        }
        page.hasPracticals = !page.practicals.isEmpty
        page.unsignedOptions = curriculum.practicals.filter { practical in !detail.signOffs.contains { $0.practicalID == practical.id } }
            .map { ChoiceView(value: $0.id, label: $0.title, selected: false) }
        page.hasUnsigned = !page.unsignedOptions.isEmpty
        return pages.page("staff-learner", page, context: context, status: status)
    }

    private func act(_ request: Request, _ context: WebContext, _ action: Action) async throws -> Response {
        let signIn = try await staff.require(request, .coordinator)
        let form = try await pages.checkedForm(request, context)
        guard let id = context.parameters.get("id") else { throw HTTPError(.notFound) }
        let actor = StaffAccounts.Actor.member(signIn.member)
        let reason = form["reason"] ?? ""
        do {
            switch action {
            case .cohort:
                let cohort = form["cohort"].flatMap { $0.isEmpty ? nil : $0 }
                try await coordination.move(learnerID: id, to: cohort, reason: reason, by: actor)
                return pages.redirect(to: "/staff/learners/\(id)?done=cohort")
            case .attempt:
                try await coordination.grantAttempt(learnerID: id, moduleID: form["module"] ?? "", reason: reason, by: actor)
                return pages.redirect(to: "/staff/learners/\(id)?done=attempt")
            case .complete:
                try await coordination.completeByException(learnerID: id, moduleID: form["module"] ?? "", reason: reason, by: actor)
                return pages.redirect(to: "/staff/learners/\(id)?done=complete")
            case .attendance:
                guard let date = Self.parseDay(form["date"] ?? ""), date <= Date().addingTimeInterval(86_400) else {
                    return try await learnerPage(signIn, context, id: id, notice: nil, error: "Give the session's date, today or earlier.",
                                                 newCode: nil, status: .badRequest)
                }
                try await coordination.recordAttendance(learnerID: id, on: date, reason: reason, by: actor)
                return pages.redirect(to: "/staff/learners/\(id)?done=attendance")
            case .practical:
                let added = try await coordination.recordSignOff(learnerID: id, practicalID: form["practical"] ?? "", reason: reason, by: actor)
                return pages.redirect(to: "/staff/learners/\(id)?done=\(added ? "practical" : "practical-kept")")
            case .code:
                // Shown once, after a redirect: reloading the page can't make another code.
                let code = try await coordination.newResumeCode(learnerID: id, reason: reason, by: actor)
                try await staff.sessions.setFlash(token: signIn.token, "resume-code|\(id)|\(code.description)")
                return pages.redirect(to: "/staff/learners/\(id)?done=code")
            case .remove:
                guard form["confirm"] == "yes" else {
                    return try await learnerPage(signIn, context, id: id, notice: nil,
                                                 error: "Tick the box to confirm. Removing a learner deletes their records for good.",
                                                 newCode: nil, status: .badRequest)
                }
                try await coordination.removeLearner(learnerID: id, reason: reason, by: actor)
                return pages.redirect(to: "/staff/learners?done=removed")
            }
        } catch let error as RecordsError where error.kind == .unknownLearner {
            return pages.error(.notFound, heading: "No such learner", message: sentence(error), context: context,
                               staff: StaffName(name: signIn.member.name), link: ("/staff/learners", "Go to the roster"), staffArea: true)
        } catch let error as RecordsError where error.category == .badInput || error.kind == .unknownItem || error.kind == .duplicate {
            return try await learnerPage(signIn, context, id: id, notice: nil, error: sentence(error), newCode: nil, status: .badRequest)
        }
    }

    // MARK: Cohorts

    private func cohorts(_ request: Request, _ context: WebContext, error: String?, name: String? = nil, made: String? = nil,
                         status: HTTPResponse.Status = .ok) async throws -> Response {
        let signIn = try await staff.require(request, .coordinator)
        let c = staff.chrome(context, signIn)
        let cohorts = try await coordination.cohorts()
        let counts = Dictionary(grouping: try await coordination.allRows(Coordination.Query(), by: .member(signIn.member)).compactMap { $0.cohort?.id },
                                by: { $0 }).mapValues(\.count)
        let base = context.origin.base
        let page = CohortsPage(
            courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: c.staff,
            cohorts: cohorts.map { CohortView(id: $0.id, name: $0.name, link: base + "/start/" + $0.joinKey, members: counts[$0.id] ?? 0,
                                              rosterURL: "/staff/learners?cohort=" + $0.id) },
            hasCohorts: !cohorts.isEmpty, error: error, name: name, made: made.flatMap { id in cohorts.first { $0.id == id }?.name })
        return pages.page("staff-cohorts", page, context: context, status: status)
    }

    private func createCohort(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await staff.require(request, .coordinator)
        let form = try await pages.checkedForm(request, context)
        do {
            let cohort = try await coordination.createCohort(name: form["name"] ?? "", by: .member(signIn.member))
            return pages.redirect(to: "/staff/cohorts?made=" + cohort.id)
        } catch let error as RecordsError where error.category == .badInput || error.kind == .duplicate {
            return try await cohorts(request, context, error: sentence(error), name: form["name"].map { String($0.prefix(100)) }, status: .badRequest)
        }
    }

    // MARK: Certificates

    private func expiring(_ request: Request, _ context: WebContext, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let signIn = try await staff.require(request, .coordinator)
        let c = staff.chrome(context, signIn)
        let days = 60
        let (soon, expired) = try await certificates.expiring(withinDays: days, by: .member(signIn.member))
        let names = try await learnerNames(soon + expired)
        let page = ExpiringPage(
            courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: c.staff, days: days,
            soon: soon.map { certificateRow($0, learner: $0.learnerID.flatMap { names[$0] }) }, hasSoon: !soon.isEmpty,
            expired: expired.map { certificateRow($0, learner: $0.learnerID.flatMap { names[$0] }) }, hasExpired: !expired.isEmpty,
            notice: request.uri.queryParameters.get("done") == "revoked" ? "The certificate was revoked." : nil, error: error)
        return pages.page("staff-certificates", page, context: context, status: status)
    }

    private func learnerNames(_ records: [CertificateRecord]) async throws -> [String: String] {
        var names: [String: String] = [:]
        for id in Set(records.compactMap(\.learnerID)) {
            names[id] = try await coordination.coursework.learner(id: id)?.displayName
        }
        return names
    }

    private func expiringCSV(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await staff.require(request, .coordinator)
        let (soon, expired) = try await certificates.expiring(withinDays: 60, by: .member(signIn.member))
        let names = try await learnerNames(soon + expired)
        var table = CSVTable(header: ["certificate_code", "learner_id", "display_name", "name_on_certificate", "issued", "valid_until", "state"])
        for record in soon + expired {
            table.rows.append([record.code, record.learnerID ?? "", record.learnerID.flatMap { names[$0] } ?? "", record.name ?? "",
                               record.issuedAt.map(Self.isoDay) ?? "", record.validUntil.map(Self.isoDay) ?? "",
                               (record.validUntil ?? .distantFuture) <= Date() ? "expired" : "expires soon"])
        }
        return Self.csv(table, filename: "certificates-expiring-\(Self.isoDay(Date())).csv")
    }

    private func revoke(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await staff.require(request, .coordinator)
        let form = try await pages.checkedForm(request, context)
        let code = context.parameters.get("code") ?? form["code"] ?? ""
        let back = form["back"].flatMap { $0.hasPrefix("/staff/learners/") && $0.dropFirst(16).allSatisfy(\.isHexDigit) ? $0 : nil }
        do {
            _ = try await certificates.revoke(code: code, reason: form["reason"] ?? "", allowReissue: form["reissue"] == "yes",
                                              by: .member(signIn.member))
            return pages.redirect(to: (back ?? "/staff/certificates") + "?done=revoked")
        } catch let error as RecordsError where error.category == .badInput || error.kind == .notEligible || error.kind == .unknownItem {
            if let back, let id = back.split(separator: "/").last.map(String.init) {
                return try await learnerPage(signIn, context, id: id, notice: nil, error: sentence(error), newCode: nil, status: .badRequest)
            }
            return try await expiring(request, context, error: sentence(error), status: .badRequest)
        }
    }

    private func certificateRow(_ record: CertificateRecord, learner name: String?) -> CertificateRowView {
        let standing = record.standing(at: Date())
        return CertificateRowView(code: record.code, name: record.name ?? "—", issued: record.issuedAt.map(Self.day) ?? "—",
                                  validUntil: record.validUntil.map(Self.day) ?? "No end date", standing: standing.rawValue.capitalizedFirst,
                                  standingClass: standing == .valid ? "passed" : "not-yet-passed", canRevoke: standing != .revoked,
                                  learnerID: record.learnerID, learnerShortID: record.learnerID.map(Coordination.shortID), learnerName: name)
    }

    private func certificateText(_ record: CertificateRecord?, _ standing: CertificateRecord.Standing?) -> String {
        guard let record, let standing else { return "None yet" }
        switch standing {
        case .valid: return record.validUntil.map { "Valid to \(Self.day($0))" } ?? "Valid"
        case .expired: return "Expired \(record.validUntil.map(Self.day) ?? "")"
        case .revoked: return "Revoked"
        case .notYetValid: return "Not yet valid"
        }
    }

    static func stateClass(_ state: Coordination.CompletionState) -> String {
        switch state {
        case .complete: return "passed"
        case .inProgress: return "in-progress"
        case .needsHelp: return "not-yet-passed"
        case .notStarted: return "not-started"
        }
    }

    static func day(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .abbreviated, time: .omitted, timeZone: TimeZone(identifier: "UTC") ?? .current))
    }

    static func isoDay(_ date: Date) -> String {
        Coordination.day(date)
    }

    static func parseDay(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces)).map { $0.addingTimeInterval(12 * 3600) }
    }
}

extension String {
    /// The text with its first letter in capitals.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
