import Foundation
import PostgresNIO
import Runtime

extension PostgresStore: PracticalStore {
    @discardableResult
    public func addSignOff(_ signOff: PracticalSignOff) async throws -> Bool {
        try await transaction(locking: ["learner:" + signOff.learnerID]) { db in
            guard try await !db.query("SELECT 1 FROM learner WHERE id = \(signOff.learnerID)", logger: self.logger).collect().isEmpty else {
                throw RecordsError(.unknownLearner, "there is no learner with this id", hint: "they may have been removed")
            }
            let inserted = try await db.query("""
                INSERT INTO practical_sign_off (learner_id, practical_id, signed_by, signer_name, session_id, reason, signed_at)
                VALUES (\(signOff.learnerID), \(signOff.practicalID), \(signOff.signedBy), \(signOff.signerName),
                        \(signOff.groupSessionID), \(signOff.reason), \(signOff.signedAt))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: self.logger).collect()
            return !inserted.isEmpty
        }
    }

    public func signOffs(learnerID: String) async throws -> [PracticalSignOff] {
        try await run {
            var result: [PracticalSignOff] = []
            let rows = try await client.query("""
                SELECT learner_id, practical_id, signed_by, signer_name, session_id, reason, signed_at
                FROM practical_sign_off WHERE learner_id = \(learnerID) ORDER BY signed_at, practical_id
                """, logger: logger)
            for try await (learner, practical, by, name, session, reason, at) in rows.decode((String, String, String, String, String?, String?, Date).self) {
                result.append(PracticalSignOff(learnerID: learner, practicalID: practical, signedBy: by, signerName: name,
                                               groupSessionID: session, reason: reason, signedAt: at))
            }
            return result
        }
    }

    public func sessionLearners(sessionID: String) async throws -> [Learner] {
        try await run {
            var result: [Learner] = []
            let rows = try await client.query("""
                SELECT id, display_name, created_at FROM learner WHERE id IN (
                    SELECT learner_id FROM participant WHERE session_id = \(sessionID) AND learner_id IS NOT NULL
                    UNION SELECT learner_id FROM attendance WHERE session_id = \(sessionID))
                ORDER BY display_name COLLATE "C", id
                """, logger: logger)
            for try await (id, name, created) in rows.decode((String, String, Date).self) {
                result.append(Learner(id: id, displayName: name, createdAt: created))
            }
            return result
        }
    }

    public func signedOffPracticals() async throws -> [String: Set<String>] {
        try await run {
            var result: [String: Set<String>] = [:]
            for try await (learner, practical) in try await client.query("SELECT learner_id, practical_id FROM practical_sign_off", logger: logger)
                .decode((String, String).self) {
                result[learner, default: []].insert(practical)
            }
            return result
        }
    }
}
