import Foundation
import PostgresNIO
import Runtime

extension PostgresStore: StaffStore, SessionStore {
    private static let staffColumns = "id, name, roles, password_hash, totp_secret, created_at"

    public func addStaff(_ member: StaffMember) async throws {
        try await transaction(locking: ["staff"]) { db in
            let taken = try await db.query("SELECT 1 FROM staff WHERE lower(name) = lower(\(member.name)) OR id = \(member.id)",
                                           logger: self.logger).collect()
            guard taken.isEmpty else {
                throw RecordsError(.duplicate, "a staff member called \(member.name) already exists",
                                   hint: "choose another name, or use `groundwork staff reset` to send them a new sign-in link")
            }
            try await db.query("""
                INSERT INTO staff (id, name, roles, password_hash, totp_secret, created_at)
                VALUES (\(member.id), \(member.name), \(Self.roles(member.roles)), \(member.passwordHash), \(member.totpSecret), \(member.createdAt))
                """, logger: self.logger)
        }
    }

    public func staff(id: String) async throws -> StaffMember? {
        try await run { try await members(client.query("SELECT \(unescaped: Self.staffColumns) FROM staff WHERE id = \(id)", logger: logger)).first }
    }

    public func staff(name: String) async throws -> StaffMember? {
        try await run {
            try await members(client.query("SELECT \(unescaped: Self.staffColumns) FROM staff WHERE lower(name) = lower(\(name))",
                                           logger: logger)).first
        }
    }

    public func allStaff() async throws -> [StaffMember] {
        try await run { try await members(client.query("SELECT \(unescaped: Self.staffColumns) FROM staff ORDER BY lower(name)", logger: logger)) }
    }

    public func updateStaff(_ member: StaffMember) async throws {
        try await run {
            let updated = try await client.query("""
                UPDATE staff SET roles = \(Self.roles(member.roles)), password_hash = \(member.passwordHash), totp_secret = \(member.totpSecret)
                WHERE id = \(member.id) RETURNING id
                """, logger: logger).collect()
            guard !updated.isEmpty else {
                throw RecordsError(.unknownStaff, "no staff member has the id \(member.id)", hint: "they may have been removed")
            }
        }
    }

    public func removeStaff(id: String) async throws -> Bool {
        try await transaction(locking: ["staff"]) { db in
            try await db.query("DELETE FROM web_session WHERE kind = 'staff' AND subject_id = \(id)", logger: self.logger)
            try await db.query("DELETE FROM staff_token WHERE staff_id = \(id)", logger: self.logger)
            return !(try await db.query("DELETE FROM staff WHERE id = \(id) RETURNING id", logger: self.logger).collect()).isEmpty
        }
    }

    public func addToken(_ token: StaffToken) async throws {
        try await run {
            try await client.query("INSERT INTO staff_token (digest, staff_id, expires_at) VALUES (\(token.digest), \(token.staffID), \(token.expiresAt))",
                                   logger: logger)
        }
    }

    public func token(digest: String) async throws -> StaffToken? {
        try await run {
            for try await (digest, staff, expires) in try await client.query(
                "SELECT digest, staff_id, expires_at FROM staff_token WHERE digest = \(digest)", logger: logger).decode((String, String, Date).self) {
                return StaffToken(digest: digest, staffID: staff, expiresAt: expires)
            }
            return nil
        }
    }

    public func consumeToken(digest: String, at date: Date) async throws -> StaffToken? {
        try await run {
            // One statement: of several uses at once, exactly one gets the row.
            for try await (digest, staff, expires) in try await client.query(
                "DELETE FROM staff_token WHERE digest = \(digest) RETURNING digest, staff_id, expires_at", logger: logger)
                .decode((String, String, Date).self) {
                let token = StaffToken(digest: digest, staffID: staff, expiresAt: expires)
                return token.expiresAt > date ? token : nil
            }
            return nil
        }
    }

    public func removeTokens(staffID: String) async throws {
        try await run { try await client.query("DELETE FROM staff_token WHERE staff_id = \(staffID)", logger: logger) }
    }

    @discardableResult
    public func appendAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        try await run {
            var stored = entry
            for try await id in try await client.query("""
                INSERT INTO audit (at, actor_id, actor_name, action, detail)
                VALUES (\(entry.at), \(entry.actorID), \(entry.actorName), \(entry.action), \(entry.detail)) RETURNING id
                """, logger: logger).decode(Int64.self) { stored.id = id }
            return stored
        }
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await run {
            var entries: [AuditEntry] = []
            for try await (id, at, actorID, actorName, action, detail) in try await client.query(
                "SELECT id, at, actor_id, actor_name, action, detail FROM audit ORDER BY id DESC LIMIT \(max(0, limit))", logger: logger)
                .decode((Int64, Date, String?, String, String, String).self) {
                entries.append(AuditEntry(id: id, at: at, actorID: actorID, actorName: actorName, action: action, detail: detail))
            }
            return entries
        }
    }

    private static func roles(_ roles: Set<StaffRole>) -> String {
        roles.sorted().map(\.rawValue).joined(separator: ",")
    }

    private func members(_ rows: PostgresRowSequence) async throws -> [StaffMember] {
        var members: [StaffMember] = []
        for try await (id, name, text, hash, secret, created) in rows.decode((String, String, String, String?, String?, Date).self) {
            var roles: Set<StaffRole> = []
            for role in text.split(separator: ",") {
                guard let known = StaffRole(rawValue: String(role)) else {
                    throw RecordsError(.unreadable, "a staff member has the role '\(role)', which this version of Groundwork doesn't know",
                                       hint: "the records may come from a newer Groundwork; run that version")
                }
                roles.insert(known)
            }
            members.append(StaffMember(id: id, name: name, roles: roles, passwordHash: hash, totpSecret: secret, createdAt: created))
        }
        return members
    }

    // MARK: Web sessions

    public func createSession(_ session: WebSession) async throws {
        do {
            try await client.query("""
                INSERT INTO web_session (digest, kind, subject_id, created_at, last_seen, expires_at, verified, flash)
                VALUES (\(session.digest), \(session.kind.rawValue), \(session.subjectID), \(session.createdAt), \(session.lastSeen),
                        \(session.expiresAt), \(session.verified), \(session.flash))
                """, logger: logger)
        } catch where Self.isUniqueViolation(error) {
            throw RecordsError(.duplicate, "a session with this token already exists", hint: "make a new token")
        } catch {
            throw RecordsError(.storage, "the records database refused a change: \(Self.describe(error))", hint: "try again")
        }
    }

    public func session(digest: String) async throws -> WebSession? {
        try await run {
            for try await (digest, kindText, subject, created, seen, expires, verified, flash)
                in try await client.execute(SessionStatement(digest: digest), logger: logger) {
                guard let kind = WebSession.Kind(rawValue: kindText) else {
                    throw RecordsError(.unreadable, "a session has the kind '\(kindText)', which this version of Groundwork doesn't know")
                }
                return WebSession(digest: digest, kind: kind, subjectID: subject, createdAt: created, lastSeen: seen, expiresAt: expires,
                                  verified: verified, flash: flash)
            }
            return nil
        }
    }

    public func touchSession(digest: String, lastSeen: Date, expiresAt: Date) async throws {
        try await run {
            try await client.query("UPDATE web_session SET last_seen = \(lastSeen), expires_at = \(expiresAt) WHERE digest = \(digest)", logger: logger)
        }
    }

    public func verifySession(digest: String) async throws {
        try await run { try await client.query("UPDATE web_session SET verified = TRUE WHERE digest = \(digest)", logger: logger) }
    }

    public func setFlash(digest: String, flash: Data) async throws -> Bool {
        try await run {
            !(try await client.query("UPDATE web_session SET flash = \(flash) WHERE digest = \(digest) RETURNING digest",
                                     logger: logger).collect()).isEmpty
        }
    }

    public func takeFlash(digest: String) async throws -> Data? {
        try await run {
            // Read and clear in one statement, so two requests can't both take it.
            for try await flash in try await client.query("""
                UPDATE web_session AS s SET flash = NULL FROM (SELECT digest, flash FROM web_session WHERE digest = \(digest) FOR UPDATE) AS old
                WHERE s.digest = old.digest RETURNING old.flash
                """, logger: logger).decode(Data?.self) {
                return flash
            }
            return nil
        }
    }

    public func deleteSession(digest: String) async throws {
        try await run { try await client.query("DELETE FROM web_session WHERE digest = \(digest)", logger: logger) }
    }

    @discardableResult
    public func deleteSessions(kind: WebSession.Kind, subjectID: String) async throws -> Int {
        try await run {
            try await client.query("DELETE FROM web_session WHERE kind = \(kind.rawValue) AND subject_id = \(subjectID) RETURNING digest",
                                   logger: logger).collect().count
        }
    }

    @discardableResult
    public func deleteExpiredSessions(before date: Date) async throws -> Int {
        try await run {
            try await client.query("DELETE FROM web_session WHERE expires_at < \(date) RETURNING digest", logger: logger).collect().count
        }
    }
}

/// A web session by its digest: every signed-in request reads it, so it is prepared once per
/// connection instead of planned each time.
struct SessionStatement: PostgresPreparedStatement {
    static let name = "groundwork_session_v1"
    static let sql = "SELECT digest, kind, subject_id, created_at, last_seen, expires_at, verified, flash FROM web_session WHERE digest = $1"
    static let bindingDataTypes: [PostgresDataType] = [.text]
    typealias Row = (String, String, String, Date, Date, Date, Bool, Data?)

    var digest: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(digest)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
