import Foundation
import PostgresStore
import Runtime
import SQLiteStore

/// Copies a SQLite data folder into a PostgreSQL database (`groundwork migrate --to`):
/// every table, the installation's secret (so resume codes keep working) and the
/// certificate issuer's key (so issued certificates keep verifying), then checks that every
/// row arrived. Rows already there are left alone, so running it twice does no harm.
public enum Migration {
    /// What one table's copy did.
    public struct TableReport: Sendable {
        /// The table.
        public var table: String
        /// Rows in the data folder.
        public var source: Int
        /// Rows new in the database this time.
        public var copied: Int
        /// Rows in the database afterwards.
        public var target: Int
    }

    /// Copies the data folder at `folder` into the database at `url`.
    public static func copy(dataFolder folder: String, to url: String,
                            progress: (TableReport) -> Void = { _ in }) async throws -> [TableReport] {
        let data = DataFolder(path: folder)
        guard data.hasRecords else {
            throw RecordsError(.noRecords, "there are no learner records in \(folder)", hint: "pass the folder the records are in with --data")
        }
        let (source, _) = try data.open()
        let secret = try data.secretKey()
        let target = try await PostgresStore.connect(try PostgresStore.Address(url: url))
        defer { target.close() }
        try await target.adoptInstallationSecret(secret)
        if let pem = try await source.issuerKey() { try await target.adoptIssuerKey(pem) }
        var reports: [TableReport] = []
        for table in RecordTables.all where table.name != "issuer_key" {
            let rows = try await source.rows(of: table)
            let copied = try await target.importRows(rows, into: table)
            let report = TableReport(table: table.name, source: rows.count, copied: copied, target: try await target.count(of: table))
            progress(report)
            reports.append(report)
            guard report.target >= report.source else {
                throw RecordsError(.storage, "only \(report.target) of the \(report.source) \(table.name) rows are in the database",
                                   hint: "nothing in the data folder was changed; check the database's logs, then run the copy again")
            }
        }
        return reports
    }
}
