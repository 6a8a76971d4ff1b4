import CurriculumKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Runtime

/// The PostgreSQL store, for networks that run several servers on one database. It keeps
/// the same rules as the SQLite store (the contract suite runs against both). Writes that
/// check before they change take a transaction-scoped advisory lock on what they touch (a
/// learner, a group session, the staff list), so they are as serial as SQLite's one writer,
/// and unique indexes back every rule up.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    /// A few connections of their own for live group sessions: listening for other servers,
    /// telling them of changes, and the projectors' reads. A room of 2,000 answering at once
    /// queues on ``client``; the screens showing the count needn't wait in that queue.
    let liveClient: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>

    /// Connections in the main pool, and in the live one (one of which listens).
    static let connections = (main: 16, live: 6)

    /// What `connect` needs, read from a `postgresql://user:password@host:port/database` URL.
    public struct Address: Sendable, Equatable, CustomStringConvertible {
        /// The server's host name or address.
        public var host: String
        /// Its port.
        public var port: Int
        /// The user to connect as.
        public var username: String
        /// Their password, if any.
        public var password: String?
        /// The database.
        public var database: String
        /// A schema to keep the tables in (the tests use one each); nil for the default.
        public var schema: String?

        /// Reads a URL; `.badInput` with what's wrong when it can't be used.
        public init(url text: String) throws {
            guard let url = URLComponents(string: text), ["postgresql", "postgres"].contains(url.scheme ?? ""),
                  let host = url.host, !host.isEmpty else {
                throw RecordsError(.storage, "'\(Self.redacted(text))' is not a PostgreSQL address",
                                   hint: "write it as postgresql://USER:PASSWORD@HOST:5432/DATABASE")
            }
            let database = String(url.path.drop { $0 == "/" })
            guard !database.isEmpty else {
                throw RecordsError(.storage, "the PostgreSQL address names no database", hint: "end it with /DATABASE")
            }
            self.host = host
            self.port = url.port ?? 5432
            self.username = url.user ?? "postgres"
            self.password = url.password
            self.database = database
            self.schema = url.queryItems?.first { $0.name == "schema" }?.value
        }

        /// The address without its password, for messages.
        public var description: String {
            "postgresql://\(username)@\(host):\(port)/\(database)" + (schema.map { "?schema=\($0)" } ?? "")
        }

        static func redacted(_ text: String) -> String {
            guard var url = URLComponents(string: text), url.password != nil else { return text }
            url.password = "…"
            return url.string ?? "the address"
        }
    }

    private init(client: PostgresClient, liveClient: PostgresClient, logger: Logger) {
        self.client = client
        self.liveClient = liveClient
        self.logger = logger
        running = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await client.run() }
                group.addTask { await liveClient.run() }
            }
        }
    }

    /// Connects, checks the server answers, and brings the schema up to date. An unreachable
    /// server is a `.storage` error that says where it looked.
    public static func connect(_ address: Address, logger: Logger = Logger(label: "groundwork.postgres")) async throws -> PostgresStore {
        var configuration = PostgresClient.Configuration(host: address.host, port: address.port, username: address.username,
                                                         password: address.password, database: address.database, tls: .disable)
        if let schema = address.schema {
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        configuration.options.maximumConnections = Self.connections.main
        var liveConfiguration = configuration
        liveConfiguration.options.maximumConnections = Self.connections.live
        liveConfiguration.options.minimumConnections = 0
        // One plain connection first: an unreachable server or a refused password is said
        // at once, in the server's words, instead of after the pool's retries.
        do {
            var probe = PostgresConnection.Configuration(host: address.host, port: address.port, username: address.username,
                                                         password: address.password, database: address.database, tls: .disable)
            probe.options.connectTimeout = .seconds(5)
            let connection = try await PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: probe,
                                                                  id: 0, logger: logger).get()
            try await connection.close()
        } catch {
            throw RecordsError(.storage, "can't connect to the PostgreSQL database at \(address): \(Self.describe(error))",
                               hint: "check that PostgreSQL is running and that the address, user and password are right")
        }
        let store = PostgresStore(client: PostgresClient(configuration: configuration),
                                  liveClient: PostgresClient(configuration: liveConfiguration), logger: logger)
        do {
            try await store.migrate(schema: address.schema)
        } catch {
            store.close()
            throw RecordsError(.storage, "can't bring the PostgreSQL database at \(address) up to date: \(Self.describe(error))",
                               hint: Self.migrationHint(error, address: address))
        }
        return store
    }

    /// Closes the connections.
    public func close() {
        running.cancel()
    }

    deinit { running.cancel() }

    /// A schema name as an identifier: letters, digits and underscores only.
    static func identifier(_ name: String) -> String {
        "\"" + name.filter { $0.isLetter || $0.isNumber || $0 == "_" } + "\""
    }

    /// What to do when the schema couldn't be brought up to date, from PostgreSQL's error
    /// code: the server was reached, so the address is not the problem.
    static func migrationHint(_ error: any Error, address: Address) -> String {
        let undone = "each migration is one transaction, so nothing half-done was kept"
        switch sqlState(error) {
        case "42501":  // insufficient_privilege
            let grant = address.schema.map { "GRANT CREATE ON DATABASE \(address.database) TO \(address.username) (for the schema \($0))" }
                ?? "GRANT CREATE ON SCHEMA public TO \(address.username) (connected to \(address.database))"
            return "the user \(address.username) may not create Groundwork's tables; as the database's owner run \(grant), "
                + "or give Groundwork a database it owns (docs/operations.md); \(undone)"
        case "53100", "53200":  // disk_full, out_of_memory
            return "the database server is out of disk space or memory; free some, then start again (\(undone))"
        case let code? where code.hasPrefix("08") || code.hasPrefix("57"):  // connection lost, server shutting down
            return "PostgreSQL went away while the schema was brought up to date; start it and try again (\(undone))"
        default:
            return "fix what PostgreSQL said, then start again (\(undone)); docs/operations.md says how upgrades run"
        }
    }

    /// PostgreSQL's five-character SQLSTATE for an error, when it sent one.
    static func sqlState(_ error: any Error) -> String? {
        if let error = error as? PostgresTransactionError {
            return (error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError).flatMap(sqlState)
        }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            guard let cause = error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError else {
                return "a transaction failed"
            }
            return describe(cause)
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return describe(underlying) }
            return "\(error.code)"
        }
        if let error = error as? IOError { return error.description }
        return "\(error)"
    }

    // MARK: Running queries

    /// Runs `body`, turning database errors into `.storage` ones (records errors pass through).
    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RecordsError {
            throw error
        } catch let error as PostgresTransactionError where error.closureError is RecordsError {
            // A rule the transaction refused (it was rolled back): the rule's own error.
            throw error.closureError ?? error
        } catch {
            throw RecordsError(.storage, "the records database refused a change: \(Self.describe(error))",
                               hint: "nothing was saved for this step; try again, and if it keeps happening check the database")
        }
    }

    /// A transaction holding an advisory lock on each of `keys` until it ends.
    func transaction<T: Sendable>(locking keys: [String], _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await run {
            try await client.withTransaction(logger: logger) { connection in
                for key in keys.sorted() {
                    try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(key)))", logger: logger)
                }
                return try await body(connection)
            }
        }
    }

    /// Whether an error is a unique-constraint violation.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }

    // MARK: Schema

    /// Schema versions. Never edit a shipped migration; add a new one.
    static let migrations: [(name: String, sql: [String])] = [
        ("v1: learners, attempts, staff, sessions, group sessions, attendance", [
            """
            CREATE TABLE learner (
                id TEXT PRIMARY KEY, display_name TEXT NOT NULL, code_digest TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL)
            """,
            """
            CREATE TABLE attempt (
                id BIGSERIAL PRIMARY KEY,
                learner_id TEXT NOT NULL REFERENCES learner(id) ON DELETE CASCADE,
                module_id TEXT NOT NULL, number INTEGER NOT NULL, seed BIGINT NOT NULL, module_hash TEXT NOT NULL,
                started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ,
                status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finished', 'superseded')),
                score_numerator INTEGER, score_denominator INTEGER, passed BOOLEAN,
                UNIQUE (learner_id, module_id, number))
            """,
            "CREATE UNIQUE INDEX attempt_one_open ON attempt(learner_id, module_id) WHERE status = 'open'",
            """
            CREATE TABLE response (
                attempt_id BIGINT NOT NULL REFERENCES attempt(id) ON DELETE CASCADE,
                item_id TEXT NOT NULL, step TEXT NOT NULL DEFAULT '', sequence INTEGER NOT NULL, response TEXT NOT NULL,
                score_numerator INTEGER NOT NULL, score_denominator INTEGER NOT NULL, critical BOOLEAN NOT NULL,
                answered_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (attempt_id, item_id, step), UNIQUE (attempt_id, sequence))
            """,
            """
            CREATE TABLE staff (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, roles TEXT NOT NULL, password_hash TEXT, totp_secret TEXT,
                created_at TIMESTAMPTZ NOT NULL)
            """,
            "CREATE UNIQUE INDEX staff_name ON staff (lower(name))",
            """
            CREATE TABLE staff_token (
                digest TEXT PRIMARY KEY, staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE, expires_at TIMESTAMPTZ NOT NULL)
            """,
            """
            CREATE TABLE audit (
                id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, actor_id TEXT, actor_name TEXT NOT NULL, action TEXT NOT NULL,
                detail TEXT NOT NULL)
            """,
            """
            CREATE TABLE web_session (
                digest TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('learner', 'staff')), subject_id TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL, last_seen TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL,
                verified BOOLEAN NOT NULL, flash BYTEA)
            """,
            "CREATE INDEX web_session_subject ON web_session(kind, subject_id)",
            """
            CREATE TABLE group_session (
                id TEXT PRIMARY KEY, code TEXT NOT NULL, facilitator_id TEXT NOT NULL, module_ids TEXT NOT NULL,
                slide INTEGER NOT NULL, step TEXT, revealed BOOLEAN NOT NULL, blanked BOOLEAN NOT NULL,
                show_nicknames BOOLEAN NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'ended')),
                opened_at TIMESTAMPTZ NOT NULL, last_activity_at TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ,
                version INTEGER NOT NULL)
            """,
            "CREATE UNIQUE INDEX group_session_open_code ON group_session(code) WHERE status = 'open'",
            "CREATE INDEX group_session_facilitator ON group_session(facilitator_id, opened_at)",
            """
            CREATE TABLE participant (
                id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES group_session(id) ON DELETE CASCADE,
                token_digest TEXT NOT NULL UNIQUE, nickname TEXT,
                learner_id TEXT REFERENCES learner(id) ON DELETE SET NULL, joined_at TIMESTAMPTZ NOT NULL)
            """,
            "CREATE INDEX participant_session ON participant(session_id)",
            """
            CREATE TABLE poll_answer (
                session_id TEXT NOT NULL REFERENCES group_session(id) ON DELETE CASCADE, poll_key TEXT NOT NULL,
                participant_id TEXT NOT NULL REFERENCES participant(id) ON DELETE CASCADE, response TEXT NOT NULL,
                answered_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (session_id, poll_key, participant_id))
            """,
            """
            CREATE TABLE poll_count (
                session_id TEXT NOT NULL REFERENCES group_session(id) ON DELETE CASCADE, poll_key TEXT NOT NULL,
                response TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (session_id, poll_key, response))
            """,
            """
            CREATE TABLE attendance (
                learner_id TEXT NOT NULL REFERENCES learner(id) ON DELETE CASCADE, session_id TEXT NOT NULL,
                module_ids TEXT NOT NULL, attended_at TIMESTAMPTZ NOT NULL, recorded_by TEXT NOT NULL, by_hand BOOLEAN NOT NULL,
                PRIMARY KEY (learner_id, session_id))
            """,
        ]),
        ("v2: the installation's secret", [
            "CREATE TABLE groundwork_secret (name TEXT PRIMARY KEY, value BYTEA NOT NULL)",
        ]),
        ("v3: cohorts, adjustments, certificates, the issuer key", [
            "CREATE TABLE cohort (id TEXT PRIMARY KEY, name TEXT NOT NULL, join_key TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL)",
            "CREATE UNIQUE INDEX cohort_name ON cohort(lower(name))",
            """
            CREATE TABLE cohort_member (
                learner_id TEXT PRIMARY KEY REFERENCES learner(id) ON DELETE CASCADE,
                cohort_id TEXT NOT NULL REFERENCES cohort(id) ON DELETE CASCADE)
            """,
            "CREATE INDEX cohort_member_cohort ON cohort_member(cohort_id)",
            """
            CREATE TABLE module_adjustment (
                id BIGSERIAL PRIMARY KEY, learner_id TEXT NOT NULL REFERENCES learner(id) ON DELETE CASCADE,
                module_id TEXT NOT NULL, kind TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, recorded_by TEXT NOT NULL, reason TEXT NOT NULL)
            """,
            "CREATE INDEX module_adjustment_learner ON module_adjustment(learner_id)",
            """
            CREATE TABLE certificate (
                id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, learner_id TEXT REFERENCES learner(id) ON DELETE SET NULL,
                name TEXT, course_id TEXT, course_title TEXT, course_version TEXT, content_hash TEXT,
                issued_at TIMESTAMPTZ, valid_until TIMESTAMPTZ, status_index INTEGER NOT NULL UNIQUE,
                revoked_at TIMESTAMPTZ, revoke_reason TEXT, credential TEXT, renews TEXT)
            """,
            "CREATE INDEX certificate_learner ON certificate(learner_id)",
            "CREATE INDEX certificate_valid_until ON certificate(valid_until)",
            "CREATE TABLE issuer_key (name TEXT PRIMARY KEY, pem TEXT NOT NULL)",
        ]),
        ("v4: a revoked certificate may let its learner claim again", [
            "ALTER TABLE certificate ADD COLUMN reissue BOOLEAN NOT NULL DEFAULT false",
        ]),
        ("v5: failed tries for rate limits", [
            "CREATE TABLE rate_failure (scope TEXT NOT NULL, key TEXT NOT NULL, at TIMESTAMPTZ NOT NULL)",
            "CREATE INDEX rate_failure_key ON rate_failure(scope, key, at)",
            "CREATE INDEX rate_failure_scope ON rate_failure(scope, at)",
        ]),
        ("v6: practical skill sign-offs", [
            """
            CREATE TABLE practical_sign_off (
                learner_id TEXT NOT NULL REFERENCES learner(id) ON DELETE CASCADE,
                practical_id TEXT NOT NULL,
                signed_by TEXT NOT NULL,
                signer_name TEXT NOT NULL,
                session_id TEXT,
                reason TEXT,
                signed_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (learner_id, practical_id))
            """,
        ]),
        // One answer in one round trip: the attempt's row lock (not an advisory lock read first)
        // keeps answers to one attempt in order; each statement inside sees what committed
        // before it, so the sequence and the already-answered check are never stale.
        // Returns the answer's sequence, or -1 (no such attempt), -2 (closed), -3 (answered).
        ("v7: record an answer in one call", [
            """
            CREATE FUNCTION groundwork_record_response(
                p_attempt BIGINT, p_item TEXT, p_step TEXT, p_response TEXT, p_numerator BIGINT, p_denominator BIGINT,
                p_critical BOOLEAN, p_at TIMESTAMPTZ, p_finish TEXT, p_score_numerator BIGINT, p_score_denominator BIGINT,
                p_passed BOOLEAN) RETURNS BIGINT LANGUAGE plpgsql AS $$
            DECLARE
                v_status TEXT;
                v_sequence INTEGER;
            BEGIN
                SELECT status INTO v_status FROM attempt WHERE id = p_attempt FOR UPDATE;
                IF NOT FOUND THEN RETURN -1; END IF;
                IF v_status <> 'open' THEN RETURN -2; END IF;
                SELECT COALESCE(MAX(sequence), 0) + 1 INTO v_sequence FROM response WHERE attempt_id = p_attempt;
                INSERT INTO response (attempt_id, item_id, step, sequence, response, score_numerator, score_denominator,
                                      critical, answered_at)
                VALUES (p_attempt, p_item, p_step, v_sequence, p_response, p_numerator, p_denominator, p_critical, p_at)
                ON CONFLICT (attempt_id, item_id, step) DO NOTHING;
                IF NOT FOUND THEN RETURN -3; END IF;
                IF p_finish IS NOT NULL THEN
                    UPDATE attempt SET status = p_finish, finished_at = p_at, score_numerator = p_score_numerator,
                           score_denominator = p_score_denominator, passed = p_passed
                    WHERE id = p_attempt;
                END IF;
                RETURN v_sequence;
            END
            $$
            """,
        ]),
    ]

    /// The installation's 32-byte secret (cookies and resume-code digests derive from it),
    /// made on first use and kept in the database, so every server on it shares one.
    public func installationSecret() async throws -> [UInt8] {
        try await run {
            var rng = SystemRandomNumberGenerator()
            let fresh = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
            try await client.query("INSERT INTO groundwork_secret (name, value) VALUES ('installation', \(fresh)) ON CONFLICT DO NOTHING",
                                   logger: logger)
            for try await value in try await client.query("SELECT value FROM groundwork_secret WHERE name = 'installation'", logger: logger)
                .decode(Data.self) {
                guard value.count == 32 else {
                    throw RecordsError(.storage, "the database's installation secret is damaged (\(value.count) bytes, not 32)",
                                       hint: "restore the database from a backup")
                }
                return Array(value)
            }
            throw RecordsError(.storage, "the database has no installation secret", hint: "restore the database from a backup")
        }
    }

    /// Applies the migrations not applied yet, one transaction each, under a lock so two
    /// servers starting at once don't both apply one.
    func migrate(schema: String? = nil) async throws {
        // CREATE … IF NOT EXISTS races with itself (two servers can both find the name free
        // and one then fails on the catalog's unique index), so it too runs under the lock.
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('groundwork-migrate'))", logger: logger)
            if let schema {
                try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: Self.identifier(schema))", logger: logger)
            }
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS groundwork_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
                logger: logger)
        }
        for migration in Self.migrations {
            let name = migration.name
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext('groundwork-migrate'))", logger: logger)
                let done = try await connection.query("SELECT 1 FROM groundwork_migration WHERE name = \(name)", logger: logger)
                    .collect()
                guard done.isEmpty else { return }
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO groundwork_migration (name, applied_at) VALUES (\(name), \(Date()))", logger: logger)
            }
        }
    }

    /// Drops a schema and everything in it (the tests' own schemas).
    public func dropSchema(_ name: String) async throws {
        _ = try await run { try await client.query("DROP SCHEMA IF EXISTS \(unescaped: Self.identifier(name)) CASCADE", logger: logger) }
    }

    /// The migrations applied, in order.
    public func appliedMigrations() async throws -> [String] {
        try await run {
            var names: [String] = []
            for try await name in try await client.query("SELECT name FROM groundwork_migration ORDER BY name", logger: logger)
                .decode(String.self) { names.append(name) }
            return names
        }
    }
}
