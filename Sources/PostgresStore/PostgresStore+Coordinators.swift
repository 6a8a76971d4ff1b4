import Foundation
import PostgresNIO
import Runtime

extension PostgresStore: CoordinatorStore, CertificateStore {
    // MARK: Cohorts

    public func createCohort(_ cohort: Cohort) async throws {
        try await transaction(locking: ["cohorts"]) { db in
            let taken = try await db.query("""
                SELECT 1 FROM cohort WHERE lower(name) = lower(\(cohort.name)) OR join_key = \(cohort.joinKey) OR id = \(cohort.id)
                """, logger: self.logger).collect()
            guard taken.isEmpty else {
                throw RecordsError(.duplicate, "a cohort called \(cohort.name) already exists", hint: "choose another name")
            }
            try await db.query("""
                INSERT INTO cohort (id, name, join_key, created_at) VALUES (\(cohort.id), \(cohort.name), \(cohort.joinKey), \(cohort.createdAt))
                """, logger: self.logger)
        }
    }

    public func cohorts() async throws -> [Cohort] {
        try await run { try await cohorts(client.query("SELECT id, name, join_key, created_at FROM cohort ORDER BY lower(name)", logger: logger)) }
    }

    public func cohort(joinKey: String) async throws -> Cohort? {
        try await run {
            try await cohorts(client.query("SELECT id, name, join_key, created_at FROM cohort WHERE join_key = \(joinKey)", logger: logger)).first
        }
    }

    private func cohorts(_ rows: PostgresRowSequence) async throws -> [Cohort] {
        var cohorts: [Cohort] = []
        for try await (id, name, key, created) in rows.decode((String, String, String, Date).self) {
            cohorts.append(Cohort(id: id, name: name, joinKey: key, createdAt: created))
        }
        return cohorts
    }

    public func setCohort(learnerID: String, cohortID: String?) async throws {
        try await transaction(locking: ["learner:" + learnerID]) { db in
            guard try await !db.query("SELECT 1 FROM learner WHERE id = \(learnerID)", logger: self.logger).collect().isEmpty else {
                throw RecordsError(.unknownLearner, "no learner has the id \(learnerID)", hint: "they may have been deleted")
            }
            if let cohortID {
                guard try await !db.query("SELECT 1 FROM cohort WHERE id = \(cohortID)", logger: self.logger).collect().isEmpty else {
                    throw RecordsError(.unknownItem, "there is no such cohort", hint: "choose one from the list")
                }
                try await db.query("""
                    INSERT INTO cohort_member (learner_id, cohort_id) VALUES (\(learnerID), \(cohortID))
                    ON CONFLICT (learner_id) DO UPDATE SET cohort_id = excluded.cohort_id
                    """, logger: self.logger)
            } else {
                try await db.query("DELETE FROM cohort_member WHERE learner_id = \(learnerID)", logger: self.logger)
            }
        }
    }

    public func cohortID(learnerID: String) async throws -> String? {
        try await run {
            for try await id in try await client.query("SELECT cohort_id FROM cohort_member WHERE learner_id = \(learnerID)", logger: logger)
                .decode(String.self) { return id }
            return nil
        }
    }

    // MARK: Adjustments and resume codes

    public func addAdjustment(_ adjustment: ModuleAdjustment) async throws {
        try await transaction(locking: ["learner:" + adjustment.learnerID]) { db in
            guard try await !db.query("SELECT 1 FROM learner WHERE id = \(adjustment.learnerID)", logger: self.logger).collect().isEmpty else {
                throw RecordsError(.unknownLearner, "no learner has the id \(adjustment.learnerID)", hint: "they may have been deleted")
            }
            try await db.query("""
                INSERT INTO module_adjustment (learner_id, module_id, kind, at, recorded_by, reason)
                VALUES (\(adjustment.learnerID), \(adjustment.moduleID), \(adjustment.kind.rawValue), \(adjustment.at),
                        \(adjustment.recordedBy), \(adjustment.reason))
                """, logger: self.logger)
        }
    }

    public func adjustments(learnerID: String) async throws -> [ModuleAdjustment] {
        try await run {
            try await adjustments(client.query("""
                SELECT learner_id, module_id, kind, at, recorded_by, reason FROM module_adjustment WHERE learner_id = \(learnerID) ORDER BY id
                """, logger: logger))
        }
    }

    func adjustments(_ rows: PostgresRowSequence) async throws -> [ModuleAdjustment] {
        var list: [ModuleAdjustment] = []
        for try await (learner, module, kind, at, by, reason) in rows.decode((String, String, String, Date, String, String).self) {
            guard let kind = ModuleAdjustment.Kind(rawValue: kind) else { continue }
            list.append(ModuleAdjustment(learnerID: learner, moduleID: module, kind: kind, at: at, recordedBy: by, reason: reason))
        }
        return list
    }

    public func replaceResumeCode(learnerID: String, codeDigest: String) async throws -> Bool {
        try await transaction(locking: ["learner:" + learnerID, "learner-codes"]) { db in
            guard try await !db.query("SELECT 1 FROM learner WHERE id = \(learnerID)", logger: self.logger).collect().isEmpty else {
                return false
            }
            guard try await db.query("SELECT 1 FROM learner WHERE code_digest = \(codeDigest)", logger: self.logger).collect().isEmpty else {
                throw RecordsError(.duplicate, "another learner has this resume code", hint: "make a new code")
            }
            try await db.query("UPDATE learner SET code_digest = \(codeDigest) WHERE id = \(learnerID)", logger: self.logger)
            try await db.query("DELETE FROM web_session WHERE kind = 'learner' AND subject_id = \(learnerID)", logger: self.logger)
            return true
        }
    }

    // MARK: The roster

    public func roster() async throws -> [RosterRecord] {
        try await run {
            var summaries: [String: [ModuleSummary]] = [:]
            for try await (learner, module, finished, open, passed, best, first, last, passedAt) in try await client.query("""
                SELECT learner_id, module_id,
                       COUNT(*) FILTER (WHERE status = 'finished')::INTEGER,
                       BOOL_OR(status = 'open'),
                       BOOL_OR(COALESCE(passed, false)),
                       MAX(score_numerator::FLOAT8 / score_denominator) FILTER (WHERE status = 'finished'),
                       MIN(started_at),
                       MAX(finished_at) FILTER (WHERE status = 'finished'),
                       MIN(finished_at) FILTER (WHERE passed)
                FROM attempt GROUP BY learner_id, module_id
                """, logger: logger).decode((String, String, Int, Bool, Bool, Double?, Date?, Date?, Date?).self) {
                summaries[learner, default: []].append(ModuleSummary(
                    moduleID: module, attemptsFinished: finished, hasOpenAttempt: open, passed: passed, bestScore: best,
                    firstStartedAt: first, lastFinishedAt: last, passedAt: passedAt))
            }
            var attended: [String: Int] = [:]
            for try await (learner, count) in try await client.query(
                "SELECT learner_id, COUNT(DISTINCT session_id)::INTEGER FROM attendance GROUP BY learner_id", logger: logger)
                .decode((String, Int).self) { attended[learner] = count }
            var adjustments: [String: [ModuleAdjustment]] = [:]
            for adjustment in try await self.adjustments(client.query(
                "SELECT learner_id, module_id, kind, at, recorded_by, reason FROM module_adjustment ORDER BY id", logger: logger)) {
                adjustments[adjustment.learnerID, default: []].append(adjustment)
            }
            var certificates: [String: [CertificateRecord]] = [:]
            for certificate in try await self.certificates(client.query(
                "SELECT \(unescaped: Self.certificateColumns) FROM certificate WHERE learner_id IS NOT NULL ORDER BY issued_at, id", logger: logger)) {
                if let id = certificate.learnerID { certificates[id, default: []].append(certificate) }
            }
            var records: [RosterRecord] = []
            for try await (id, name, created, cohort) in try await client.query("""
                SELECT learner.id, learner.display_name, learner.created_at, cohort_member.cohort_id FROM learner
                LEFT JOIN cohort_member ON cohort_member.learner_id = learner.id
                """, logger: logger).decode((String, String, Date, String?).self) {
                records.append(RosterRecord(learner: Learner(id: id, displayName: name, createdAt: created), cohortID: cohort,
                                            modules: summaries[id] ?? [], sessionsAttended: attended[id] ?? 0,
                                            adjustments: adjustments[id] ?? [], certificates: certificates[id] ?? []))
            }
            return records
        }
    }

    // MARK: Certificates

    static let certificateColumns = """
        id, code, learner_id, name, course_id, course_title, course_version, content_hash, issued_at, valid_until,
        status_index, revoked_at, revoke_reason, reissue, credential, renews
        """

    func certificates(_ rows: PostgresRowSequence) async throws -> [CertificateRecord] {
        var list: [CertificateRecord] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            var record = CertificateRecord(
                id: try r["id"].decode(String.self), code: try r["code"].decode(String.self),
                learnerID: try r["learner_id"].decode(String?.self), name: try r["name"].decode(String?.self),
                courseID: try r["course_id"].decode(String?.self), courseTitle: try r["course_title"].decode(String?.self),
                courseVersion: try r["course_version"].decode(String?.self), contentHash: try r["content_hash"].decode(String?.self),
                issuedAt: try r["issued_at"].decode(Date?.self), validUntil: try r["valid_until"].decode(Date?.self),
                statusIndex: try r["status_index"].decode(Int.self), revokedAt: try r["revoked_at"].decode(Date?.self),
                revokeReason: try r["revoke_reason"].decode(String?.self), credential: try r["credential"].decode(String?.self),
                renews: try r["renews"].decode(String?.self))
            record.reissueAllowed = try r["reissue"].decode(Bool.self)
            list.append(record)
        }
        return list
    }

    public func nextStatusIndex() async throws -> Int {
        try await run {
            for try await next in try await client.query("SELECT (COALESCE(MAX(status_index) + 1, 0))::INTEGER FROM certificate", logger: logger)
                .decode(Int.self) { return next }
            return 0
        }
    }

    public func addCertificate(_ certificate: CertificateRecord) async throws {
        try await transaction(locking: ["certificates"]) { db in
            let taken = try await db.query("""
                SELECT 1 FROM certificate WHERE id = \(certificate.id) OR code = \(certificate.code) OR status_index = \(certificate.statusIndex)
                """, logger: self.logger).collect()
            guard taken.isEmpty else {
                throw RecordsError(.duplicate, "a certificate with this id, code or status index exists", hint: "make a new one")
            }
            try await db.query("""
                INSERT INTO certificate (id, code, learner_id, name, course_id, course_title, course_version, content_hash,
                    issued_at, valid_until, status_index, revoked_at, revoke_reason, credential, renews)
                VALUES (\(certificate.id), \(certificate.code), \(certificate.learnerID), \(certificate.name), \(certificate.courseID),
                        \(certificate.courseTitle), \(certificate.courseVersion), \(certificate.contentHash), \(certificate.issuedAt),
                        \(certificate.validUntil), \(certificate.statusIndex), \(certificate.revokedAt), \(certificate.revokeReason),
                        \(certificate.credential), \(certificate.renews))
                """, logger: self.logger)
        }
    }

    public func certificates(learnerID: String) async throws -> [CertificateRecord] {
        try await run {
            try await certificates(client.query(
                "SELECT \(unescaped: Self.certificateColumns) FROM certificate WHERE learner_id = \(learnerID) ORDER BY issued_at, id", logger: logger))
        }
    }

    public func certificate(code: String) async throws -> CertificateRecord? {
        try await run {
            try await certificates(client.query("SELECT \(unescaped: Self.certificateColumns) FROM certificate WHERE code = \(code)", logger: logger)).first
        }
    }

    public func certificate(id: String) async throws -> CertificateRecord? {
        try await run {
            try await certificates(client.query("SELECT \(unescaped: Self.certificateColumns) FROM certificate WHERE id = \(id)", logger: logger)).first
        }
    }

    public func revokeCertificate(id: String, at date: Date, reason: String, allowReissue: Bool) async throws -> Bool {
        try await run {
            !(try await client.query("""
                UPDATE certificate SET revoked_at = \(date), revoke_reason = \(reason), reissue = \(allowReissue)
                WHERE id = \(id) AND revoked_at IS NULL RETURNING id
                """, logger: logger).collect()).isEmpty
        }
    }

    public func revokedStatusIndexes() async throws -> [Int] {
        try await run {
            var list: [Int] = []
            for try await index in try await client.query(
                "SELECT status_index FROM certificate WHERE revoked_at IS NOT NULL ORDER BY status_index", logger: logger).decode(Int.self) {
                list.append(index)
            }
            return list
        }
    }

    public func certificates(expiringBefore date: Date) async throws -> [CertificateRecord] {
        try await run {
            try await certificates(client.query("""
                SELECT \(unescaped: Self.certificateColumns) FROM certificate
                WHERE learner_id IS NOT NULL AND revoked_at IS NULL AND valid_until < \(date) ORDER BY valid_until
                """, logger: logger))
        }
    }

    public func issuerKey() async throws -> String? {
        try await run {
            for try await pem in try await client.query("SELECT pem FROM issuer_key WHERE name = 'issuer'", logger: logger).decode(String.self) {
                return pem
            }
            return nil
        }
    }

    public func storeIssuerKey(_ pem: String) async throws -> String {
        try await run {
            try await client.query("INSERT INTO issuer_key (name, pem) VALUES ('issuer', \(pem)) ON CONFLICT DO NOTHING", logger: logger)
            for try await stored in try await client.query("SELECT pem FROM issuer_key WHERE name = 'issuer'", logger: logger).decode(String.self) {
                return stored
            }
            return pem
        }
    }
}

// MARK: Copying in from another store

extension PostgresStore {
    /// Inserts rows copied from another store, skipping any whose key is already here (so a
    /// second copy changes nothing), in one transaction; returns how many were new.
    public func importRows(_ rows: [[RecordTables.Value]], into table: RecordTables.Table) async throws -> Int {
        guard !rows.isEmpty else { return 0 }
        let columns = table.columns.map(\.name).joined(separator: ", ")
        return try await transaction(locking: ["import:" + table.name]) { db in
            var inserted = 0
            for batch in stride(from: 0, to: rows.count, by: 200).map({ Array(rows[$0..<min($0 + 200, rows.count)]) }) {
                var bindings = PostgresBindings()
                var tuples: [String] = []
                for row in batch {
                    var placeholders: [String] = []
                    for value in row {
                        switch value {
                        case let .text(text): bindings.append(text)
                        case let .integer(number): bindings.append(number)
                        case let .double(number): bindings.append(number)
                        case let .boolean(flag): bindings.append(flag)
                        case let .date(date): bindings.append(date)
                        case let .bytes(data): bindings.append(data.map { ByteBuffer(bytes: $0) })
                        }
                        placeholders.append("$\(bindings.count)")
                    }
                    tuples.append("(" + placeholders.joined(separator: ", ") + ")")
                }
                let sql = "INSERT INTO \(table.name) (\(columns)) VALUES \(tuples.joined(separator: ", ")) ON CONFLICT DO NOTHING RETURNING 1"
                inserted += try await db.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: self.logger).collect().count
            }
            if let serial = table.serial {
                try await db.query(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(table.name)', '\(serial)'), COALESCE((SELECT MAX(\(serial)) FROM \(table.name)), 0) + 1, false)
                    """), logger: self.logger)
            }
            return inserted
        }
    }

    /// How many rows a table holds.
    public func count(of table: RecordTables.Table) async throws -> Int {
        try await run {
            for try await count in try await client.query(PostgresQuery(unsafeSQL: "SELECT COUNT(*)::INTEGER FROM \(table.name)"), logger: logger)
                .decode(Int.self) { return count }
            return 0
        }
    }

    /// Makes `secret` the installation's secret, when the database holds no learners yet
    /// under another one; `.conflict` (`.notAllowed`) otherwise.
    public func adoptInstallationSecret(_ secret: [UInt8]) async throws {
        try await transaction(locking: ["installation-secret"]) { db in
            var current: Data?
            for try await value in try await db.query("SELECT value FROM groundwork_secret WHERE name = 'installation'", logger: self.logger)
                .decode(Data.self) { current = value }
            if let current, Array(current) == secret { return }
            let learners = try await db.query("SELECT 1 FROM learner LIMIT 1", logger: self.logger).collect()
            if current != nil, !learners.isEmpty {
                throw RecordsError(.notAllowed, "the database already holds learners under another installation's secret",
                                   hint: "copy into an empty database (or one filled from this same data folder)")
            }
            try await db.query("""
                INSERT INTO groundwork_secret (name, value) VALUES ('installation', \(Data(secret)))
                ON CONFLICT (name) DO UPDATE SET value = excluded.value
                """, logger: self.logger)
        }
    }

    /// Makes `pem` the certificate issuer's key, when the database has issued no certificate
    /// under another one; `.notAllowed` otherwise.
    public func adoptIssuerKey(_ pem: String) async throws {
        try await transaction(locking: ["certificates"]) { db in
            var current: String?
            for try await stored in try await db.query("SELECT pem FROM issuer_key WHERE name = 'issuer'", logger: self.logger)
                .decode(String.self) { current = stored }
            if current == pem { return }
            let issued = try await db.query("SELECT 1 FROM certificate LIMIT 1", logger: self.logger).collect()
            if current != nil, !issued.isEmpty {
                throw RecordsError(.notAllowed, "the database already issued certificates with another signing key",
                                   hint: "copy into an empty database (or one filled from this same data folder)")
            }
            try await db.query("""
                INSERT INTO issuer_key (name, pem) VALUES ('issuer', \(pem)) ON CONFLICT (name) DO UPDATE SET pem = excluded.pem
                """, logger: self.logger)
        }
    }
}

// MARK: Rate limits

extension PostgresStore: RateLimitStore {
    public func recordFailure(scope: String, key: String, at date: Date, forgetBefore: Date) async throws {
        try await transaction(locking: []) { db in
            try await db.query("DELETE FROM rate_failure WHERE scope = \(scope) AND at < \(forgetBefore)", logger: self.logger)
            try await db.query("INSERT INTO rate_failure (scope, key, at) VALUES (\(scope), \(key), \(date))", logger: self.logger)
        }
    }

    public func failureCounts(scope: String, key: String, since date: Date) async throws -> (key: Int, scope: Int) {
        try await run {
            for try await (forKey, all) in try await client.query("""
                SELECT (COUNT(*) FILTER (WHERE key = \(key)))::INTEGER, COUNT(*)::INTEGER FROM rate_failure
                WHERE scope = \(scope) AND at > \(date)
                """, logger: logger).decode((Int, Int).self) { return (forKey, all) }
            return (0, 0)
        }
    }
}
