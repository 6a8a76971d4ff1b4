import CurriculumKit
import Foundation
import GRDB

/// The default record store: one SQLite file in WAL mode, through GRDB.
///
/// - Every write is one `BEGIN IMMEDIATE` transaction committed with `synchronous = FULL`,
///   so once a method returns its write survives the process being killed (and a power cut).
/// - Several processes may write the same file: each waits up to 10 seconds for the others.
/// - `secure_delete` is on, so a deleted learner's rows are overwritten, not left in free pages.
public final class SQLiteRecordStore: RecordStore {
    /// The underlying GRDB pool (one writer, several readers), for maintenance tools and
    /// benchmarks; everything else goes through the ``RecordStore`` methods.
    public let pool: DatabasePool
    /// The database file.
    public let path: String

    /// Opens (creating when missing) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        self.path = path
        do {
            pool = try DatabasePool(path: path, configuration: Self.configuration())
            try Self.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw RecordsError(.storage, "can't open the records database \(path): \(error.message ?? error.description)",
                               hint: "check that the data folder is writable and the file is a Groundwork database")
        }
    }

    /// The connection settings every Groundwork database uses (the benchmark's raw baseline
    /// uses the same pragmas).
    public static let pragmas = [
        "PRAGMA synchronous = FULL",
        "PRAGMA secure_delete = ON",
    ]

    static func configuration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            for pragma in SQLiteRecordStore.pragmas { try db.execute(sql: pragma) }
        }
        return config
    }

    /// Schema versions. Never edit a shipped migration; add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: learners, attempts, responses") { db in
            try db.execute(sql: """
                CREATE TABLE learner (
                    id TEXT PRIMARY KEY NOT NULL,
                    display_name TEXT NOT NULL,
                    code_digest TEXT NOT NULL UNIQUE,
                    created_at DATETIME NOT NULL
                );
                CREATE TABLE attempt (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    learner_id TEXT NOT NULL REFERENCES learner(id) ON DELETE CASCADE,
                    module_id TEXT NOT NULL,
                    number INTEGER NOT NULL,
                    seed INTEGER NOT NULL,
                    module_hash TEXT NOT NULL,
                    started_at DATETIME NOT NULL,
                    finished_at DATETIME,
                    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finished', 'superseded')),
                    score_numerator INTEGER,
                    score_denominator INTEGER,
                    passed BOOLEAN,
                    UNIQUE (learner_id, module_id, number)
                );
                CREATE UNIQUE INDEX attempt_one_open ON attempt(learner_id, module_id) WHERE status = 'open';
                CREATE TABLE response (
                    attempt_id INTEGER NOT NULL REFERENCES attempt(id) ON DELETE CASCADE,
                    item_id TEXT NOT NULL,
                    step TEXT NOT NULL DEFAULT '',
                    sequence INTEGER NOT NULL,
                    response TEXT NOT NULL,
                    score_numerator INTEGER NOT NULL,
                    score_denominator INTEGER NOT NULL,
                    critical BOOLEAN NOT NULL,
                    answered_at DATETIME NOT NULL,
                    PRIMARY KEY (attempt_id, item_id, step),
                    UNIQUE (attempt_id, sequence)
                );
                """)
        }
        return migrator
    }

    // MARK: Learners

    public func createLearner(_ learner: Learner, codeDigest: String) async throws {
        try await write { db in
            try db.execute(sql: "INSERT INTO learner (id, display_name, code_digest, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [learner.id, learner.displayName, codeDigest, learner.createdAt])
        }
    }

    public func learner(codeDigest: String) async throws -> Learner? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM learner WHERE code_digest = ?"), arguments: [codeDigest]).map(Self.learner)
        }
    }

    public func learner(id: String) async throws -> Learner? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM learner WHERE id = ?"), arguments: [id]).map(Self.learner)
        }
    }

    // MARK: Attempts

    public func attempts(learnerID: String, moduleID: String?) async throws -> [AttemptRecord] {
        try await read { db in
            try Self.fetchAttempts(db, learnerID: learnerID, moduleID: moduleID)
        }
    }

    public func startAttempt(learnerID: String, moduleID: String, seed: UInt64, moduleHash: String,
                             at date: Date) async throws -> AttemptRecord {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM attempt WHERE learner_id = ? AND module_id = ? AND status = 'open'",
                                 arguments: [learnerID, moduleID]) == true {
                throw RecordsError(.attemptClosed, "an attempt at this module is already open",
                                   hint: "continue the open attempt instead of starting another")
            }
            let number = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM attempt WHERE learner_id = ? AND module_id = ?",
                                          arguments: [learnerID, moduleID]) ?? 1
            try db.execute(sql: """
                INSERT INTO attempt (learner_id, module_id, number, seed, module_hash, started_at, status)
                VALUES (?, ?, ?, ?, ?, ?, 'open')
                """, arguments: [learnerID, moduleID, number, Int64(bitPattern: seed), moduleHash, date])
            return AttemptRecord(id: db.lastInsertedRowID, learnerID: learnerID, moduleID: moduleID, number: number,
                                 seed: seed, moduleHash: moduleHash, startedAt: date, finishedAt: nil,
                                 status: .open, score: nil, passed: nil)
        }
    }

    public func responses(attemptID: Int64) async throws -> [ResponseRecord] {
        try await read { db in try Self.fetchResponses(db, attemptID: attemptID) }
    }

    @discardableResult
    public func record(_ response: ResponseRecord, finishing result: AttemptResult?) async throws -> ResponseRecord {
        try await write { db in
            try Self.requireOpen(db, attemptID: response.attemptID)
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM response WHERE attempt_id = ? AND item_id = ? AND step = ?"),
                                 arguments: [response.attemptID, response.itemID, response.step ?? ""]) == true {
                throw RecordsError(.alreadyAnswered, "this was already answered in this attempt",
                                   hint: "go on to the next question")
            }
            var stored = response
            stored.sequence = try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence), 0) + 1 FROM response WHERE attempt_id = ?"),
                                               arguments: [response.attemptID]) ?? 1
            try Self.insert(db, stored)
            if let result {
                try Self.close(db, attemptID: response.attemptID, result: result, at: response.answeredAt)
            }
            return stored
        }
    }

    public func close(attemptID: Int64, result: AttemptResult?, at date: Date) async throws {
        try await write { db in
            try Self.requireOpen(db, attemptID: attemptID)
            try Self.close(db, attemptID: attemptID, result: result, at: date)
        }
    }

    /// One read transaction for everything a module page shows.
    public func moduleRecords(learnerID: String, moduleID: String) async throws -> ModuleRecords? {
        try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM learner WHERE id = ?"), arguments: [learnerID]) else {
                return nil
            }
            let attempts = try Self.fetchAttempts(db, learnerID: learnerID, moduleID: moduleID)
            let open = attempts.first { $0.status == .open }
            let responses = try open.map { try Self.fetchResponses(db, attemptID: $0.id) } ?? []
            return ModuleRecords(learner: Self.learner(row), attempts: attempts, openResponses: responses)
        }
    }

    // MARK: Privacy

    public func export(learnerID: String) async throws -> LearnerExport? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM learner WHERE id = ?", arguments: [learnerID]) else {
                return nil
            }
            let attempts = try Self.fetchAttempts(db, learnerID: learnerID, moduleID: nil)
            let items = try attempts.map { attempt in
                LearnerExport.Attempt(attempt: attempt, responses: try Self.fetchResponses(db, attemptID: attempt.id))
            }
            return LearnerExport(learner: Self.learner(row), attempts: items)
        }
    }

    public func deleteLearner(id: String) async throws -> Bool {
        let deleted = try await write { db in
            try db.execute(sql: "DELETE FROM learner WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
        // Move the deleted pages out of the write-ahead log too.
        try? await pool.writeWithoutTransaction { db in
            _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return deleted
    }

    // MARK: Helpers

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError {
            throw Self.storageError(error)
        }
    }

    /// Reads run synchronously on the calling thread: in WAL mode a read never waits for the
    /// writer, and skipping the hop to GRDB's reader queue halves a page's latency.
    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try readNow(body)
        } catch let error as DatabaseError {
            throw Self.storageError(error)
        }
    }

    private func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    static func storageError(_ error: DatabaseError) -> RecordsError {
        RecordsError(.storage, "the records database refused a change: \(error.message ?? error.description)",
                     hint: "nothing was saved for this step; try again, and if it keeps happening check the data folder's disk space and permissions")
    }

    private static func requireOpen(_ db: Database, attemptID: Int64) throws {
        let status = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM attempt WHERE id = ?"), arguments: [attemptID])
        guard status == AttemptRecord.Status.open.rawValue else {
            throw RecordsError(.attemptClosed, status == nil ? "this attempt doesn't exist" : "this attempt is already closed",
                               hint: "start or continue the module again")
        }
    }

    private static func close(_ db: Database, attemptID: Int64, result: AttemptResult?, at date: Date) throws {
        try db.execute(sql: """
            UPDATE attempt SET status = ?, finished_at = ?, score_numerator = ?, score_denominator = ?, passed = ?
            WHERE id = ?
            """, arguments: [result == nil ? "superseded" : "finished", date,
                             result?.score.numerator, result?.score.denominator, result?.passed, attemptID])
    }

    static func insert(_ db: Database, _ response: ResponseRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO response (attempt_id, item_id, step, sequence, response, score_numerator, score_denominator, critical, answered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [response.attemptID, response.itemID, response.step ?? "", response.sequence,
                                     StoredResponse.json(response.response), response.score.numerator,
                                     response.score.denominator, response.isCritical, response.answeredAt])
    }

    private static func learner(_ row: Row) -> Learner {
        Learner(id: row["id"], displayName: row["display_name"], createdAt: row["created_at"])
    }

    private static func fetchAttempts(_ db: Database, learnerID: String, moduleID: String?) throws -> [AttemptRecord] {
        var sql = "SELECT * FROM attempt WHERE learner_id = ?"
        var arguments: StatementArguments = [learnerID]
        if let moduleID {
            sql += " AND module_id = ?"
            arguments += [moduleID]
        }
        sql += " ORDER BY module_id, number"
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
            let numerator: Int? = row["score_numerator"]
            let denominator: Int? = row["score_denominator"]
            let seed: Int64 = row["seed"]
            let status: String = row["status"]
            return AttemptRecord(
                id: row["id"], learnerID: row["learner_id"], moduleID: row["module_id"], number: row["number"],
                seed: UInt64(bitPattern: seed), moduleHash: row["module_hash"], startedAt: row["started_at"],
                finishedAt: row["finished_at"], status: AttemptRecord.Status(rawValue: status) ?? .superseded,
                score: numerator.flatMap { n in denominator.map { Score(n, over: $0) } }, passed: row["passed"])
        }
    }

    private static func fetchResponses(_ db: Database, attemptID: Int64) throws -> [ResponseRecord] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM response WHERE attempt_id = ? ORDER BY sequence"), arguments: [attemptID])
            .compactMap { row in
                let json: String = row["response"]
                guard let response = StoredResponse.response(fromJSON: json) else { return nil }
                let step: String = row["step"]
                return ResponseRecord(
                    attemptID: row["attempt_id"], itemID: row["item_id"], step: step.isEmpty ? nil : step,
                    sequence: row["sequence"], response: response,
                    score: Score(row["score_numerator"], over: row["score_denominator"]),
                    isCritical: row["critical"], answeredAt: row["answered_at"])
            }
    }
}
