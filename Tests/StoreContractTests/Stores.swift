import CurriculumKit
import Foundation
import Runtime
import PostgresStore
import SQLiteStore
import Testing

/// Every store the contract is run against: SQLite on a file and in memory, and PostgreSQL
/// when `GROUNDWORK_TEST_POSTGRES` names a database (`make test` starts one and sets it).
/// A new store adds a case here and runs every rule below unchanged.
enum StoreUnderTest: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteFile = "SQLite on a file"
    case sqliteMemory = "SQLite in memory"
    case postgres = "PostgreSQL"

    var testDescription: String { rawValue }

    /// The PostgreSQL database the tests may use (each test makes a schema of its own there).
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["GROUNDWORK_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The stores this run can test.
    static var allCases: [StoreUnderTest] {
        postgresURL == nil ? [.sqliteFile, .sqliteMemory] : [.sqliteFile, .sqliteMemory, .postgres]
    }

    /// A new, empty store, and how to throw it away.
    func make() async throws -> Opened {
        switch self {
        case .sqliteFile:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-contract-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return Opened(store: try SQLiteStore(path: folder + "/records.sqlite")) {
                try? FileManager.default.removeItem(atPath: folder)
            }
        case .sqliteMemory:
            return Opened(store: try SQLiteStore()) {}
        case .postgres:
            guard let url = Self.postgresURL else { throw RecordsError(.storage, "GROUNDWORK_TEST_POSTGRES is not set") }
            let schema = "contract_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            var address = try PostgresStore.Address(url: url)
            address.schema = schema
            let store = try await PostgresStore.connect(address)
            return Opened(store: store) {
                try? await store.dropSchema(schema)
                store.close()
            }
        }
    }

    struct Opened {
        let store: any RecordStore
        let remove: () async -> Void
    }
}

/// Runs `body` against a new store of `kind`, then removes it.
func withStore(_ kind: StoreUnderTest, _ body: (any RecordStore) async throws -> Void) async throws {
    let opened = try await kind.make()
    do {
        try await body(opened.store)
    } catch {
        await opened.remove()
        throw error
    }
    await opened.remove()
}

/// Whether PostgreSQL is in the contract run, and if not, why and how to add it.
@Suite struct StoresUnderTest {
    @Test func postgreSQLRunsTheContractInCIAndSaysHowElsewhere() {
        if StoreUnderTest.postgresURL == nil {
            let how = "the contract ran against SQLite only: set GROUNDWORK_TEST_POSTGRES=postgresql://USER:PASSWORD@127.0.0.1:5432/DATABASE "
                + "(make test installs and starts PostgreSQL and sets it) to run it against PostgreSQL too"
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must run the store contract against PostgreSQL; \(how)")
            print("note: \(how)")
        } else {
            #expect(StoreUnderTest.allCases.contains(.postgres))
        }
    }
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
