import CurriculumKit
import Foundation
import Runtime
import SQLiteStore
import Testing

/// Every store the contract is run against. A new store (PostgreSQL) adds a case here and
/// runs every rule below unchanged.
enum StoreUnderTest: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteFile = "SQLite on a file"
    case sqliteMemory = "SQLite in memory"

    var testDescription: String { rawValue }

    /// A new, empty store, and how to throw it away.
    func make() throws -> Opened {
        switch self {
        case .sqliteFile:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-contract-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return Opened(store: try SQLiteStore(path: folder + "/records.sqlite")) {
                try? FileManager.default.removeItem(atPath: folder)
            }
        case .sqliteMemory:
            return Opened(store: try SQLiteStore()) {}
        }
    }

    struct Opened {
        let store: any RecordStore
        let remove: () -> Void
    }
}

/// Runs `body` against a new store of `kind`, then removes it.
func withStore(_ kind: StoreUnderTest, _ body: (any RecordStore) async throws -> Void) async throws {
    let opened = try kind.make()
    defer { opened.remove() }
    try await body(opened.store)
}

let day0 = Date(timeIntervalSince1970: 1_800_000_000)

func newLearner(_ name: String = "Robin") -> Learner {
    Learner(id: UUID().uuidString, displayName: name, createdAt: day0)
}

func answer(_ attempt: AttemptRecord, _ item: String, step: String? = nil, _ response: Response = .choice("a")) -> ResponseRecord {
    ResponseRecord(attemptID: attempt.id, itemID: item, step: step, sequence: 0, response: response,
                   score: .full, isCritical: false, answeredAt: day0)
}

/// Expects `body` to throw a ``RecordsError`` of `kind`.
func expectError(_ kind: RecordsError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
                 _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(kind), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as RecordsError {
        #expect(error.kind == kind, "expected \(kind), got \(error.kind): \(error.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(kind), got \(error)", sourceLocation: sourceLocation)
    }
}
