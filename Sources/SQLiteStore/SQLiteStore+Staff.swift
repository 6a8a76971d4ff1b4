import Foundation
import GRDB
import Runtime

extension SQLiteStore {
    public func addStaff(_ member: StaffMember) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM staff WHERE name = ? COLLATE NOCASE OR id = ?",
                                 arguments: [member.name, member.id]) == true {
                throw RecordsError(.duplicate, "a staff member called \(member.name) already exists",
                                   hint: "choose another name, or use `groundwork staff reset` to send them a new sign-in link")
            }
            try db.execute(sql: """
                INSERT INTO staff (id, name, roles, password_hash, totp_secret, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [member.id, member.name, Self.roles(member.roles), member.passwordHash, member.totpSecret, member.createdAt])
        }
    }

    public func staff(id: String) async throws -> StaffMember? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM staff WHERE id = ?"), arguments: [id]).map(Self.member)
        }
    }

    public func staff(name: String) async throws -> StaffMember? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM staff WHERE name = ? COLLATE NOCASE"), arguments: [name]).map(Self.member)
        }
    }

    public func allStaff() async throws -> [StaffMember] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM staff ORDER BY name COLLATE NOCASE").map(Self.member)
        }
    }

    public func updateStaff(_ member: StaffMember) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE staff SET roles = ?, password_hash = ?, totp_secret = ? WHERE id = ?",
                           arguments: [Self.roles(member.roles), member.passwordHash, member.totpSecret, member.id])
            guard db.changesCount > 0 else {
                throw RecordsError(.unknownStaff, "no staff member has the id \(member.id)", hint: "they may have been removed")
            }
        }
    }

    public func removeStaff(id: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE kind = 'staff' AND subject_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM staff_token WHERE staff_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM staff WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func addToken(_ token: StaffToken) async throws {
        try await write { db in
            try db.execute(sql: "INSERT INTO staff_token (digest, staff_id, expires_at) VALUES (?, ?, ?)",
                           arguments: [token.digest, token.staffID, token.expiresAt])
        }
    }

    public func token(digest: String) async throws -> StaffToken? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM staff_token WHERE digest = ?", arguments: [digest]).map { row in
                StaffToken(digest: row["digest"], staffID: row["staff_id"], expiresAt: row["expires_at"])
            }
        }
    }

    public func consumeToken(digest: String, at date: Date) async throws -> StaffToken? {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM staff_token WHERE digest = ?", arguments: [digest]) else {
                return nil
            }
            try db.execute(sql: "DELETE FROM staff_token WHERE digest = ?", arguments: [digest])
            let token = StaffToken(digest: row["digest"], staffID: row["staff_id"], expiresAt: row["expires_at"])
            return token.expiresAt > date ? token : nil
        }
    }

    public func removeTokens(staffID: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM staff_token WHERE staff_id = ?", arguments: [staffID])
        }
    }

    @discardableResult
    public func appendAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        try await write { db in
            try db.execute(sql: "INSERT INTO audit (at, actor_id, actor_name, action, detail) VALUES (?, ?, ?, ?, ?)",
                           arguments: [entry.at, entry.actorID, entry.actorName, entry.action, entry.detail])
            var stored = entry
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY id DESC LIMIT ?", arguments: [max(0, limit)]).map { row in
                AuditEntry(id: row["id"], at: row["at"], actorID: row["actor_id"], actorName: row["actor_name"],
                           action: row["action"], detail: row["detail"])
            }
        }
    }

    private static func roles(_ roles: Set<StaffRole>) -> String {
        roles.sorted().map(\.rawValue).joined(separator: ",")
    }

    private static func member(_ row: Row) throws -> StaffMember {
        let text: String = row["roles"]
        var roles: Set<StaffRole> = []
        for name in text.split(separator: ",") {
            guard let role = StaffRole(rawValue: String(name)) else {
                throw RecordsError(.unreadable, "a staff member has the role '\(name)', which this version of Groundwork doesn't know",
                                   hint: "the records may come from a newer Groundwork; run that version")
            }
            roles.insert(role)
        }
        return StaffMember(id: row["id"], name: row["name"], roles: roles, passwordHash: row["password_hash"],
                           totpSecret: row["totp_secret"], createdAt: row["created_at"])
    }
}

extension SQLiteStore {
    public func createSession(_ session: WebSession) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM web_session WHERE digest = ?", arguments: [session.digest]) == true {
                throw RecordsError(.duplicate, "a session with this token already exists", hint: "make a new token")
            }
            try db.execute(sql: """
                INSERT INTO web_session (digest, kind, subject_id, created_at, last_seen, expires_at, verified, flash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [session.digest, session.kind.rawValue, session.subjectID, session.createdAt,
                                 session.lastSeen, session.expiresAt, session.verified, session.flash])
        }
    }

    public func session(digest: String) async throws -> WebSession? {
        try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM web_session WHERE digest = ?"),
                                             arguments: [digest]) else { return nil }
            let kindText: String = row["kind"]
            guard let kind = WebSession.Kind(rawValue: kindText) else {
                throw RecordsError(.unreadable, "a session has the kind '\(kindText)', which this version of Groundwork doesn't know")
            }
            return WebSession(digest: row["digest"], kind: kind, subjectID: row["subject_id"], createdAt: row["created_at"],
                              lastSeen: row["last_seen"], expiresAt: row["expires_at"], verified: row["verified"],
                              flash: row["flash"])
        }
    }

    public func touchSession(digest: String, lastSeen: Date, expiresAt: Date) async throws {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE web_session SET last_seen = ?, expires_at = ? WHERE digest = ?")
                .execute(arguments: [lastSeen, expiresAt, digest])
        }
    }

    public func verifySession(digest: String) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE web_session SET verified = 1 WHERE digest = ?", arguments: [digest])
        }
    }

    public func setFlash(digest: String, flash: Data) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE web_session SET flash = ? WHERE digest = ?", arguments: [flash, digest])
            return db.changesCount > 0
        }
    }

    public func takeFlash(digest: String) async throws -> Data? {
        try await write { db in
            let flash = try Data.fetchOne(db, sql: "SELECT flash FROM web_session WHERE digest = ?", arguments: [digest])
            if flash != nil {
                try db.execute(sql: "UPDATE web_session SET flash = NULL WHERE digest = ?", arguments: [digest])
            }
            return flash
        }
    }

    public func deleteSession(digest: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE digest = ?", arguments: [digest])
        }
    }

    @discardableResult
    public func deleteSessions(kind: WebSession.Kind, subjectID: String) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE kind = ? AND subject_id = ?", arguments: [kind.rawValue, subjectID])
            return db.changesCount
        }
    }

    @discardableResult
    public func deleteExpiredSessions(before date: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE expires_at < ?", arguments: [date])
            return db.changesCount
        }
    }
}
