// records: answers recorded per second with durability on (WAL, synchronous = FULL, one
// transaction per answer), through Coursework.answer (evaluate, check, record), against
// raw sqlite3 inserts of the same rows into the same schema with the same pragmas. With
// --postgres URL, the same learners answer on PostgreSQL too (a schema of its own, dropped
// after), reported beside the SQLite figure of the same run.
import CurriculumKit
import Foundation
import GRDB
import GRDBSQLite
import PostgresStore
import Runtime
import SQLiteStore

/// Learners take whole modules, every answer through `Coursework.answer`, one at a time;
/// returns the answers recorded and the seconds spent in `answer`.
func answerWholeModules(_ coursework: Coursework, target: Int) async throws -> (recorded: Int, seconds: Double) {
    var recorded = 0
    var seconds = 0.0
    while recorded < target {
        let (learner, _) = try await coursework.register(displayName: "Bench \(recorded)")
        for module in coursework.curriculum.modules where recorded < target {
            var state = try await coursework.attempt(module.id, for: learner)
            while recorded < target, let response = state.next?.presented.question.answerKey {
                let start = now()
                state = try await coursework.answer(response, in: state).state
                seconds += now() - start
                recorded += 1
            }
        }
    }
    return (recorded, seconds)
}

func benchRecords(answers target: Int = 3000, postgres: String? = nil) async throws {
    guard let curriculum = CurriculumCompiler.compile(path: "Curriculum").curriculum else {
        print("records: run from the repository root (the bundled Curriculum must compile)")
        return
    }
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-bench-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }

    // Groundwork: learners take whole modules, every answer through Coursework.answer.
    let (store, hasher) = try DataFolder(path: root + "/ours").open()
    let coursework = Coursework(curriculum: curriculum, store: store, hasher: hasher)
    let (recorded, seconds) = try await answerWholeModules(coursework, target: target)
    let ours = Double(recorded) / seconds

    // Baseline: the same rows, read back from our database, inserted with raw sqlite3 into a
    // copy of it whose response table is empty: same schema, indexes and pragmas, one
    // BEGIN IMMEDIATE … COMMIT per answer.
    let rows = try await store.database.read { db in
        try Row.fetchAll(db, sql: "SELECT * FROM response ORDER BY rowid").map { row -> [DatabaseValue] in
            ["attempt_id", "item_id", "step", "sequence", "response", "score_numerator", "score_denominator",
             "critical", "answered_at"].map { row[$0] as DatabaseValue }
        }
    }
    try await store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    let copy = root + "/baseline.sqlite"
    try FileManager.default.copyItem(atPath: store.path, toPath: copy)
    var handle: OpaquePointer?
    guard sqlite3_open(copy, &handle) == SQLITE_OK, let db = handle else { print("records: can't open the copy"); return }
    defer { sqlite3_close(db) }
    func exec(_ sql: String) { sqlite3_exec(db, sql, nil, nil, nil) }
    exec("PRAGMA journal_mode = WAL")
    exec("PRAGMA foreign_keys = ON")
    exec("PRAGMA busy_timeout = 10000")
    for pragma in SQLiteStore.pragmas { exec(pragma) }
    exec("DELETE FROM response")
    var statement: OpaquePointer?
    sqlite3_prepare_v2(db, """
        INSERT INTO response (attempt_id, item_id, step, sequence, response, score_numerator, score_denominator, critical, answered_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """, -1, &statement, nil)
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    let start = now()
    for row in rows {
        exec("BEGIN IMMEDIATE")
        for (index, value) in row.enumerated() {
            let column = Int32(index + 1)
            switch value.storage {
            case let .int64(number): sqlite3_bind_int64(statement, column, number)
            case let .string(text): sqlite3_bind_text(statement, column, text, -1, transient)
            case let .double(number): sqlite3_bind_double(statement, column, number)
            default: sqlite3_bind_null(statement, column)
            }
        }
        if sqlite3_step(statement) != SQLITE_DONE { print("records: baseline insert failed"); return }
        sqlite3_reset(statement)
        exec("COMMIT")
    }
    let raw = Double(rows.count) / (now() - start)
    sqlite3_finalize(statement)

    print("records: \(recorded) answers, WAL + synchronous=FULL, one transaction each")
    print(String(format: "  raw sqlite3 inserts     %8.0f rows/s", raw))
    print(String(format: "  Coursework.answer       %8.0f answers/s  (%.0f%% of raw; goal ≥ 50%%)", ours, ours / raw * 100))

    guard let postgres else { return }
    // The same workload on PostgreSQL (synchronous_commit on: each answer's commit waits for
    // its WAL flush, as SQLite's waits for its fsync), in a schema of its own.
    let schema = "records_bench_" + UUID().uuidString.prefix(8).lowercased()
    let address = try PostgresStore.Address(url: postgres + (postgres.contains("?") ? "&" : "?") + "schema=" + schema)
    let database = try await PostgresStore.connect(address)
    defer { database.close() }
    let secret = try await database.installationSecret()
    let onPostgres = Coursework(curriculum: curriculum, store: database, hasher: ResumeCodeHasher(key: secret))
    let (stored, spent) = try await answerWholeModules(onPostgres, target: target)
    try await database.dropSchema(schema)
    let theirs = Double(stored) / spent
    print(String(format: "  Coursework.answer, PostgreSQL %5.0f answers/s  (%.0f%% of SQLite's Coursework.answer in this run)",
                 theirs, theirs / ours * 100))
}
