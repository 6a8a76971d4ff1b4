import CurriculumKit
import Foundation
import GRDB
import Runtime

extension SQLiteStore {
    public func createGroupSession(_ session: GroupSession) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM group_session WHERE (code = ? AND status = 'open') OR id = ?",
                                 arguments: [session.code, session.id]) == true {
                throw RecordsError(.duplicate, "an open session already has the code \(session.code)", hint: "make a new code")
            }
            try db.execute(sql: """
                INSERT INTO group_session (id, code, facilitator_id, module_ids, slide, step, revealed, blanked, show_nicknames,
                                           status, opened_at, last_activity_at, ended_at, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [session.id, session.code, session.facilitatorID, RecordCoding.list(session.moduleIDs),
                                 session.position.slide, session.position.step, session.revealed, session.blanked,
                                 session.showNicknames, session.status.rawValue, session.openedAt, session.lastActivityAt,
                                 session.endedAt, session.version])
        }
    }

    public func groupSession(id: String) async throws -> GroupSession? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM group_session WHERE id = ?"), arguments: [id]).map(Self.groupSession)
        }
    }

    public func openGroupSession(code: String) async throws -> GroupSession? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM group_session WHERE code = ? AND status = 'open'"),
                             arguments: [code]).map(Self.groupSession)
        }
    }

    public func groupSessions(facilitatorID: String) async throws -> [GroupSession] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM group_session WHERE facilitator_id = ? ORDER BY opened_at DESC, id",
                             arguments: [facilitatorID]).map(Self.groupSession)
        }
    }

    public func idleGroupSessions(before date: Date) async throws -> [GroupSession] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM group_session WHERE status = 'open' AND last_activity_at <= ? ORDER BY id",
                             arguments: [date]).map(Self.groupSession)
        }
    }

    public func updateGroupSession(_ session: GroupSession, expectedVersion: Int) async throws {
        try await write { db in
            try db.execute(sql: """
                UPDATE group_session SET slide = ?, step = ?, revealed = ?, blanked = ?, show_nicknames = ?,
                                         last_activity_at = ?, version = ?
                WHERE id = ? AND version = ? AND status = 'open'
                """, arguments: [session.position.slide, session.position.step, session.revealed, session.blanked,
                                 session.showNicknames, session.lastActivityAt, session.version, session.id, expectedVersion])
            guard db.changesCount == 0 else { return }
            let status = try String.fetchOne(db, sql: "SELECT status FROM group_session WHERE id = ?", arguments: [session.id])
            switch status {
            case nil: throw RecordsError(.unknownSession, "there is no group session \(session.id)", hint: "open a new session")
            case "open"?: throw RecordsError(.sessionMoved, "the session changed on another screen", hint: "go on from where it is now")
            default: throw RecordsError(.sessionEnded, "this session has ended", hint: "open a new session to run it again")
            }
        }
    }

    public func addParticipant(_ participant: Participant) async throws {
        try await write { db in
            guard try String.fetchOne(db, sql: "SELECT status FROM group_session WHERE id = ?", arguments: [participant.sessionID]) == "open" else {
                throw RecordsError(.sessionEnded, "this session has ended", hint: "ask the facilitator for the code of a running session")
            }
            try db.execute(sql: """
                INSERT INTO participant (id, session_id, token_digest, nickname, learner_id, joined_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [participant.id, participant.sessionID, participant.tokenDigest, participant.nickname,
                                 participant.learnerID, participant.joinedAt])
            try db.execute(sql: "UPDATE group_session SET last_activity_at = MAX(last_activity_at, ?) WHERE id = ?",
                           arguments: [participant.joinedAt, participant.sessionID])
        }
    }

    public func participant(tokenDigest: String) async throws -> Participant? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM participant WHERE token_digest = ?"), arguments: [tokenDigest]).map { row in
                Participant(id: row["id"], sessionID: row["session_id"], tokenDigest: row["token_digest"], nickname: row["nickname"],
                            learnerID: row["learner_id"], joinedAt: row["joined_at"])
            }
        }
    }

    public func participantCount(sessionID: String) async throws -> Int {
        try await read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM participant WHERE session_id = ?"), arguments: [sessionID]) ?? 0
        }
    }

    public func nicknames(sessionID: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT nickname FROM participant WHERE session_id = ? AND nickname IS NOT NULL ORDER BY joined_at, id",
                                arguments: [sessionID])
        }
    }

    public func linkParticipant(id: String, learnerID: String) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE participant SET learner_id = ? WHERE id = ?", arguments: [learnerID, id])
            guard db.changesCount > 0 else {
                throw RecordsError(.sessionEnded, "this session has ended", hint: "ask the facilitator to record your attendance")
            }
        }
    }

    public func recordPollAnswer(_ answer: PollAnswer, at position: SlidePosition) async throws {
        let json = try RecordCoding.json(answer.response)
        try await write { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT status, slide, step, revealed FROM group_session WHERE id = ?"),
                                       arguments: [answer.sessionID])
            guard let row, row["status"] == "open", row["slide"] == position.slide, (row["step"] as String?) == position.step,
                  row["revealed"] == false else {
                throw RecordsError(.pollClosed, "this question has closed", hint: "the screen has moved on; here is the current one")
            }
            try db.execute(sql: """
                INSERT INTO poll_answer (session_id, poll_key, participant_id, response, answered_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (session_id, poll_key, participant_id) DO UPDATE SET response = excluded.response, answered_at = excluded.answered_at
                """, arguments: [answer.sessionID, answer.pollKey, answer.participantID, json, answer.answeredAt])
        }
    }

    public func pollAnswer(sessionID: String, pollKey: String, participantID: String) async throws -> Response? {
        try await read { db in
            guard let json = try String.fetchOne(db.cachedStatement(sql: """
                SELECT response FROM poll_answer WHERE session_id = ? AND poll_key = ? AND participant_id = ?
                """), arguments: [sessionID, pollKey, participantID]) else { return nil }
            return try RecordCoding.response(json, what: "an answer to \(pollKey)")
        }
    }

    public func answerCount(sessionID: String, pollKey: String) async throws -> Int {
        try await tally(sessionID: sessionID, pollKey: pollKey).total
    }

    public func tally(sessionID: String, pollKey: String) async throws -> PollTally {
        try await read { db in
            var rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT response, COUNT(*) AS count FROM poll_answer WHERE session_id = ? AND poll_key = ? GROUP BY response
                """), arguments: [sessionID, pollKey])
            if rows.isEmpty {
                rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT response, count FROM poll_count WHERE session_id = ? AND poll_key = ?"),
                                        arguments: [sessionID, pollKey])
            }
            var counts: [Response: Int] = [:]
            for row in rows {
                counts[try RecordCoding.response(row["response"], what: "a tally of \(pollKey)"), default: 0] += row["count"] as Int
            }
            return PollTally(counts: counts)
        }
    }

    public func endGroupSession(id: String, at date: Date) async throws -> [Attendance] {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM group_session WHERE id = ?", arguments: [id]) else {
                throw RecordsError(.unknownSession, "there is no group session \(id)", hint: "open a new session")
            }
            let session = try Self.groupSession(row)
            guard session.status == .open else {
                throw RecordsError(.sessionEnded, "this session has already ended", hint: "open a new session to run it again")
            }
            try db.execute(sql: "UPDATE group_session SET status = 'ended', ended_at = ?, version = version + 1 WHERE id = ?",
                           arguments: [date, id])
            let learners = try String.fetchAll(db, sql: """
                SELECT DISTINCT learner_id FROM participant WHERE session_id = ? AND learner_id IS NOT NULL ORDER BY learner_id
                """, arguments: [id])
            var recorded: [Attendance] = []
            for learnerID in learners {
                let attendance = Attendance(learnerID: learnerID, sessionID: id, moduleIDs: session.moduleIDs, attendedAt: date,
                                            recordedBy: session.facilitatorID, byHand: false)
                try db.execute(sql: """
                    INSERT INTO attendance (learner_id, session_id, module_ids, attended_at, recorded_by, by_hand)
                    VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT DO NOTHING
                    """, arguments: [learnerID, id, RecordCoding.list(session.moduleIDs), date, session.facilitatorID])
                if db.changesCount > 0 { recorded.append(attendance) }
            }
            try db.execute(sql: """
                INSERT INTO poll_count (session_id, poll_key, response, count)
                SELECT session_id, poll_key, response, COUNT(*) FROM poll_answer WHERE session_id = ? GROUP BY poll_key, response
                """, arguments: [id])
            try db.execute(sql: "DELETE FROM poll_answer WHERE session_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM participant WHERE session_id = ?", arguments: [id])
            return recorded
        }
    }

    public func addAttendance(_ attendance: Attendance) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO attendance (learner_id, session_id, module_ids, attended_at, recorded_by, by_hand)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [attendance.learnerID, attendance.sessionID, RecordCoding.list(attendance.moduleIDs), attendance.attendedAt,
                                 attendance.recordedBy, attendance.byHand])
            guard db.changesCount > 0 else {
                throw RecordsError(.duplicate, "this learner's attendance at the session is already recorded", hint: "nothing more to do")
            }
        }
    }

    public func attendance(learnerID: String) async throws -> [Attendance] {
        try await read { db in try Self.fetchAttendance(db, learnerID: learnerID) }
    }

    // MARK: Helpers

    static func fetchAttendance(_ db: Database, learnerID: String) throws -> [Attendance] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM attendance WHERE learner_id = ? ORDER BY attended_at, session_id"),
                         arguments: [learnerID]).map { row in
            Attendance(learnerID: row["learner_id"], sessionID: row["session_id"], moduleIDs: RecordCoding.list(row["module_ids"]),
                       attendedAt: row["attended_at"], recordedBy: row["recorded_by"], byHand: row["by_hand"])
        }
    }

    private static func groupSession(_ row: Row) throws -> GroupSession {
        let statusText: String = row["status"]
        guard let status = GroupSession.Status(rawValue: statusText) else {
            throw RecordsError(.unreadable, "a group session has the status '\(statusText)', which this version of Groundwork doesn't know",
                               hint: "the records may come from a newer Groundwork; run that version, or restore the data folder from a backup")
        }
        return GroupSession(id: row["id"], code: row["code"], facilitatorID: row["facilitator_id"], moduleIDs: RecordCoding.list(row["module_ids"]),
                            position: SlidePosition(slide: row["slide"], step: row["step"]), revealed: row["revealed"],
                            blanked: row["blanked"], showNicknames: row["show_nicknames"], status: status,
                            openedAt: row["opened_at"], lastActivityAt: row["last_activity_at"], endedAt: row["ended_at"],
                            version: row["version"])
    }
}
