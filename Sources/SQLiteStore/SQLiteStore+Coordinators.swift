import Foundation
import GRDB
import Runtime

extension SQLiteStore {
    /// What deleting a learner leaves of each of their certificates: id, code, status index
    /// and the revocation date.
    static let scrubCertificates = """
        UPDATE certificate SET learner_id = NULL, name = NULL, course_id = NULL, course_title = NULL, course_version = NULL,
            content_hash = NULL, issued_at = NULL, valid_until = NULL, revoke_reason = NULL, reissue = 0, credential = NULL,
            renews = NULL
        WHERE learner_id = ?
        """

    // MARK: Cohorts

    public func createCohort(_ cohort: Cohort) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM cohort WHERE lower(name) = lower(?) OR join_key = ? OR id = ?",
                                 arguments: [cohort.name, cohort.joinKey, cohort.id]) == true {
                throw RecordsError(.duplicate, "a cohort called \(cohort.name) already exists", hint: "choose another name")
            }
            try db.execute(sql: "INSERT INTO cohort (id, name, join_key, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [cohort.id, cohort.name, cohort.joinKey, cohort.createdAt])
        }
    }

    public func cohorts() async throws -> [Cohort] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM cohort ORDER BY lower(name)").map(Self.cohort) }
    }

    public func cohort(joinKey: String) async throws -> Cohort? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM cohort WHERE join_key = ?", arguments: [joinKey]).map(Self.cohort) }
    }

    public func setCohort(learnerID: String, cohortID: String?) async throws {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM learner WHERE id = ?", arguments: [learnerID]) == true else {
                throw RecordsError(.unknownLearner, "no learner has the id \(learnerID)", hint: "they may have been deleted")
            }
            if let cohortID {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM cohort WHERE id = ?", arguments: [cohortID]) == true else {
                    throw RecordsError(.unknownItem, "there is no such cohort", hint: "choose one from the list")
                }
                try db.execute(sql: """
                    INSERT INTO cohort_member (learner_id, cohort_id) VALUES (?, ?)
                    ON CONFLICT (learner_id) DO UPDATE SET cohort_id = excluded.cohort_id
                    """, arguments: [learnerID, cohortID])
            } else {
                try db.execute(sql: "DELETE FROM cohort_member WHERE learner_id = ?", arguments: [learnerID])
            }
        }
    }

    public func cohortID(learnerID: String) async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT cohort_id FROM cohort_member WHERE learner_id = ?", arguments: [learnerID]) }
    }

    // MARK: Adjustments and resume codes

    public func addAdjustment(_ adjustment: ModuleAdjustment) async throws {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM learner WHERE id = ?", arguments: [adjustment.learnerID]) == true else {
                throw RecordsError(.unknownLearner, "no learner has the id \(adjustment.learnerID)", hint: "they may have been deleted")
            }
            try db.execute(sql: """
                INSERT INTO module_adjustment (learner_id, module_id, kind, at, recorded_by, reason) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [adjustment.learnerID, adjustment.moduleID, adjustment.kind.rawValue, adjustment.at,
                                 adjustment.recordedBy, adjustment.reason])
        }
    }

    public func adjustments(learnerID: String) async throws -> [ModuleAdjustment] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM module_adjustment WHERE learner_id = ? ORDER BY id"),
                             arguments: [learnerID]).compactMap(Self.adjustment)
        }
    }

    public func replaceResumeCode(learnerID: String, codeDigest: String) async throws -> Bool {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM learner WHERE id = ?", arguments: [learnerID]) == true else { return false }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM learner WHERE code_digest = ?", arguments: [codeDigest]) == true {
                throw RecordsError(.duplicate, "another learner has this resume code", hint: "make a new code")
            }
            try db.execute(sql: "UPDATE learner SET code_digest = ? WHERE id = ?", arguments: [codeDigest, learnerID])
            try db.execute(sql: "DELETE FROM web_session WHERE kind = 'learner' AND subject_id = ?", arguments: [learnerID])
            return true
        }
    }

    // MARK: The roster

    public func roster() async throws -> [RosterRecord] {
        try await read { db in
            var summaries: [String: [ModuleSummary]] = [:]
            // Dates come back as seconds since 1970, worked out by SQLite: parsing 200,000
            // date strings in Swift was most of the report's time at 10,000 learners.
            let epoch = { (column: String) in "(julianday(\(column)) - 2440587.5) * 86400.0" }
            let attemptRows = try Row.fetchCursor(db, sql: """
                SELECT learner_id, module_id,
                       SUM(status = 'finished'),
                       MAX(status = 'open'),
                       MAX(COALESCE(passed, 0)),
                       MAX(CASE WHEN status = 'finished' THEN CAST(score_numerator AS REAL) / score_denominator END),
                       \(epoch("MIN(started_at)")),
                       \(epoch("MAX(CASE WHEN status = 'finished' THEN finished_at END)")),
                       \(epoch("MIN(CASE WHEN passed THEN finished_at END)"))
                FROM attempt GROUP BY learner_id, module_id
                """)
            func date(_ value: Double?) -> Date? { value.map { Date(timeIntervalSince1970: ($0 * 1000).rounded() / 1000) } }
            while let row = try attemptRows.next() {
                let summary = ModuleSummary(moduleID: row[1], attemptsFinished: row[2], hasOpenAttempt: row[3], passed: row[4],
                                            bestScore: row[5], firstStartedAt: date(row[6]), lastFinishedAt: date(row[7]),
                                            passedAt: date(row[8]))
                summaries[row[0], default: []].append(summary)
            }
            var attended: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT learner_id, COUNT(DISTINCT session_id) AS n FROM attendance GROUP BY learner_id") {
                attended[row["learner_id"]] = row["n"]
            }
            var adjustments: [String: [ModuleAdjustment]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM module_adjustment ORDER BY id") {
                if let adjustment = Self.adjustment(row) { adjustments[adjustment.learnerID, default: []].append(adjustment) }
            }
            var certificates: [String: [CertificateRecord]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM certificate WHERE learner_id IS NOT NULL ORDER BY issued_at") {
                let certificate = Self.certificate(row)
                if let id = certificate.learnerID { certificates[id, default: []].append(certificate) }
            }
            return try Row.fetchAll(db, sql: """
                SELECT learner.id, learner.display_name, \(epoch("learner.created_at")), cohort_member.cohort_id FROM learner
                LEFT JOIN cohort_member ON cohort_member.learner_id = learner.id
                """).map { row in
                let learner = Learner(id: row[0], displayName: row[1], createdAt: date(row[2]) ?? Date(timeIntervalSince1970: 0))
                return RosterRecord(learner: learner, cohortID: row[3], modules: summaries[learner.id] ?? [],
                                    sessionsAttended: attended[learner.id] ?? 0, adjustments: adjustments[learner.id] ?? [],
                                    certificates: certificates[learner.id] ?? [])
            }
        }
    }

    // MARK: Certificates

    public func nextStatusIndex() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(status_index) + 1, 0) FROM certificate") ?? 0 }
    }

    public func addCertificate(_ certificate: CertificateRecord) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM certificate WHERE id = ? OR code = ? OR status_index = ?",
                                 arguments: [certificate.id, certificate.code, certificate.statusIndex]) == true {
                throw RecordsError(.duplicate, "a certificate with this id, code or status index exists", hint: "make a new one")
            }
            try db.execute(sql: """
                INSERT INTO certificate (id, code, learner_id, name, course_id, course_title, course_version, content_hash,
                    issued_at, valid_until, status_index, revoked_at, revoke_reason, credential, renews)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [certificate.id, certificate.code, certificate.learnerID, certificate.name, certificate.courseID,
                                 certificate.courseTitle, certificate.courseVersion, certificate.contentHash, certificate.issuedAt,
                                 certificate.validUntil, certificate.statusIndex, certificate.revokedAt, certificate.revokeReason,
                                 certificate.credential, certificate.renews])
        }
    }

    public func certificates(learnerID: String) async throws -> [CertificateRecord] {
        try await read { db in try Self.fetchCertificates(db, learnerID: learnerID) }
    }

    static func fetchCertificates(_ db: Database, learnerID: String) throws -> [CertificateRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM certificate WHERE learner_id = ? ORDER BY issued_at, id", arguments: [learnerID])
            .map(Self.certificate)
    }

    public func certificate(code: String) async throws -> CertificateRecord? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM certificate WHERE code = ?", arguments: [code]).map(Self.certificate) }
    }

    public func certificate(id: String) async throws -> CertificateRecord? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM certificate WHERE id = ?", arguments: [id]).map(Self.certificate) }
    }

    public func revokeCertificate(id: String, at date: Date, reason: String, allowReissue: Bool) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE certificate SET revoked_at = ?, revoke_reason = ?, reissue = ? WHERE id = ? AND revoked_at IS NULL",
                           arguments: [date, reason, allowReissue, id])
            return db.changesCount > 0
        }
    }

    public func revokedStatusIndexes() async throws -> [Int] {
        try await read { db in try Int.fetchAll(db, sql: "SELECT status_index FROM certificate WHERE revoked_at IS NOT NULL ORDER BY status_index") }
    }

    public func certificates(expiringBefore date: Date) async throws -> [CertificateRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM certificate WHERE learner_id IS NOT NULL AND revoked_at IS NULL AND valid_until < ?
                ORDER BY valid_until
                """, arguments: [date]).map(Self.certificate)
        }
    }

    public func issuerKey() async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT pem FROM issuer_key WHERE name = 'issuer'") }
    }

    public func storeIssuerKey(_ pem: String) async throws -> String {
        try await write { db in
            try db.execute(sql: "INSERT INTO issuer_key (name, pem) VALUES ('issuer', ?) ON CONFLICT DO NOTHING", arguments: [pem])
            return try String.fetchOne(db, sql: "SELECT pem FROM issuer_key WHERE name = 'issuer'") ?? pem
        }
    }

    // MARK: Rows

    static func cohort(_ row: Row) -> Cohort {
        Cohort(id: row["id"], name: row["name"], joinKey: row["join_key"], createdAt: row["created_at"])
    }

    static func adjustment(_ row: Row) -> ModuleAdjustment? {
        guard let kind = ModuleAdjustment.Kind(rawValue: row["kind"]) else { return nil }
        return ModuleAdjustment(learnerID: row["learner_id"], moduleID: row["module_id"], kind: kind, at: row["at"],
                                recordedBy: row["recorded_by"], reason: row["reason"])
    }

    static func certificate(_ row: Row) -> CertificateRecord {
        var record = CertificateRecord(
            id: row["id"], code: row["code"], learnerID: row["learner_id"], name: row["name"], courseID: row["course_id"],
            courseTitle: row["course_title"], courseVersion: row["course_version"], contentHash: row["content_hash"],
            issuedAt: row["issued_at"], validUntil: row["valid_until"], statusIndex: row["status_index"],
            revokedAt: row["revoked_at"], revokeReason: row["revoke_reason"], credential: row["credential"], renews: row["renews"])
        record.reissueAllowed = row["reissue"]
        return record
    }
}

// MARK: Copying to another store

extension SQLiteStore {
    /// Every row of a table, as values to copy into another store (`groundwork migrate`).
    public func rows(of table: RecordTables.Table) async throws -> [[RecordTables.Value]] {
        try await read { db in
            let columns = table.columns.map(\.name).joined(separator: ", ")
            return try Row.fetchAll(db, sql: "SELECT \(columns) FROM \(table.name)").map { row in
                table.columns.enumerated().map { index, column -> RecordTables.Value in
                    switch column.kind {
                    case .text: return .text(row[index])
                    case .integer: return .integer(row[index])
                    case .double: return .double(row[index])
                    case .boolean: return .boolean(row[index])
                    case .date: return .date(row[index])
                    case .bytes: return .bytes(row[index])
                    }
                }
            }
        }
    }

    /// How many rows a table holds.
    public func count(of table: RecordTables.Table) async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0 }
    }
}

// MARK: Rate limits

extension SQLiteStore {
    public func recordFailure(scope: String, key: String, at date: Date, forgetBefore: Date) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM rate_failure WHERE scope = ? AND at < ?", arguments: [scope, forgetBefore])
            try db.execute(sql: "INSERT INTO rate_failure (scope, key, at) VALUES (?, ?, ?)", arguments: [scope, key, date])
        }
    }

    public func failureCounts(scope: String, key: String, since date: Date) async throws -> (key: Int, scope: Int) {
        try await read { db in
            let forKey = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM rate_failure WHERE scope = ? AND key = ? AND at > ?"),
                                          arguments: [scope, key, date]) ?? 0
            let all = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM rate_failure WHERE scope = ? AND at > ?"),
                                       arguments: [scope, date]) ?? 0
            return (forKey, all)
        }
    }
}
