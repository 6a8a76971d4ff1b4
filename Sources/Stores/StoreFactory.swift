import Foundation
import Runtime
import SQLiteStore

/// Where a Groundwork installation keeps its records, from the command line's options.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// A data folder: `records.sqlite` and `secret.key` (the default).
    case dataFolder(String)

    /// The default data folder: `$GROUNDWORK_DATA`, else `$XDG_DATA_HOME/groundwork`, else
    /// `~/.local/share/groundwork`.
    public static func defaultDataFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        DataFolder.defaultPath(environment: environment)
    }

    public var description: String {
        switch self {
        case let .dataFolder(path): return path
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
    public static func open(_ location: StoreLocation) throws -> OpenedStore {
        switch location {
        case let .dataFolder(path):
            let folder = DataFolder(path: path)
            let (store, hasher) = try folder.open()
            return OpenedStore(store: store, secretKey: try folder.secretKey(), hasher: hasher, location: location)
        }
    }

    /// Opens the store only when it already holds records; otherwise fails with a message
    /// saying where nothing was found (for commands that read existing records).
    public static func openExisting(_ location: StoreLocation) throws -> OpenedStore {
        switch location {
        case let .dataFolder(path):
            guard DataFolder(path: path).hasRecords else {
                throw RecordsError(.noRecords, "there are no learner records in \(path)",
                                   hint: "pass the folder the records are in with --data")
            }
        }
        return try open(location)
    }
}
