import Foundation
import Runtime

/// The folder that holds a Groundwork installation's records, and nothing else:
///
/// - `records.sqlite` (with SQLite's `-wal` and `-shm` files): learners, attempts, answers;
/// - `secret.key`: 32 random bytes that key the resume-code digests. Back it up with the
///   database: without it, no resume code works.
///
/// The default is `$GROUNDWORK_DATA`, else `$XDG_DATA_HOME/groundwork`, else
/// `~/.local/share/groundwork`.
public struct DataFolder: Sendable {
    /// The folder's path.
    public let path: String

    /// The database file's path.
    public var databasePath: String { path + "/records.sqlite" }
    /// The key file's path.
    public var keyPath: String { path + "/secret.key" }

    /// A data folder at `path` (not created until ``open()``).
    public init(path: String) {
        self.path = path
    }

    /// The default folder for this environment.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["GROUNDWORK_DATA"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/groundwork" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.local/share/groundwork" }
        return "groundwork-data"
    }

    /// Whether the folder holds a records database yet.
    public var hasRecords: Bool { FileManager.default.fileExists(atPath: databasePath) }

    /// Creates the folder when missing (readable by its owner only), then opens the store
    /// and the resume-code key.
    public func open() throws -> (store: SQLiteStore, hasher: ResumeCodeHasher) {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw RecordsError(.storage, "the data folder \(path) is a file, not a folder",
                                   hint: "pass another folder with --data")
            }
        } else {
            do {
                try files.createDirectory(atPath: path, withIntermediateDirectories: true,
                                          attributes: [.posixPermissions: 0o700])
            } catch {
                throw RecordsError(.storage, "can't create the data folder \(path)",
                                   hint: "check the permissions of its parent, or pass another folder with --data")
            }
        }
        let key = try loadOrCreateKey()
        let store = try SQLiteStore(path: databasePath)
        return (store, ResumeCodeHasher(key: key))
    }

    /// The folder's secret key (32 bytes), made on first use. Other parts derive their own
    /// keys from it (the web app's session cookies, for one).
    public func secretKey() throws -> [UInt8] {
        try loadOrCreateKey()
    }

    private func loadOrCreateKey() throws -> [UInt8] {
        let files = FileManager.default
        if let data = files.contents(atPath: keyPath) {
            guard data.count == 32 else {
                throw RecordsError(.storage, "\(keyPath) is not a Groundwork key (it should hold 32 bytes, and has \(data.count))",
                                   hint: "restore secret.key from the backup you made with the database")
            }
            return Array(data)
        }
        if files.fileExists(atPath: databasePath) {
            throw RecordsError(.storage, "\(keyPath) is missing, so no resume code in \(databasePath) can be checked",
                               hint: "restore secret.key from the backup you made with the database")
        }
        // Write a temporary file, then link it into place: if another process got there
        // first the link fails and both use the key that won.
        var rng = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        let temporary = keyPath + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
        guard files.createFile(atPath: temporary, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw RecordsError(.storage, "can't write \(keyPath)", hint: "check that the data folder is writable")
        }
        defer { unlink(temporary) }
        if link(temporary, keyPath) != 0 {
            if let data = files.contents(atPath: keyPath), data.count == 32 { return Array(data) }
            throw RecordsError(.storage, "can't write \(keyPath)", hint: "check that the data folder is writable")
        }
        return key
    }
}
