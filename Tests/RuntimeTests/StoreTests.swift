import CurriculumKit
import Foundation
import GRDB
import Testing
@testable import Runtime
@testable import SQLiteStore

/// What only the SQLite store does: its schema, pragmas, files, and the records it can't
/// read back. The rules every store keeps are in Tests/StoreContractTests.
@Suite struct StoreTests {
    let folder = TemporaryFolder()
    let date = Date(timeIntervalSince1970: 1_800_000_000)

    func store() throws -> SQLiteStore { try DataFolder(path: folder.path).open().store }

    func learner(_ name: String = "Robin") -> Learner {
        Learner(id: Coursework.randomID(), displayName: name, createdAt: date)
    }

    func answer(_ attempt: AttemptRecord, _ item: String, step: String? = nil, _ response: Response = .choice("a")) -> ResponseRecord {
        ResponseRecord(attemptID: attempt.id, itemID: item, step: step, sequence: 0, response: response,
                       score: .full, isCritical: false, answeredAt: date)
    }

    @Test func opensInWALModeWithFullSync() throws {
        defer { folder.remove() }
        let store = try store()
        let (mode, sync, secure, foreignKeys) = try store.database.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA secure_delete"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(mode == "wal")
        #expect(sync == 2, "synchronous = FULL")
        #expect(secure == 1)
        #expect(foreignKeys == 1)
        let applied = try store.database.read { db in try SQLiteStore.migrator.appliedMigrations(db) }
        #expect(applied == ["v1: learners, attempts, responses", "v2: staff, sign-in links, audit log, web sessions",
                           "v3: group sessions, participants, poll answers, attendance",
                           "v4: cohorts, adjustments, certificates, the issuer key",
                           "v5: a revoked certificate may let its learner claim again",
                           "v6: failed tries for rate limits", "v7: practical skill sign-offs"])
    }

    @Test func reopeningKeepsRecordsAndSchema() async throws {
        defer { folder.remove() }
        let robin = learner()
        try await store().createLearner(robin, codeDigest: "d1")
        let again = try store()
        #expect(try await again.learner(codeDigest: "d1") == robin)
        #expect(try await again.learner(id: robin.id) == robin)
        #expect(try await again.learner(codeDigest: "other") == nil)
    }

    @Test func exportHoldsEverythingAndReadsBack() async throws {
        defer { folder.remove() }
        let store = try store()
        let robin = learner("Robin <3")
        try await store.createLearner(robin, codeDigest: "d")
        let attempt = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 7, moduleHash: "h", at: date)
        try await store.record(answer(attempt, "m/q1", .selection(["a", "c"])), finishing: nil)
        let export = try #require(try await store.export(learnerID: robin.id))
        #expect(export.learner == robin)
        #expect(export.attempts.count == 1 && export.attempts[0].responses.count == 1)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let json = String(decoding: try encoder.encode(export), as: UTF8.self)
        #expect(json.contains(#""selection":["a","c"]"#))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(LearnerExport.self, from: Data(json.utf8)) == export)
        #expect(try await store.export(learnerID: "nobody") == nil)
    }

    @Test func deleteRemovesEveryTraceFromTheFiles() async throws {
        defer { folder.remove() }
        let store = try store()
        let name = "Zebediah-Quokka-Unique"
        let robin = learner(name)
        try await store.createLearner(robin, codeDigest: "d")
        let attempt = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 7, moduleHash: "h", at: date)
        try await store.record(answer(attempt, "m/q1", .text("Xylophone-Answer-Unique")), finishing: nil)
        let keeper = learner("Kept")
        try await store.createLearner(keeper, codeDigest: "k")

        let deleted = try await store.deleteLearner(id: robin.id)
        let deletedAgain = try await store.deleteLearner(id: robin.id)
        #expect(deleted && !deletedAgain)
        let counts = try await store.database.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attempt") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM response") ?? -1)
        }
        #expect(counts == (0, 0))
        #expect(try await store.learner(id: keeper.id) == keeper)
        for suffix in ["", "-wal"] {
            let bytes = FileManager.default.contents(atPath: store.path + suffix) ?? Data()
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains(name), "the name is gone from records.sqlite\(suffix)")
            #expect(!text.contains("Xylophone-Answer-Unique"))
        }
    }

    @Test func dataFolderProblemsAreClearErrors() throws {
        defer { folder.remove() }
        _ = try DataFolder(path: folder.path).open()
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.path + "/secret.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        try FileManager.default.removeItem(atPath: folder.path + "/secret.key")
        let missingKey = #expect(throws: RecordsError.self) { try DataFolder(path: folder.path).open() }
        #expect(missingKey?.message.contains("secret.key") == true)

        let file = folder.path + "/not-a-folder"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let notFolder = #expect(throws: RecordsError.self) { try DataFolder(path: file).open() }
        #expect(notFolder?.kind == .storage)

        let other = TemporaryFolder()
        defer { other.remove() }
        try FileManager.default.createDirectory(atPath: other.path, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: other.path + "/records.sqlite", contents: Data("this is not a database".utf8))
        _ = FileManager.default.createFile(atPath: other.path + "/secret.key", contents: Data(repeating: 1, count: 32))
        let notDatabase = #expect(throws: RecordsError.self) { try DataFolder(path: other.path).open() }
        #expect(notDatabase?.kind == .storage)
    }

    @Test func defaultFolderFollowsTheEnvironment() {
        #expect(DataFolder.defaultPath(environment: ["GROUNDWORK_DATA": "/srv/gw", "HOME": "/home/a"]) == "/srv/gw")
        #expect(DataFolder.defaultPath(environment: ["XDG_DATA_HOME": "/x", "HOME": "/home/a"]) == "/x/groundwork")
        #expect(DataFolder.defaultPath(environment: ["HOME": "/home/a"]) == "/home/a/.local/share/groundwork")
    }

    @Test func theDatabaseAndItsLogAreReadableByTheOwnerOnly() async throws {
        defer { folder.remove() }
        let store = try store()
        try await store.createLearner(learner(), codeDigest: "d")
        for suffix in ["", "-wal", "-shm"] {
            let mode = try FileManager.default.attributesOfItem(atPath: store.path + suffix)[.posixPermissions] as? Int
            #expect(mode == 0o600, "records.sqlite\(suffix) is \(String(mode ?? 0, radix: 8))")
        }
        // A database made by an older version with 0644 is narrowed when opened.
        chmod(store.path, 0o644)
        _ = try self.store()
        let mode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func answersAreStoredInTheDocumentedJSON() async throws {
        defer { folder.remove() }
        let store = try store()
        let robin = learner()
        try await store.createLearner(robin, codeDigest: "d")
        let attempt = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: date)
        try await store.record(answer(attempt, "q1", .choice("b")), finishing: nil)
        try await store.record(answer(attempt, "q2", .matches(["a": 2, "b": 1])), finishing: nil)
        let stored = try await store.database.read { db in try String.fetchAll(db, sql: "SELECT response FROM response ORDER BY sequence") }
        #expect(stored == [#"{"choice":"b"}"#, #"{"matches":{"a":2,"b":1}}"#])
    }

    @Test func anAnswerThatCannotBeReadBackIsAnErrorNotAGap() async throws {
        defer { folder.remove() }
        let store = try store()
        let robin = learner()
        try await store.createLearner(robin, codeDigest: "d")
        let attempt = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: date)
        try await store.record(answer(attempt, "q1"), finishing: nil)
        try await store.database.write { db in try db.execute(sql: #"UPDATE response SET response = '{"choice":{"_0":"b"}}'"#) }
        let error = await #expect(throws: RecordsError.self) { try await store.responses(attemptID: attempt.id) }
        #expect(error?.kind == .unreadable)
        #expect(error?.category == .storage)
        #expect(error?.message.contains("q1") == true)
        await #expect(throws: RecordsError.self) { try await store.moduleRecords(learnerID: robin.id, moduleID: "m") }
    }

    @Test func anUnknownAttemptStatusIsAnErrorNotSuperseded() async throws {
        defer { folder.remove() }
        let store = try store()
        let robin = learner()
        try await store.createLearner(robin, codeDigest: "d")
        _ = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: date)
        // A newer version's status, written around the CHECK constraint.
        try await store.database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE attempt SET status = 'paused'")
            try db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
        }
        let error = await #expect(throws: RecordsError.self) { try await store.attempts(learnerID: robin.id, moduleID: nil) }
        #expect(error?.kind == .unreadable)
        #expect(error?.message.contains("paused") == true)
    }

    @Test func aDeleteThatCannotClearTheLogSaysSo() async throws {
        defer { folder.remove() }
        let store = try store()
        let robin = learner("Zebediah-Quokka-Unique")
        try await store.createLearner(robin, codeDigest: "d")
        // Another process reading the database keeps the checkpoint from finishing.
        let reader = try DatabaseQueue(path: store.path)
        let error = try await reader.read { db in
            _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM learner")
            return try Self.blockingDelete(store, id: robin.id)
        }
        #expect(error?.kind == .storage)
        #expect(error?.message.contains("write-ahead log") == true)
        #expect(try await store.learner(id: robin.id) == nil, "the delete itself stands")
    }

    /// Deletes on another thread while the caller holds a read transaction open.
    static func blockingDelete(_ store: SQLiteStore, id: String) throws -> RecordsError? {
        let result = LockedBox<RecordsError?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { _ = try await store.deleteLearner(id: id) } catch let error as RecordsError { result.set(error) } catch {}
            done.signal()
        }
        done.wait()
        return result.get()
    }
}

final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func set(_ new: T) { lock.withLock { value = new } }
    func get() -> T { lock.withLock { value } }
}
