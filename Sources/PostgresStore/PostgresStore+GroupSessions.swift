import CurriculumKit
import Foundation
import PostgresNIO
import Runtime

extension PostgresStore: GroupSessionStore {
    private static let sessionColumns = """
        id, code, facilitator_id, module_ids, slide, step, revealed, blanked, show_nicknames, status, opened_at, last_activity_at, \
        ended_at, version
        """

    public func createGroupSession(_ session: GroupSession) async throws {
        try await transaction(locking: ["group-codes"]) { db in
            let taken = try await db.query("""
                SELECT 1 FROM group_session WHERE (code = \(session.code) AND status = 'open') OR id = \(session.id)
                """, logger: self.logger).collect()
            guard taken.isEmpty else {
                throw RecordsError(.duplicate, "an open session already has the code \(session.code)", hint: "make a new code")
            }
            try await db.query("""
                INSERT INTO group_session (id, code, facilitator_id, module_ids, slide, step, revealed, blanked, show_nicknames,
                                           status, opened_at, last_activity_at, ended_at, version)
                VALUES (\(session.id), \(session.code), \(session.facilitatorID), \(RecordCoding.list(session.moduleIDs)), \(session.position.slide),
                        \(session.position.step), \(session.revealed), \(session.blanked), \(session.showNicknames), \(session.status.rawValue),
                        \(session.openedAt), \(session.lastActivityAt), \(session.endedAt), \(session.version))
                """, logger: self.logger)
        }
    }

    public func groupSession(id: String) async throws -> GroupSession? {
        try await run { try await groupSessions(client.run("SELECT \(unescaped: Self.sessionColumns) FROM group_session WHERE id = \(id)", logger)).first }
    }

    public func openGroupSession(code: String) async throws -> GroupSession? {
        try await run {
            try await groupSessions(client.run(
                "SELECT \(unescaped: Self.sessionColumns) FROM group_session WHERE code = \(code) AND status = 'open'", logger)).first
        }
    }

    public func groupSessions(facilitatorID: String) async throws -> [GroupSession] {
        try await run {
            try await groupSessions(client.run("""
                SELECT \(unescaped: Self.sessionColumns) FROM group_session WHERE facilitator_id = \(facilitatorID) ORDER BY opened_at DESC, id
                """, logger))
        }
    }

    public func idleGroupSessions(before date: Date) async throws -> [GroupSession] {
        try await run {
            try await groupSessions(client.run("""
                SELECT \(unescaped: Self.sessionColumns) FROM group_session WHERE status = 'open' AND last_activity_at <= \(date) ORDER BY id
                """, logger))
        }
    }

    public func updateGroupSession(_ session: GroupSession, expectedVersion: Int) async throws {
        try await transaction(locking: ["group:" + session.id]) { db in
            let updated = try await db.query("""
                UPDATE group_session SET slide = \(session.position.slide), step = \(session.position.step), revealed = \(session.revealed),
                       blanked = \(session.blanked), show_nicknames = \(session.showNicknames),
                       last_activity_at = \(session.lastActivityAt), version = \(session.version)
                WHERE id = \(session.id) AND version = \(expectedVersion) AND status = 'open' RETURNING id
                """, logger: self.logger).collect()
            guard updated.isEmpty else { return }
            var status: String?
            for try await text in try await db.query("SELECT status FROM group_session WHERE id = \(session.id)", logger: self.logger)
                .decode(String.self) { status = text }
            switch status {
            case nil: throw RecordsError(.unknownSession, "there is no group session \(session.id)", hint: "open a new session")
            case "open"?: throw RecordsError(.sessionMoved, "the session changed on another screen", hint: "go on from where it is now")
            default: throw RecordsError(.sessionEnded, "this session has ended", hint: "open a new session to run it again")
            }
        }
    }

    private func status(_ db: PostgresConnection, sessionID: String) async throws -> String? {
        for try await text in try await db.query("SELECT status FROM group_session WHERE id = \(sessionID)", logger: logger).decode(String.self) {
            return text
        }
        return nil
    }

    public func addParticipant(_ participant: Participant) async throws {
        try await transaction(locking: ["group:" + participant.sessionID]) { db in
            guard try await self.status(db, sessionID: participant.sessionID) == "open" else {
                throw RecordsError(.sessionEnded, "this session has ended", hint: "ask the facilitator for the code of a running session")
            }
            try await db.query("""
                INSERT INTO participant (id, session_id, token_digest, nickname, learner_id, joined_at)
                VALUES (\(participant.id), \(participant.sessionID), \(participant.tokenDigest), \(participant.nickname),
                        \(participant.learnerID), \(participant.joinedAt))
                """, logger: self.logger)
            try await db.query("""
                UPDATE group_session SET last_activity_at = GREATEST(last_activity_at, \(participant.joinedAt)) WHERE id = \(participant.sessionID)
                """, logger: self.logger)
        }
    }

    public func participant(tokenDigest: String) async throws -> Participant? {
        try await run {
            for try await (id, session, digest, nickname, learner, joined) in try await client.query("""
                SELECT id, session_id, token_digest, nickname, learner_id, joined_at FROM participant WHERE token_digest = \(tokenDigest)
                """, logger: logger).decode((String, String, String, String?, String?, Date).self) {
                return Participant(id: id, sessionID: session, tokenDigest: digest, nickname: nickname, learnerID: learner, joinedAt: joined)
            }
            return nil
        }
    }

    public func participantCount(sessionID: String) async throws -> Int {
        try await run {
            var count = 0
            for try await value in try await client.query("SELECT COUNT(*) FROM participant WHERE session_id = \(sessionID)", logger: logger)
                .decode(Int.self) { count = value }
            return count
        }
    }

    public func nicknames(sessionID: String) async throws -> [String] {
        try await run {
            var names: [String] = []
            for try await name in try await client.query("""
                SELECT nickname FROM participant WHERE session_id = \(sessionID) AND nickname IS NOT NULL ORDER BY joined_at, id
                """, logger: logger).decode(String.self) { names.append(name) }
            return names
        }
    }

    public func linkParticipant(id: String, learnerID: String) async throws {
        try await run {
            let linked = try await client.query("UPDATE participant SET learner_id = \(learnerID) WHERE id = \(id) RETURNING id",
                                                logger: logger).collect()
            guard !linked.isEmpty else {
                throw RecordsError(.sessionEnded, "this session has ended", hint: "ask the facilitator to record your attendance")
            }
        }
    }

    public func recordPollAnswer(_ answer: PollAnswer, at position: SlidePosition) async throws {
        let json = try RecordCoding.json(answer.response)
        try await run {
            // One statement: the answer goes in only while its poll is the session's current,
            // unrevealed slide (the row lock on the session orders it against a reveal).
            let written = try await client.query("""
                INSERT INTO poll_answer (session_id, poll_key, participant_id, response, answered_at)
                SELECT \(answer.sessionID), \(answer.pollKey), \(answer.participantID), \(json), \(answer.answeredAt)
                FROM group_session s
                WHERE s.id = \(answer.sessionID) AND s.status = 'open' AND s.slide = \(position.slide)
                  AND s.step IS NOT DISTINCT FROM \(position.step) AND NOT s.revealed
                FOR SHARE OF s
                ON CONFLICT (session_id, poll_key, participant_id)
                DO UPDATE SET response = excluded.response, answered_at = excluded.answered_at
                RETURNING 1
                """, logger: logger).collect()
            guard !written.isEmpty else {
                throw RecordsError(.pollClosed, "this question has closed", hint: "the screen has moved on; here is the current one")
            }
        }
    }

    public func pollAnswer(sessionID: String, pollKey: String, participantID: String) async throws -> Response? {
        try await run {
            for try await json in try await client.query("""
                SELECT response FROM poll_answer WHERE session_id = \(sessionID) AND poll_key = \(pollKey) AND participant_id = \(participantID)
                """, logger: logger).decode(String.self) {
                return try RecordCoding.response(json, what: "an answer to \(pollKey)")
            }
            return nil
        }
    }

    public func answerCount(sessionID: String, pollKey: String) async throws -> Int {
        try await run { try await Self.counts(client, logger, sessionID: sessionID, pollKey: pollKey).answers }
    }

    /// On the live connections, so a projector's count doesn't queue behind the answers it
    /// counts: the session, then both counts in one statement.
    public func liveSnapshot(sessionID: String, pollKey: @Sendable (GroupSession) -> String?) async throws -> LiveSnapshot? {
        try await run {
            try await liveClient.withConnection { db in
                guard let session = try await self.groupSessions(db.run(
                    "SELECT \(unescaped: Self.sessionColumns) FROM group_session WHERE id = \(sessionID)", self.logger)).first else {
                    return nil
                }
                let key = pollKey(session)
                let counts = try await Self.counts(db, self.logger, sessionID: sessionID, pollKey: key ?? "")
                return LiveSnapshot(session: session, participants: counts.participants, answers: key == nil ? nil : counts.answers)
            }
        }
    }

    /// How many answered a poll (rows while open, stored counts once ended) and how many joined.
    private static func counts(_ db: some PostgresQueryRunner, _ logger: Logger, sessionID: String,
                               pollKey: String) async throws -> (answers: Int, participants: Int) {
        let rows = try await db.run("""
            SELECT ((SELECT COUNT(*) FROM poll_answer WHERE session_id = \(sessionID) AND poll_key = \(pollKey))
                    + (SELECT COALESCE(SUM(count), 0) FROM poll_count WHERE session_id = \(sessionID) AND poll_key = \(pollKey)))::BIGINT,
                   (SELECT COUNT(*) FROM participant WHERE session_id = \(sessionID))::BIGINT
            """, logger)
        for try await (answers, participants) in rows.decode((Int, Int).self) { return (answers, participants) }
        return (0, 0)
    }

    public func tally(sessionID: String, pollKey: String) async throws -> PollTally {
        try await run {
            var counts: [Response: Int] = [:]
            for try await (json, count) in try await client.query("""
                SELECT response, COUNT(*) FROM poll_answer WHERE session_id = \(sessionID) AND poll_key = \(pollKey) GROUP BY response
                UNION ALL
                SELECT response, count FROM poll_count WHERE session_id = \(sessionID) AND poll_key = \(pollKey)
                """, logger: logger).decode((String, Int).self) {
                counts[try RecordCoding.response(json, what: "a tally of \(pollKey)"), default: 0] += count
            }
            return PollTally(counts: counts)
        }
    }

    public func endGroupSession(id: String, at date: Date) async throws -> [Attendance] {
        try await transaction(locking: ["group:" + id]) { db in
            guard let session = try await self.groupSessions(db.run(
                "SELECT \(unescaped: Self.sessionColumns) FROM group_session WHERE id = \(id) FOR UPDATE", self.logger)).first else {
                throw RecordsError(.unknownSession, "there is no group session \(id)", hint: "open a new session")
            }
            guard session.status == .open else {
                throw RecordsError(.sessionEnded, "this session has already ended", hint: "open a new session to run it again")
            }
            try await db.query("UPDATE group_session SET status = 'ended', ended_at = \(date), version = version + 1 WHERE id = \(id)",
                               logger: self.logger)
            var learners: [String] = []
            for try await learner in try await db.query("""
                SELECT DISTINCT learner_id FROM participant WHERE session_id = \(id) AND learner_id IS NOT NULL ORDER BY learner_id
                """, logger: self.logger).decode(String.self) { learners.append(learner) }
            var recorded: [Attendance] = []
            for learnerID in learners {
                let inserted = try await db.query("""
                    INSERT INTO attendance (learner_id, session_id, module_ids, attended_at, recorded_by, by_hand)
                    VALUES (\(learnerID), \(id), \(RecordCoding.list(session.moduleIDs)), \(date), \(session.facilitatorID), FALSE)
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: self.logger).collect()
                if !inserted.isEmpty {
                    recorded.append(Attendance(learnerID: learnerID, sessionID: id, moduleIDs: session.moduleIDs, attendedAt: date,
                                               recordedBy: session.facilitatorID, byHand: false))
                }
            }
            try await db.query("""
                INSERT INTO poll_count (session_id, poll_key, response, count)
                SELECT session_id, poll_key, response, COUNT(*) FROM poll_answer WHERE session_id = \(id) GROUP BY session_id, poll_key, response
                """, logger: self.logger)
            try await db.query("DELETE FROM poll_answer WHERE session_id = \(id)", logger: self.logger)
            try await db.query("DELETE FROM participant WHERE session_id = \(id)", logger: self.logger)
            return recorded
        }
    }

    public func addAttendance(_ attendance: Attendance) async throws {
        try await run {
            let inserted = try await client.query("""
                INSERT INTO attendance (learner_id, session_id, module_ids, attended_at, recorded_by, by_hand)
                VALUES (\(attendance.learnerID), \(attendance.sessionID), \(RecordCoding.list(attendance.moduleIDs)), \(attendance.attendedAt),
                        \(attendance.recordedBy), \(attendance.byHand))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger).collect()
            guard !inserted.isEmpty else {
                throw RecordsError(.duplicate, "this learner's attendance at the session is already recorded", hint: "nothing more to do")
            }
        }
    }

    public func attendance(learnerID: String) async throws -> [Attendance] {
        try await run {
            var records: [Attendance] = []
            for try await (learner, session, modules, at, by, byHand) in try await client.query("""
                SELECT learner_id, session_id, module_ids, attended_at, recorded_by, by_hand FROM attendance
                WHERE learner_id = \(learnerID) ORDER BY attended_at, session_id
                """, logger: logger).decode((String, String, String, Date, String, Bool).self) {
                records.append(Attendance(learnerID: learner, sessionID: session, moduleIDs: RecordCoding.list(modules), attendedAt: at,
                                          recordedBy: by, byHand: byHand))
            }
            return records
        }
    }

    private func groupSessions(_ rows: PostgresRowSequence) async throws -> [GroupSession] {
        var sessions: [GroupSession] = []
        for try await (id, code, facilitator, modules, slide, step, revealed, blanked, nicknames, statusText, opened, active, ended, version)
            in rows.decode((String, String, String, String, Int, String?, Bool, Bool, Bool, String, Date, Date, Date?, Int).self) {
            guard let status = GroupSession.Status(rawValue: statusText) else {
                throw RecordsError(.unreadable, "a group session has the status '\(statusText)', which this version of Groundwork doesn't know",
                                   hint: "the records may come from a newer Groundwork; run that version")
            }
            sessions.append(GroupSession(id: id, code: code, facilitatorID: facilitator, moduleIDs: RecordCoding.list(modules),
                                         position: SlidePosition(slide: slide, step: step), revealed: revealed, blanked: blanked,
                                         showNicknames: nicknames, status: status, openedAt: opened, lastActivityAt: active,
                                         endedAt: ended, version: version))
        }
        return sessions
    }
}
