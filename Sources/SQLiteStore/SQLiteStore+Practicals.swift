import Foundation
import GRDB
import Runtime

extension SQLiteStore {
    @discardableResult
    public func addSignOff(_ signOff: PracticalSignOff) async throws -> Bool {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM learner WHERE id = ?", arguments: [signOff.learnerID]) == true else {
                throw RecordsError(.unknownLearner, "there is no learner with this id", hint: "they may have been removed")
            }
            try db.execute(sql: """
                INSERT INTO practical_sign_off (learner_id, practical_id, signed_by, signer_name, session_id, reason, signed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [signOff.learnerID, signOff.practicalID, signOff.signedBy, signOff.signerName,
                                 signOff.groupSessionID, signOff.reason, signOff.signedAt])
            return db.changesCount > 0
        }
    }

    public func signOffs(learnerID: String) async throws -> [PracticalSignOff] {
        try await read { db in try Self.fetchSignOffs(db, learnerID: learnerID) }
    }

    public func signedOffPracticals() async throws -> [String: Set<String>] {
        try await read { db in
            var result: [String: Set<String>] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT learner_id, practical_id FROM practical_sign_off")
            while let row = try rows.next() {
                result[row[0] as String, default: []].insert(row[1] as String)
            }
            return result
        }
    }

    public func sessionLearners(sessionID: String) async throws -> [Learner] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM learner WHERE id IN (
                    SELECT learner_id FROM participant WHERE session_id = ? AND learner_id IS NOT NULL
                    UNION SELECT learner_id FROM attendance WHERE session_id = ?)
                ORDER BY display_name, id
                """, arguments: [sessionID, sessionID]).map(Self.learner)
        }
    }

    static func fetchSignOffs(_ db: Database, learnerID: String) throws -> [PracticalSignOff] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM practical_sign_off WHERE learner_id = ? ORDER BY signed_at, practical_id"),
                         arguments: [learnerID]).map { row in
            PracticalSignOff(learnerID: row["learner_id"], practicalID: row["practical_id"], signedBy: row["signed_by"],
                             signerName: row["signer_name"], groupSessionID: row["session_id"], reason: row["reason"],
                             signedAt: row["signed_at"])
        }
    }
}
