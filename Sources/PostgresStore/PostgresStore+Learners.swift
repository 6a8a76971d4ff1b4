import CurriculumKit
import Foundation
import PostgresNIO
import Runtime

extension PostgresStore: LearnerStore, AttemptStore {
    public func createLearner(_ learner: Learner, codeDigest: String) async throws {
        try await transaction(locking: ["learner-codes"]) { db in
            let taken = try await db.query("SELECT 1 FROM learner WHERE code_digest = \(codeDigest) OR id = \(learner.id)",
                                           logger: self.logger).collect()
            guard taken.isEmpty else {
                throw RecordsError(.duplicate, "a learner with this resume code already exists", hint: "make a new code")
            }
            try await db.query("""
                INSERT INTO learner (id, display_name, code_digest, created_at)
                VALUES (\(learner.id), \(learner.displayName), \(codeDigest), \(learner.createdAt))
                """, logger: self.logger)
        }
    }

    public func learner(codeDigest: String) async throws -> Learner? {
        try await run {
            try await fetchLearner(client.query("SELECT id, display_name, created_at FROM learner WHERE code_digest = \(codeDigest)",
                                                logger: logger))
        }
    }

    public func learner(id: String) async throws -> Learner? {
        try await run {
            try await fetchLearner(client.query("SELECT id, display_name, created_at FROM learner WHERE id = \(id)", logger: logger))
        }
    }

    private func fetchLearner(_ rows: PostgresRowSequence) async throws -> Learner? {
        for try await (id, name, created) in rows.decode((String, String, Date).self) {
            return Learner(id: id, displayName: name, createdAt: created)
        }
        return nil
    }

    public func export(learnerID: String) async throws -> LearnerExport? {
        guard let learner = try await learner(id: learnerID) else { return nil }
        let attempts = try await attempts(learnerID: learnerID, moduleID: nil)
        var items: [LearnerExport.Attempt] = []
        for attempt in attempts {
            items.append(LearnerExport.Attempt(attempt: attempt, responses: try await responses(attemptID: attempt.id)))
        }
        return LearnerExport(learner: learner, attempts: items, attendance: try await attendance(learnerID: learnerID),
                             certificates: try await certificates(learnerID: learnerID),
                             signOffs: try await signOffs(learnerID: learnerID))
    }

    public func deleteLearner(id: String) async throws -> Bool {
        try await transaction(locking: ["learner:" + id]) { db in
            try await db.query("DELETE FROM web_session WHERE kind = 'learner' AND subject_id = \(id)", logger: self.logger)
            try await db.query("""
                UPDATE certificate SET learner_id = NULL, name = NULL, course_id = NULL, course_title = NULL, course_version = NULL,
                    content_hash = NULL, issued_at = NULL, valid_until = NULL, revoke_reason = NULL, reissue = false, credential = NULL,
                    renews = NULL
                WHERE learner_id = \(id)
                """, logger: self.logger)
            let deleted = try await db.query("DELETE FROM learner WHERE id = \(id) RETURNING id", logger: self.logger).collect()
            return !deleted.isEmpty
        }
    }

    // MARK: Attempts

    public func attempts(learnerID: String, moduleID: String?) async throws -> [AttemptRecord] {
        try await run { try await Self.fetchAttempts(client, logger, learnerID: learnerID, moduleID: moduleID) }
    }

    static func fetchAttempts(_ db: some PostgresQueryRunner, _ logger: Logger, learnerID: String, moduleID: String?) async throws -> [AttemptRecord] {
        let rows: PostgresRowSequence
        let columns = "id, learner_id, module_id, number, seed, module_hash, started_at, finished_at, status, score_numerator, score_denominator, passed"
        if let moduleID {
            rows = try await db.run("SELECT \(unescaped: columns) FROM attempt WHERE learner_id = \(learnerID) AND module_id = \(moduleID) ORDER BY module_id, number", logger)
        } else {
            rows = try await db.run("SELECT \(unescaped: columns) FROM attempt WHERE learner_id = \(learnerID) ORDER BY module_id, number", logger)
        }
        var attempts: [AttemptRecord] = []
        for try await (id, learner, module, number, seed, hash, started, finished, statusText, numerator, denominator, passed)
            in rows.decode((Int64, String, String, Int, Int64, String, Date, Date?, String, Int?, Int?, Bool?).self) {
            attempts.append(try attemptRecord(id: id, learner: learner, module: module, number: number, seed: seed, hash: hash,
                                              started: started, finished: finished, status: statusText, numerator: numerator,
                                              denominator: denominator, passed: passed))
        }
        return attempts
    }

    /// An attempt from its columns, however they were read (rows, or the module read's JSON);
    /// `.unreadable` for a status this version doesn't know.
    static func attemptRecord(id: Int64, learner: String, module: String, number: Int, seed: Int64, hash: String, started: Date,
                              finished: Date?, status statusText: String, numerator: Int?, denominator: Int?,
                              passed: Bool?) throws -> AttemptRecord {
        guard let status = AttemptRecord.Status(rawValue: statusText) else {
            throw RecordsError(.unreadable, "attempt \(id) has the status '\(statusText)', which this version of Groundwork doesn't know",
                               hint: "the records may come from a newer Groundwork; run that version, or restore the database from a backup")
        }
        return AttemptRecord(id: id, learnerID: learner, moduleID: module, number: number, seed: UInt64(bitPattern: seed), moduleHash: hash,
                             startedAt: started, finishedAt: finished, status: status,
                             score: numerator.flatMap { n in denominator.map { Score(n, over: $0) } }, passed: passed)
    }

    /// An answer from its columns, however they were read; `.unreadable` when its JSON isn't an answer.
    static func responseRecord(attempt: Int64, item: String, step: String, sequence: Int, json: String, numerator: Int,
                               denominator: Int, critical: Bool, answered: Date) throws -> ResponseRecord {
        ResponseRecord(attemptID: attempt, itemID: item, step: step.isEmpty ? nil : step, sequence: sequence,
                       response: try RecordCoding.response(json, what: "the answer to '\(item)' in attempt \(attempt)"),
                       score: Score(numerator, over: denominator), isCritical: critical, answeredAt: answered)
    }

    public func startAttempt(learnerID: String, moduleID: String, seed: UInt64, moduleHash: String,
                             at date: Date) async throws -> AttemptRecord {
        try await transaction(locking: ["learner:" + learnerID]) { db in
            let open = try await db.query("""
                SELECT 1 FROM attempt WHERE learner_id = \(learnerID) AND module_id = \(moduleID) AND status = 'open'
                """, logger: self.logger).collect()
            guard open.isEmpty else {
                throw RecordsError(.attemptAlreadyOpen, "an attempt at this module is already open",
                                   hint: "continue the open attempt instead of starting another")
            }
            var number = 1
            for try await next in try await db.query("""
                SELECT COALESCE(MAX(number), 0) + 1 FROM attempt WHERE learner_id = \(learnerID) AND module_id = \(moduleID)
                """, logger: self.logger).decode(Int.self) { number = next }
            var id: Int64 = 0
            for try await inserted in try await db.query("""
                INSERT INTO attempt (learner_id, module_id, number, seed, module_hash, started_at, status)
                VALUES (\(learnerID), \(moduleID), \(number), \(Int64(bitPattern: seed)), \(moduleHash), \(date), 'open') RETURNING id
                """, logger: self.logger).decode(Int64.self) { id = inserted }
            return AttemptRecord(id: id, learnerID: learnerID, moduleID: moduleID, number: number, seed: seed,
                                 moduleHash: moduleHash, startedAt: date, finishedAt: nil, status: .open, score: nil, passed: nil)
        }
    }

    public func responses(attemptID: Int64) async throws -> [ResponseRecord] {
        try await run { try await Self.fetchResponses(client, logger, attemptID: attemptID) }
    }

    static func fetchResponses(_ db: some PostgresQueryRunner, _ logger: Logger, attemptID: Int64) async throws -> [ResponseRecord] {
        var records: [ResponseRecord] = []
        let rows = try await db.run("""
            SELECT attempt_id, item_id, step, sequence, response, score_numerator, score_denominator, critical, answered_at
            FROM response WHERE attempt_id = \(attemptID) ORDER BY sequence
            """, logger)
        for try await (attempt, item, step, sequence, json, numerator, denominator, critical, answered)
            in rows.decode((Int64, String, String, Int, String, Int, Int, Bool, Date).self) {
            records.append(try responseRecord(attempt: attempt, item: item, step: step, sequence: sequence, json: json,
                                              numerator: numerator, denominator: denominator, critical: critical, answered: answered))
        }
        return records
    }

    /// The learner an attempt belongs to, and its status.
    private func attemptOwner(_ db: PostgresConnection, attemptID: Int64) async throws -> (learner: String, status: String)? {
        for try await (learner, status) in try await db.query("SELECT learner_id, status FROM attempt WHERE id = \(attemptID)",
                                                               logger: logger).decode((String, String).self) {
            return (learner, status)
        }
        return nil
    }

    private func requireOpen(_ db: PostgresConnection, attemptID: Int64) async throws {
        let owner = try await attemptOwner(db, attemptID: attemptID)
        guard owner?.status == AttemptRecord.Status.open.rawValue else {
            throw RecordsError(.attemptClosed, owner == nil ? "this attempt doesn't exist" : "this attempt is already closed",
                               hint: "start or continue the module again")
        }
    }

    /// The lock key of the learner who owns an attempt (read before the transaction).
    private func lockKey(attemptID: Int64) async throws -> String {
        var learner = "none"
        for try await id in try await client.query("SELECT learner_id FROM attempt WHERE id = \(attemptID)", logger: logger)
            .decode(String.self) { learner = id }
        return "learner:" + learner
    }

    @discardableResult
    public func record(_ response: ResponseRecord, finishing result: AttemptResult?) async throws -> ResponseRecord {
        let json = try RecordCoding.json(response.response)
        let step = response.step ?? ""
        let finish: String? = result == nil ? nil : "finished"
        // One statement, one round trip (migration v7): lock the attempt, check it is open
        // and the item unanswered, insert, and finish the attempt with its last answer.
        let sequence = try await run { () -> Int64 in
            var sequence: Int64 = -1
            let statement = RecordResponseStatement(response: response, step: step, json: json, finish: finish, result: result)
            for try await value in try await client.execute(statement, logger: logger) { sequence = value }
            return sequence
        }
        switch sequence {
        case -1:
            throw RecordsError(.attemptClosed, "this attempt doesn't exist", hint: "start or continue the module again")
        case -2:
            throw RecordsError(.attemptClosed, "this attempt is already closed", hint: "start or continue the module again")
        case -3:
            throw RecordsError(.alreadyAnswered, "this was already answered in this attempt", hint: "go on to the next question")
        case ...0:
            throw RecordsError(.storage, "the records database gave no place for the answer", hint: "try again")
        default:
            var stored = response
            stored.sequence = Int(sequence)
            return stored
        }
    }

    public func close(attemptID: Int64, result: AttemptResult?, at date: Date) async throws {
        let key = try await run { try await lockKey(attemptID: attemptID) }
        try await transaction(locking: [key]) { db in
            try await self.requireOpen(db, attemptID: attemptID)
            try await self.close(db, attemptID: attemptID, result: result, at: date)
        }
    }

    private func close(_ db: PostgresConnection, attemptID: Int64, result: AttemptResult?, at date: Date) async throws {
        let status = result == nil ? "superseded" : "finished"
        try await db.query("""
            UPDATE attempt SET status = \(status), finished_at = \(date), score_numerator = \(result?.score.numerator),
                   score_denominator = \(result?.score.denominator), passed = \(result?.passed)
            WHERE id = \(attemptID)
            """, logger: logger)
    }
}

/// Something queries can run on: the pooled client or one connection.
protocol PostgresQueryRunner: Sendable {
    func run(_ query: PostgresQuery, _ logger: Logger) async throws -> PostgresRowSequence
}

extension PostgresClient: PostgresQueryRunner {
    func run(_ query: PostgresQuery, _ logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension PostgresConnection: PostgresQueryRunner {
    func run(_ query: PostgresQuery, _ logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

/// An answer through migration v7's function, prepared once per connection.
struct RecordResponseStatement: PostgresPreparedStatement {
    static let name = "groundwork_record_response_v1"
    static let sql = "SELECT groundwork_record_response($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    static let bindingDataTypes: [PostgresDataType] = [.int8, .text, .text, .text, .int8, .int8, .bool, .timestamptz, .text,
                                                       .int8, .int8, .bool]
    typealias Row = Int64

    var response: ResponseRecord
    var step: String
    var json: String
    var finish: String?
    var result: AttemptResult?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 12)
        bindings.append(response.attemptID)
        bindings.append(response.itemID)
        bindings.append(step)
        bindings.append(json)
        bindings.append(Int64(response.score.numerator))
        bindings.append(Int64(response.score.denominator))
        bindings.append(response.isCritical)
        bindings.append(response.answeredAt)
        bindings.append(finish)
        bindings.append(result.map { Int64($0.score.numerator) })
        bindings.append(result.map { Int64($0.score.denominator) })
        bindings.append(result?.passed)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int64.self) }
}
