import CurriculumKit
import Foundation
import GRDB
import Runtime

/// The default store: one SQLite file in WAL mode, through GRDB, or a database in memory.
///
/// - Every write is one `BEGIN IMMEDIATE` transaction committed with `synchronous = FULL`,
///   so once a method returns its write survives the process being killed (and a power cut).
/// - Several processes may write the same file: each waits up to 10 seconds for the others.
/// - `secure_delete` is on, so a deleted learner's rows are overwritten, not left in free
///   pages, and the write-ahead log is checkpointed after a delete.
/// - The file (and so its `-wal` and `-shm` files) is readable by its owner only.
public final class SQLiteStore: RecordStore {
    /// The underlying GRDB database (a pool on a file, a queue in memory), for maintenance
    /// tools, tests and benchmarks; everything else goes through the store protocols.
    public let database: any DatabaseWriter
    /// The database file, or ":memory:".
    public let path: String

    /// Opens (creating when missing, owner-only) the database at `path` and brings its
    /// schema up to date.
    public init(path: String) throws {
        self.path = path
        do {
            try Self.createPrivately(path)
            database = try DatabasePool(path: path, configuration: Self.configuration())
            try Self.migrator.migrate(database)
        } catch let error as DatabaseError {
            throw RecordsError(.storage, "can't open the records database \(path): \(error.message ?? error.description)",
                               hint: "check that the data folder is writable and the file is a Groundwork database")
        }
    }

    /// A store in memory, for tests: the same schema and rules, nothing on disk.
    public init(inMemory: Void = ()) throws {
        path = ":memory:"
        do {
            database = try DatabaseQueue(configuration: Self.configuration())
            try Self.migrator.migrate(database)
        } catch let error as DatabaseError {
            throw RecordsError(.storage, "can't make a database in memory: \(error.message ?? error.description)")
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
            for pragma in SQLiteStore.pragmas { try db.execute(sql: pragma) }
        }
        return config
    }

    /// Creates the file owner-only before SQLite does (SQLite gives `-wal` and `-shm` the
    /// database's permissions), and narrows an existing file that others could read.
    private static func createPrivately(_ path: String) throws {
        let files = FileManager.default
        if !files.fileExists(atPath: path) {
            guard files.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw RecordsError(.storage, "can't create the records database \(path)",
                                   hint: "check that the data folder is writable")
            }
            return
        }
        for file in [path, path + "-wal", path + "-shm"] where files.fileExists(atPath: file) {
            let mode = (try? files.attributesOfItem(atPath: file)[.posixPermissions] as? Int) ?? 0
            if mode & 0o077 != 0 { chmod(file, 0o600) }
        }
    }

    /// Schema versions. Never edit a shipped migration; add a new one.
    public static var migrator: DatabaseMigrator {
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
        migrator.registerMigration("v2: staff, sign-in links, audit log, web sessions") { db in
            try db.execute(sql: """
                CREATE TABLE staff (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    roles TEXT NOT NULL,
                    password_hash TEXT,
                    totp_secret TEXT,
                    created_at DATETIME NOT NULL
                );
                CREATE TABLE staff_token (
                    digest TEXT PRIMARY KEY NOT NULL,
                    staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
                    expires_at DATETIME NOT NULL
                );
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at DATETIME NOT NULL,
                    actor_id TEXT,
                    actor_name TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT NOT NULL
                );
                CREATE TABLE web_session (
                    digest TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('learner', 'staff')),
                    subject_id TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    last_seen DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL,
                    verified BOOLEAN NOT NULL,
                    flash BLOB
                );
                CREATE INDEX web_session_subject ON web_session(kind, subject_id);
                """)
        }
        migrator.registerMigration("v3: group sessions, participants, poll answers, attendance") { db in
            try db.execute(sql: """
                CREATE TABLE group_session (
                    id TEXT PRIMARY KEY NOT NULL,
                    code TEXT NOT NULL,
                    facilitator_id TEXT NOT NULL,
                    module_ids TEXT NOT NULL,
                    slide INTEGER NOT NULL,
                    step TEXT,
                    revealed BOOLEAN NOT NULL,
                    blanked BOOLEAN NOT NULL,
                    show_nicknames BOOLEAN NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('open', 'ended')),
                    opened_at DATETIME NOT NULL,
                    last_activity_at DATETIME NOT NULL,
                    ended_at DATETIME,
                    version INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX group_session_open_code ON group_session(code) WHERE status = 'open';
                CREATE INDEX group_session_facilitator ON group_session(facilitator_id, opened_at);
                CREATE TABLE participant (
                    id TEXT PRIMARY KEY NOT NULL,
                    session_id TEXT NOT NULL REFERENCES group_session(id) ON DELETE CASCADE,
                    token_digest TEXT NOT NULL UNIQUE,
                    nickname TEXT,
                    learner_id TEXT REFERENCES learner(id) ON DELETE SET NULL,
                    joined_at DATETIME NOT NULL
                );
                CREATE INDEX participant_session ON participant(session_id);
                CREATE TABLE poll_answer (
                    session_id TEXT NOT NULL REFERENCES group_session(id) ON DELETE CASCADE,
                    poll_key TEXT NOT NULL,
                    participant_id TEXT NOT NULL REFERENCES participant(id) ON DELETE CASCADE,
                    response TEXT NOT NULL,
                    answered_at DATETIME NOT NULL,
                    PRIMARY KEY (session_id, poll_key, participant_id)
                );
                CREATE TABLE poll_count (
                    session_id TEXT NOT NULL REFERENCES group_session(id) ON DELETE CASCADE,
                    poll_key TEXT NOT NULL,
                    response TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (session_id, poll_key, response)
                );
                CREATE TABLE attendance (
                    learner_id TEXT NOT NULL REFERENCES learner(id) ON DELETE CASCADE,
                    session_id TEXT NOT NULL,
                    module_ids TEXT NOT NULL,
                    attended_at DATETIME NOT NULL,
                    recorded_by TEXT NOT NULL,
                    by_hand BOOLEAN NOT NULL,
                    PRIMARY KEY (learner_id, session_id)
                );
                """)
        }
        migrator.registerMigration("v4: cohorts, adjustments, certificates, the issuer key") { db in
            try db.execute(sql: """
                CREATE TABLE cohort (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    join_key TEXT NOT NULL UNIQUE,
                    created_at DATETIME NOT NULL
                );
                CREATE UNIQUE INDEX cohort_name ON cohort(lower(name));
                CREATE TABLE cohort_member (
                    learner_id TEXT PRIMARY KEY NOT NULL REFERENCES learner(id) ON DELETE CASCADE,
                    cohort_id TEXT NOT NULL REFERENCES cohort(id) ON DELETE CASCADE
                );
                CREATE INDEX cohort_member_cohort ON cohort_member(cohort_id);
                CREATE TABLE module_adjustment (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    learner_id TEXT NOT NULL REFERENCES learner(id) ON DELETE CASCADE,
                    module_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    at DATETIME NOT NULL,
                    recorded_by TEXT NOT NULL,
                    reason TEXT NOT NULL
                );
                CREATE INDEX module_adjustment_learner ON module_adjustment(learner_id);
                CREATE TABLE certificate (
                    id TEXT PRIMARY KEY NOT NULL,
                    code TEXT NOT NULL UNIQUE,
                    learner_id TEXT REFERENCES learner(id) ON DELETE SET NULL,
                    name TEXT,
                    course_id TEXT,
                    course_title TEXT,
                    course_version TEXT,
                    content_hash TEXT,
                    issued_at DATETIME,
                    valid_until DATETIME,
                    status_index INTEGER NOT NULL UNIQUE,
                    revoked_at DATETIME,
                    revoke_reason TEXT,
                    credential TEXT,
                    renews TEXT
                );
                CREATE INDEX certificate_learner ON certificate(learner_id);
                CREATE INDEX certificate_valid_until ON certificate(valid_until);
                CREATE TABLE issuer_key (
                    name TEXT PRIMARY KEY NOT NULL,
                    pem TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v5: a revoked certificate may let its learner claim again") { db in
            try db.execute(sql: "ALTER TABLE certificate ADD COLUMN reissue BOOLEAN NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v6: failed tries for rate limits") { db in
            try db.execute(sql: """
                CREATE TABLE rate_failure (scope TEXT NOT NULL, key TEXT NOT NULL, at DATETIME NOT NULL);
                CREATE INDEX rate_failure_key ON rate_failure(scope, key, at);
                CREATE INDEX rate_failure_scope ON rate_failure(scope, at);
                """)
        }
        migrator.registerMigration("v7: practical skill sign-offs") { db in
            try db.execute(sql: """
                CREATE TABLE practical_sign_off (
                    learner_id TEXT NOT NULL REFERENCES learner(id) ON DELETE CASCADE,
                    practical_id TEXT NOT NULL,
                    signed_by TEXT NOT NULL,
                    signer_name TEXT NOT NULL,
                    session_id TEXT,
                    reason TEXT,
                    signed_at DATETIME NOT NULL,
                    PRIMARY KEY (learner_id, practical_id)
                );
                """)
        }
        return migrator
    }

    // MARK: Learners

    public func createLearner(_ learner: Learner, codeDigest: String) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM learner WHERE code_digest = ? OR id = ?",
                                 arguments: [codeDigest, learner.id]) == true {
                throw RecordsError(.duplicate, "a learner with this resume code already exists", hint: "make a new code")
            }
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

    public func export(learnerID: String) async throws -> LearnerExport? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM learner WHERE id = ?", arguments: [learnerID]) else {
                return nil
            }
            let attempts = try Self.fetchAttempts(db, learnerID: learnerID, moduleID: nil)
            let items = try attempts.map { attempt in
                LearnerExport.Attempt(attempt: attempt, responses: try Self.fetchResponses(db, attemptID: attempt.id))
            }
            return LearnerExport(learner: Self.learner(row), attempts: items,
                                 attendance: try Self.fetchAttendance(db, learnerID: learnerID),
                                 certificates: try Self.fetchCertificates(db, learnerID: learnerID),
                                 signOffs: try Self.fetchSignOffs(db, learnerID: learnerID))
        }
    }

    public func deleteLearner(id: String) async throws -> Bool {
        let deleted = try await write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE kind = 'learner' AND subject_id = ?", arguments: [id])
            try db.execute(sql: Self.scrubCertificates, arguments: [id])
            try db.execute(sql: "DELETE FROM learner WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
        if deleted { try await checkpoint() }
        return deleted
    }

    /// Moves every page out of the write-ahead log into the database file and empties the
    /// log, so a deleted learner's old pages don't linger there. Fails, saying so, when
    /// another connection keeps SQLite from finishing (the delete itself stands).
    func checkpoint() async throws {
        guard path != ":memory:" else { return }
        let (busy, log, done): (Int, Int, Int)
        do {
            (busy, log, done) = try await database.writeWithoutTransaction { db in
                let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                return (row?[0] ?? 1, row?[1] ?? -1, row?[2] ?? -1)
            }
        } catch let error as DatabaseError {
            throw RecordsError(.storage, "the learner was deleted, but the write-ahead log couldn't be cleared: \(error.message ?? error.description)",
                               hint: "old copies of the deleted records stay in \(path)-wal until the next checkpoint; stop every other Groundwork process using this data folder, then run any groundwork command on it")
        }
        guard busy == 0, log == done else {
            throw RecordsError(.storage, "the learner was deleted, but another process is reading the records, so the write-ahead log still holds old copies of them",
                               hint: "stop every other Groundwork process using this data folder (a running server, for one); the next command that opens it clears the log")
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
                throw RecordsError(.attemptAlreadyOpen, "an attempt at this module is already open",
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
        let json = try RecordCoding.json(response.response)
        return try await write { db in
            try Self.requireOpen(db, attemptID: response.attemptID)
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM response WHERE attempt_id = ? AND item_id = ? AND step = ?"),
                                 arguments: [response.attemptID, response.itemID, response.step ?? ""]) == true {
                throw RecordsError(.alreadyAnswered, "this was already answered in this attempt",
                                   hint: "go on to the next question")
            }
            var stored = response
            stored.sequence = try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence), 0) + 1 FROM response WHERE attempt_id = ?"),
                                               arguments: [response.attemptID]) ?? 1
            try db.cachedStatement(sql: """
                INSERT INTO response (attempt_id, item_id, step, sequence, response, score_numerator, score_denominator, critical, answered_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [stored.attemptID, stored.itemID, stored.step ?? "", stored.sequence, json,
                                         stored.score.numerator, stored.score.denominator, stored.isCritical, stored.answeredAt])
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
            let adjustments = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM module_adjustment WHERE learner_id = ? AND module_id = ? ORDER BY id"),
                                               arguments: [learnerID, moduleID]).compactMap(Self.adjustment)
            return ModuleRecords(learner: Self.learner(row), attempts: attempts, openResponses: responses, adjustments: adjustments,
                                 certificates: try Self.fetchCertificates(db, learnerID: learnerID))
        }
    }

    // MARK: Helpers

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.write(body)
        } catch let error as DatabaseError {
            throw Self.storageError(error)
        }
    }

    /// Reads run synchronously on the calling thread: in WAL mode a read never waits for the
    /// writer, and skipping the hop to GRDB's reader queue halves a page's latency.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try readNow(body)
        } catch let error as DatabaseError {
            throw Self.storageError(error)
        }
    }

    private func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        try database.read(body)
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

    static func learner(_ row: Row) -> Learner {
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
            let statusText: String = row["status"]
            guard let status = AttemptRecord.Status(rawValue: statusText) else {
                let id: Int64 = row["id"]
                throw RecordsError(.unreadable, "attempt \(id) has the status '\(statusText)', which this version of Groundwork doesn't know",
                                   hint: "the records may come from a newer Groundwork; run that version, or restore the data folder from a backup")
            }
            return AttemptRecord(
                id: row["id"], learnerID: row["learner_id"], moduleID: row["module_id"], number: row["number"],
                seed: UInt64(bitPattern: seed), moduleHash: row["module_hash"], startedAt: row["started_at"],
                finishedAt: row["finished_at"], status: status,
                score: numerator.flatMap { n in denominator.map { Score(n, over: $0) } }, passed: row["passed"])
        }
    }

    private static func fetchResponses(_ db: Database, attemptID: Int64) throws -> [ResponseRecord] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM response WHERE attempt_id = ? ORDER BY sequence"), arguments: [attemptID])
            .map { row in
                let json: String = row["response"]
                let item: String = row["item_id"]
                let response: Response
                do {
                    response = try JSONDecoder().decode(Response.self, from: Data(json.utf8))
                } catch {
                    throw RecordsError(.unreadable, "the answer to '\(item)' in attempt \(attemptID) can't be read back (\(json.prefix(80)))",
                                       hint: "the records may be damaged or come from a newer Groundwork; restore the data folder from a backup, or ask a coordinator to grant a new attempt")
                }
                let step: String = row["step"]
                return ResponseRecord(
                    attemptID: row["attempt_id"], itemID: item, step: step.isEmpty ? nil : step,
                    sequence: row["sequence"], response: response,
                    score: Score(row["score_numerator"], over: row["score_denominator"]),
                    isCritical: row["critical"], answeredAt: row["answered_at"])
            }
    }
}
