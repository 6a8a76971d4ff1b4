import Foundation
import Runtime
import PostgresStore
import SQLiteStore

/// Where a Groundwork installation keeps its records, from the command line's options.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// A data folder: `records.sqlite` and `secret.key` (the default).
    case dataFolder(String)
    /// A PostgreSQL database, `postgresql://USER:PASSWORD@HOST:PORT/DATABASE`, for several
    /// servers on one set of records; the installation's secret is kept in it.
    case database(String)

    /// The database named by `$GROUNDWORK_DATABASE`, else the data folder given or the default one.
    public static func from(data: String?, database: String?,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> StoreLocation {
        if let database = database ?? environment["GROUNDWORK_DATABASE"], !database.isEmpty { return .database(database) }
        return .dataFolder(data ?? defaultDataFolder(environment: environment))
    }

    /// The default data folder: `$GROUNDWORK_DATA`, else `$XDG_DATA_HOME/groundwork`, else
    /// `~/.local/share/groundwork`.
    public static func defaultDataFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        DataFolder.defaultPath(environment: environment)
    }

    public var description: String {
        switch self {
        case let .dataFolder(path): return path
        case let .database(url): return (try? PostgresStore.Address(url: url).description) ?? "the PostgreSQL database"
        }
    }
}

/// An open store with the installation's secret, ready for ``Coursework``, the staff
/// accounts and the server. The CLI and the server only ever hold `any RecordStore`.
public struct OpenedStore: Sendable {
    /// The records.
    public let store: any RecordStore
    /// The installation's 32-byte secret; other keys (cookies, resume-code digests) are derived from it.
    public let secretKey: [UInt8]
    /// Digests resume codes with the installation's key.
    public let hasher: ResumeCodeHasher
    /// Where the records are, for messages.
    public let location: StoreLocation
}

/// The one place that turns configuration into a store.
public enum StoreFactory {
    /// Opens (creating when needed) the store at `location`.
    public static func open(_ location: StoreLocation) async throws -> OpenedStore {
        switch location {
        case let .dataFolder(path):
            let folder = DataFolder(path: path)
            let (store, hasher) = try folder.open()
            return OpenedStore(store: store, secretKey: try folder.secretKey(), hasher: hasher, location: location)
        case let .database(url):
            let store = try await PostgresStore.connect(try PostgresStore.Address(url: url))
            let secret = try await store.installationSecret()
            return OpenedStore(store: store, secretKey: secret, hasher: ResumeCodeHasher(key: secret), location: location)
        }
    }

    /// Opens the store only when it already holds records; otherwise fails with a message
    /// saying where nothing was found (for commands that read existing records).
    public static func openExisting(_ location: StoreLocation) async throws -> OpenedStore {
        if case let .dataFolder(path) = location, !DataFolder(path: path).hasRecords {
            throw RecordsError(.noRecords, "there are no learner records in \(path)",
                               hint: "pass the folder the records are in with --data")
        }
        return try await open(location)
    }
}
