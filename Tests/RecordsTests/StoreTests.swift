import CurriculumKit
import Foundation
import GRDB
import Testing
@testable import Records

/// The SQLite store: schema, pragmas, attempts, answers, export and delete.
@Suite struct StoreTests {
    let folder = TemporaryFolder()
    let date = Date(timeIntervalSince1970: 1_800_000_000)

    func store() throws -> SQLiteRecordStore { try DataFolder(path: folder.path).open().store }

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
        let (mode, sync, secure, foreignKeys) = try store.pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA secure_delete"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(mode == "wal")
        #expect(sync == 2, "synchronous = FULL")
        #expect(secure == 1)
        #expect(foreignKeys == 1)
        let applied = try store.pool.read { db in try SQLiteRecordStore.migrator.appliedMigrations(db) }
        #expect(applied == ["v1: learners, attempts, responses"])
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

    @Test func attemptsAreNumberedAndOnlyOneIsOpen() async throws {
        defer { folder.remove() }
        let store = try store()
        let robin = learner()
        try await store.createLearner(robin, codeDigest: "d")
        let first = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: .max, moduleHash: "h", at: date)
        #expect(first.number == 1)
        #expect(first.seed == .max, "the full 64-bit seed survives")
        await #expect(throws: RecordsError.self) {
            try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: date)
        }
        try await store.close(attemptID: first.id, result: AttemptResult(score: Score(3, over: 4), passed: false), at: date)
        let second = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 2, moduleHash: "h", at: date)
        #expect(second.number == 2)
        let all = try await store.attempts(learnerID: robin.id, moduleID: "m")
        #expect(all.map(\.number) == [1, 2])
        #expect(all[0].status == .finished && all[0].score == Score(3, over: 4) && all[0].passed == false)
        #expect(all[0].seed == .max)
        #expect(all[1].status == .open && all[1].score == nil)
    }

    @Test func answersAreNumberedOnceEachAndFinishTogether() async throws {
        defer { folder.remove() }
        let store = try store()
        let robin = learner()
        try await store.createLearner(robin, codeDigest: "d")
        let attempt = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: date)
        let first = try await store.record(answer(attempt, "m/q1", .matches(["a": 2, "b": 1])), finishing: nil)
        #expect(first.sequence == 1)
        let repeated = await #expect(throws: RecordsError.self) {
            try await store.record(answer(attempt, "m/q1"), finishing: nil)
        }
        #expect(repeated?.kind == .alreadyAnswered)
        let step = try await store.record(answer(attempt, "m/scenario", step: "start"), finishing: nil)
        #expect(step.sequence == 2)
        try await store.record(answer(attempt, "m/scenario", step: "next", .text("naloxone")),
                               finishing: AttemptResult(score: .full, passed: true))
        let closed = await #expect(throws: RecordsError.self) {
            try await store.record(answer(attempt, "m/q2"), finishing: nil)
        }
        #expect(closed?.kind == .attemptClosed)
        let stored = try await store.responses(attemptID: attempt.id)
        #expect(stored.map(\.sequence) == [1, 2, 3])
        #expect(stored[0].response == .matches(["a": 2, "b": 1]))
        #expect(stored[1].step == "start" && stored[2].response == .text("naloxone"))
        #expect(try await store.attempts(learnerID: robin.id, moduleID: nil).first?.passed == true)
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
        let counts = try await store.pool.read { db in
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
}
