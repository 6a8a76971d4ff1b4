import CurriculumKit
import Foundation

/// What coordinators do: cohorts, the completion report, and the actions that change a
/// learner's record, each with a reason written to the audit log. Coordinators see
/// completion and scores, never answers. The server only presents what it returns.
public struct Coordination: Sendable {
    /// The course runtime.
    public let coursework: Coursework
    private let accounts: StaffAccounts
    private let records: LearnerRecords
    private let now: @Sendable () -> Date

    /// Creates the coordinator's runtime.
    public init(coursework: Coursework, accounts: StaffAccounts, records: LearnerRecords,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.coursework = coursework
        self.accounts = accounts
        self.records = records
        self.now = now
    }

    private var store: any RecordStore { coursework.store }

    // MARK: Cohorts

    /// Every cohort, by name.
    public func cohorts() async throws -> [Cohort] {
        try await store.cohorts()
    }

    /// Makes a cohort with a fresh join key.
    public func createCohort(name typed: String, by actor: StaffAccounts.Actor) async throws -> Cohort {
        try accounts.requireCoordinatorRole(actor)
        let name = try DisplayName.validated(typed)
        let cohort = Cohort(id: Hex.random(bytes: 16), name: name, joinKey: Hex.random(bytes: 8), createdAt: now())
        try await store.createCohort(cohort)
        try await accounts.auditCoordinatorAction("cohort made", name, reason: "new cohort", by: actor)
        return cohort
    }

    /// The cohort a join link names; nil for a link that names none.
    public func cohort(joinKey: String) async throws -> Cohort? {
        guard joinKey.count == 16, joinKey.allSatisfy(\.isHexDigit) else { return nil }
        return try await store.cohort(joinKey: joinKey)
    }

    /// Puts a learner who started through a cohort's join link in it.
    public func join(_ cohort: Cohort, learnerID: String) async throws {
        try await store.setCohort(learnerID: learnerID, cohortID: cohort.id)
    }

    /// Moves a learner to another cohort (nil: to none).
    public func move(learnerID: String, to cohortID: String?, reason: String, by actor: StaffAccounts.Actor) async throws {
        var cohort: Cohort?
        if let cohortID {
            guard let found = try await store.cohorts().first(where: { $0.id == cohortID }) else {
                throw RecordsError(.unknownItem, "there is no such cohort", hint: "choose one from the list")
            }
            cohort = found
        }
        try await audited("learner moved", learnerID, "to \(cohort?.name ?? "no cohort")", reason: reason, by: actor)
        try await store.setCohort(learnerID: learnerID, cohortID: cohort?.id)
    }

    // MARK: The report

    /// Where a learner stands with the whole course.
    public enum CompletionState: String, Sendable, CaseIterable, Codable {
        /// Met the completion rule.
        case complete
        /// Started, not complete, with a way forward.
        case inProgress = "in progress"
        /// Used every attempt at a required module without passing it: a coordinator can help.
        case needsHelp = "needs help"
        /// Nothing attempted yet.
        case notStarted = "not started"
    }

    /// One learner's line in the report.
    public struct Row: Sendable {
        /// The learner.
        public var learner: Learner
        /// Their cohort.
        public var cohort: Cohort?
        /// Every module, in course order, with its dates.
        public var modules: [ModuleRow]
        /// Required modules passed.
        public var requiredPassed: Int
        /// Required modules.
        public var requiredCount: Int
        /// Group sessions attended.
        public var sessionsAttended: Int
        /// How many of the required practical skills are signed off.
        public var practicalsSigned: Int = 0
        /// How many practical skills completion needs.
        public var practicalsRequired: Int = 0
        /// Where they stand.
        public var state: CompletionState
        /// Their newest certificate.
        public var certificate: CertificateRecord?
        /// Its standing today.
        public var certificateStanding: CertificateRecord.Standing?
    }

    /// One module in a learner's line.
    public struct ModuleRow: Sendable {
        /// Progress as the learner sees it (state, attempts, best score).
        public var progress: ModuleProgress
        /// When the first attempt began.
        public var firstStartedAt: Date?
        /// When the latest attempt finished.
        public var lastFinishedAt: Date?
        /// When it was first passed.
        public var passedAt: Date?
    }

    /// How the report is filtered, sorted and paged.
    public struct Query: Sendable, Equatable {
        /// How rows are ordered.
        public enum Sort: String, Sendable, CaseIterable {
            /// By display name.
            case name
            /// Newest learners first.
            case joined
            /// Most modules passed first.
            case progress
            /// Soonest certificate expiry first.
            case expiry
        }

        /// Only this cohort's learners (`""`: learners in no cohort).
        public var cohortID: String?
        /// Only learners in this state.
        public var state: CompletionState?
        /// Only learners whose certificate expires within this many days (and hasn't yet).
        public var expiresWithinDays: Int?
        /// Only display names containing this (ignoring case).
        public var search: String?
        /// The order.
        public var sort: Sort = .name
        /// The page, from 1.
        public var page: Int = 1
        /// Rows a page.
        public var pageSize: Int = 50

        /// A query with the defaults: everyone, by name, the first page.
        public init(cohortID: String? = nil, state: CompletionState? = nil, expiresWithinDays: Int? = nil, search: String? = nil,
                    sort: Sort = .name, page: Int = 1, pageSize: Int = 50) {
            self.cohortID = cohortID
            self.state = state
            self.expiresWithinDays = expiresWithinDays
            self.search = search
            self.sort = sort
            self.page = page
            self.pageSize = pageSize
        }
    }

    /// A page of the report.
    public struct Report: Sendable {
        /// This page's rows.
        public var rows: [Row]
        /// Rows matching the filters, on every page.
        public var matching: Int
        /// Learners in all.
        public var total: Int
        /// This page (from 1).
        public var page: Int
        /// How many pages.
        public var pageCount: Int
    }

    /// The report: filtered, sorted, one page of it.
    public func report(_ query: Query, by actor: StaffAccounts.Actor) async throws -> Report {
        let (all, rows) = try await matchingRows(query, by: actor)
        let size = max(1, query.pageSize)
        let pageCount = max(1, (rows.count + size - 1) / size)
        let page = min(max(1, query.page), pageCount)
        let slice = Array(rows.dropFirst((page - 1) * size).prefix(size))
        return Report(rows: slice, matching: rows.count, total: all, page: page, pageCount: pageCount)
    }

    /// Every row the query matches, sorted, unpaged (for the CSV).
    public func allRows(_ query: Query, by actor: StaffAccounts.Actor) async throws -> [Row] {
        try await matchingRows(query, by: actor).rows
    }

    private func matchingRows(_ query: Query, by actor: StaffAccounts.Actor) async throws -> (total: Int, rows: [Row]) {
        try accounts.requireCoordinatorRole(actor)
        let cohorts = Dictionary(try await store.cohorts().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var records = try await store.roster()
        if !coursework.curriculum.practicals.isEmpty {
            let signed = try await store.signedOffPracticals()
            for index in records.indices { records[index].practicals = signed[records[index].learner.id] ?? [] }
        }
        let date = now()
        let search = query.search?.trimmingCharacters(in: .whitespaces).lowercased()
        let required = Set(coursework.requiredModules)
        var rows: [Row] = []
        rows.reserveCapacity(records.count)
        for record in records {
            if let cohortID = query.cohortID, (record.cohortID ?? "") != cohortID { continue }
            if let search, !search.isEmpty, !record.learner.displayName.lowercased().contains(search) { continue }
            let row = self.row(record, cohort: record.cohortID.flatMap { cohorts[$0] }, at: date, required: required)
            if let state = query.state, row.state != state { continue }
            if let days = query.expiresWithinDays {
                guard let certificate = row.certificate, row.certificateStanding == .valid, let until = certificate.validUntil,
                      until <= date.addingTimeInterval(Double(days) * 86_400) else { continue }
            }
            rows.append(row)
        }
        return (records.count, Self.sorted(rows, by: query.sort))
    }

    /// Rows in a query's order; ties (and the name order itself) by name ignoring case, then
    /// id. The keys are worked out once a row, not once a comparison.
    static func sorted(_ rows: [Row], by sort: Query.Sort) -> [Row] {
        let keyed = rows.map { row in
            (row, row.learner.displayName.lowercased())
        }
        func byName(_ a: (Row, String), _ b: (Row, String)) -> Bool {
            a.1 == b.1 ? a.0.learner.id < b.0.learner.id : a.1 < b.1
        }
        let order: ((Row, String), (Row, String)) -> Bool
        switch sort {
        case .name: order = byName
        case .joined: order = { a, b in a.0.learner.createdAt == b.0.learner.createdAt ? byName(a, b) : a.0.learner.createdAt > b.0.learner.createdAt }
        case .progress: order = { a, b in a.0.requiredPassed == b.0.requiredPassed ? byName(a, b) : a.0.requiredPassed > b.0.requiredPassed }
        case .expiry:
            order = { a, b in
                let x = a.0.certificate?.validUntil ?? .distantFuture, y = b.0.certificate?.validUntil ?? .distantFuture
                return x == y ? byName(a, b) : x < y
            }
        }
        return keyed.sorted(by: order).map(\.0)
    }

    func row(_ record: RosterRecord, cohort: Cohort?, at date: Date) -> Row {
        row(record, cohort: cohort, at: date, required: Set(coursework.requiredModules))
    }

    /// A learner's line. `progress`, when given, is the learner's own view of their modules
    /// (``Coursework/progress(of:)``, which counts refresher attempts afresh in a renewal
    /// window); otherwise progress comes from the summaries.
    func row(_ record: RosterRecord, cohort: Cohort?, at date: Date, required: Set<String>, progress own: [ModuleProgress]? = nil) -> Row {
        let modules = coursework.curriculum.modules.enumerated().map { index, module -> ModuleRow in
            let summary = record.modules.first { $0.moduleID == module.id }
                ?? ModuleSummary(moduleID: module.id, attempts: [])
            let progress = own.flatMap { $0.indices.contains(index) && $0[index].moduleID == module.id ? $0[index] : nil }
                ?? Coursework.progress(of: module, summary: summary,
                                       adjustments: record.adjustments.filter { $0.moduleID == module.id })
            return ModuleRow(progress: progress, firstStartedAt: summary.firstStartedAt, lastFinishedAt: summary.lastFinishedAt,
                             passedAt: summary.passedAt)
        }
        let requiredRows = modules.filter { required.contains($0.progress.moduleID) }
        let passed = requiredRows.filter { $0.progress.state == .passed }.count
        let attendanceNeeded = coursework.curriculum.settings.completion.attendance
        let practicals = coursework.curriculum.requiredPracticals.map(\.id)
        let signed = practicals.filter { record.practicals.contains($0) }.count
        let state: CompletionState
        if passed == requiredRows.count && record.sessionsAttended >= attendanceNeeded && signed == practicals.count { state = .complete }
        else if requiredRows.contains(where: { $0.progress.state == .notYetPassed && $0.progress.attemptsLeft == 0 }) { state = .needsHelp }
        else if modules.contains(where: { $0.progress.state != .notStarted }) || record.sessionsAttended > 0 || signed > 0 { state = .inProgress }
        else { state = .notStarted }
        let certificate = record.certificates.max { ($0.issuedAt ?? .distantPast) < ($1.issuedAt ?? .distantPast) }
        return Row(learner: record.learner, cohort: cohort, modules: modules, requiredPassed: passed, requiredCount: requiredRows.count,
                   sessionsAttended: record.sessionsAttended, practicalsSigned: signed, practicalsRequired: practicals.count,
                   state: state, certificate: certificate, certificateStanding: certificate?.standing(at: date))
    }

    /// Everything a coordinator sees about one learner: their report line, attendance,
    /// adjustments and certificates. Nil when there is no such learner.
    public struct LearnerDetail: Sendable {
        /// Their line in the report.
        public var row: Row
        /// Group sessions attended.
        public var attendance: [Attendance]
        /// Coordinators' adjustments, oldest first.
        public var adjustments: [ModuleAdjustment]
        /// Their certificates, oldest first.
        public var certificates: [CertificateRecord]
        /// Their practical skill sign-offs, oldest first.
        public var signOffs: [PracticalSignOff] = []
    }

    /// One learner, for their page in the roster.
    public func learner(id: String, by actor: StaffAccounts.Actor) async throws -> LearnerDetail? {
        try accounts.requireCoordinatorRole(actor)
        guard let learner = try await store.learner(id: id) else { return nil }
        let attempts = try await store.attempts(learnerID: id, moduleID: nil)
        let attendance = try await store.attendance(learnerID: id)
        let adjustments = try await store.adjustments(learnerID: id)
        let certificates = try await store.certificates(learnerID: id)
        let cohortID = try await store.cohortID(learnerID: id)
        let cohort = try await store.cohorts().first { $0.id == cohortID }
        let summaries = Dictionary(grouping: attempts, by: \.moduleID).map { ModuleSummary(moduleID: $0.key, attempts: $0.value) }
        let signOffs = try await store.signOffs(learnerID: id)
        var record = RosterRecord(learner: learner, cohortID: cohortID, modules: summaries,
                                  sessionsAttended: Set(attendance.map(\.sessionID)).count, adjustments: adjustments,
                                  certificates: certificates)
        record.practicals = Set(signOffs.map(\.practicalID))
        let progress = try await coursework.progress(of: learner).modules
        return LearnerDetail(row: row(record, cohort: cohort, at: now(), required: Set(coursework.requiredModules), progress: progress),
                             attendance: attendance, adjustments: adjustments, certificates: certificates, signOffs: signOffs)
    }

    // MARK: Actions

    /// Gives the learner one more attempt at a module than it allows.
    public func grantAttempt(learnerID: String, moduleID: String, reason: String, by actor: StaffAccounts.Actor) async throws {
        try await adjust(learnerID, moduleID, .extraAttempt, reason: reason, by: actor)
    }

    /// Counts a module as complete for the learner although no attempt passed.
    public func completeByException(learnerID: String, moduleID: String, reason: String, by actor: StaffAccounts.Actor) async throws {
        try await adjust(learnerID, moduleID, .completeByException, reason: reason, by: actor)
    }

    private func adjust(_ learnerID: String, _ moduleID: String, _ kind: ModuleAdjustment.Kind, reason: String,
                        by actor: StaffAccounts.Actor) async throws {
        guard let module = coursework.curriculum.module(id: moduleID) else {
            throw RecordsError(.unknownItem, "this course has no module '\(moduleID)'", hint: "choose a module from the list")
        }
        guard case let .member(member) = actor else { throw RecordsError(.notAllowed, "only a signed-in coordinator can do this") }
        try await audited(kind.rawValue, learnerID, "module \(module.id)", reason: reason, by: actor)
        try await store.addAdjustment(ModuleAdjustment(learnerID: learnerID, moduleID: module.id, kind: kind, at: now(),
                                                       recordedBy: member.name, reason: reason.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Records attendance at a group session held without the learner's device linked.
    public func recordAttendance(learnerID: String, on date: Date, reason: String, by actor: StaffAccounts.Actor) async throws {
        guard case let .member(member) = actor else { throw RecordsError(.notAllowed, "only a signed-in coordinator can do this") }
        try await audited("attendance recorded", learnerID, "session on \(Self.day(date))", reason: reason, by: actor)
        let attendance = Attendance(learnerID: learnerID, sessionID: "by-hand-" + Hex.random(bytes: 8), moduleIDs: [],
                                    attendedAt: date, recordedBy: member.name, byHand: true)
        try await store.addAttendance(attendance)
    }

    /// Records that the learner did a practical skill with every step observed, outside a
    /// group session's sign-off (for example at a training held on paper). False when they
    /// were already signed off on it (the first sign-off stands).
    @discardableResult
    public func recordSignOff(learnerID: String, practicalID: String, reason: String, by actor: StaffAccounts.Actor) async throws -> Bool {
        guard let practical = coursework.curriculum.practical(id: practicalID) else {
            throw RecordsError(.unknownItem, "this course has no practical '\(practicalID)'", hint: "choose a practical from the list")
        }
        guard case let .member(member) = actor else { throw RecordsError(.notAllowed, "only a signed-in coordinator can do this") }
        try accounts.requireCoordinatorRole(actor)
        if try await store.signOffs(learnerID: learnerID).contains(where: { $0.practicalID == practical.id }) { return false }
        try await audited("practical signed off", learnerID, "practical \(practical.id)", reason: reason, by: actor)
        return try await store.addSignOff(PracticalSignOff(
            learnerID: learnerID, practicalID: practical.id, signedBy: member.id, signerName: member.name, groupSessionID: nil,
            reason: reason.trimmingCharacters(in: .whitespacesAndNewlines), signedAt: now()))
    }

    /// A new resume code for a learner who lost theirs; the old one stops working.
    public func newResumeCode(learnerID: String, reason: String, by actor: StaffAccounts.Actor) async throws -> ResumeCode {
        try await audited("new resume code", learnerID, "old code stopped working", reason: reason, by: actor)
        guard let code = try await coursework.replaceResumeCode(learnerID: learnerID) else { throw Self.noLearner(learnerID) }
        return code
    }

    /// Removes a learner and every trace of them (certificates they hold keep verifying).
    public func removeLearner(learnerID: String, reason: String, by actor: StaffAccounts.Actor) async throws {
        try await audited("learner removed", learnerID, "records deleted", reason: reason, by: actor)
        guard try await records.delete(learnerID: learnerID) != nil else { throw Self.noLearner(learnerID) }
    }

    /// Checks the learner exists, then writes the action to the audit log (by the learner's
    /// short id, never their name) before it is carried out.
    private func audited(_ action: String, _ learnerID: String, _ detail: String, reason: String,
                         by actor: StaffAccounts.Actor) async throws {
        try accounts.requireCoordinatorRole(actor)
        guard try await store.learner(id: learnerID) != nil else { throw Self.noLearner(learnerID) }
        try await accounts.auditCoordinatorAction(action, "learner \(Self.shortID(learnerID)) · \(detail)", reason: reason, by: actor)
    }

    static func noLearner(_ id: String) -> RecordsError {
        RecordsError(.unknownLearner, "there is no learner \(shortID(id))", hint: "they may have been removed; go back to the roster")
    }

    /// The first eight digits of a learner's id: how coordinators and the audit log refer to them.
    public static func shortID(_ id: String) -> String {
        String(id.prefix(8))
    }

    /// A date as `yyyy-MM-dd` in UTC: how the audit log, the CSV files and date fields write days.
    public static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
