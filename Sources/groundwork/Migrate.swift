import ArgumentParser
import Foundation
import Runtime
import Stores

/// `groundwork migrate --to postgresql://…`: copies a data folder into PostgreSQL.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a SQLite data folder into a PostgreSQL database, for several servers on one set of records.",
        discussion: """
        Copies learners, attempts, answers, staff, sign-in links, sessions, the audit log, group \
        sessions, attendance, cohorts, certificates, the installation's secret and the \
        certificate signing key, then checks every row arrived. Rows already in the database \
        are left alone, so running it again is safe. The data folder is only read. Stop the \
        servers using the data folder first, so nothing changes while it copies.
        """)

    @ArgumentParser.Option(help: "The PostgreSQL database: postgresql://USER:PASSWORD@HOST:PORT/DATABASE.")
    var to: String

    @ArgumentParser.Option(help: ArgumentHelp(
        "The data folder to copy.",
        discussion: "Default: $GROUNDWORK_DATA, else $XDG_DATA_HOME/groundwork, else ~/.local/share/groundwork."))
    var data: String?

    func run() async throws {
        let folder = data ?? StoreLocation.defaultDataFolder()
        do {
            print("Copying \(folder) into \(StoreLocation.database(to))")
            let reports = try await Migration.copy(dataFolder: folder, to: to) { report in
                let table = report.table.padding(toLength: 18, withPad: " ", startingAt: 0)
                print("  \(table) \(report.source) in the folder, \(report.copied) copied now, \(report.target) in the database")
            }
            let rows = reports.reduce(0) { $0 + $1.source }
            print("Done: all \(rows) rows are in the database. Serve from it with --database (or GROUNDWORK_DATABASE).")
        } catch let error as RecordsError {
            reportError(error.message, hint: error.hint)
            throw ExitCode(error.kind == .noRecords ? 2 : 1)
        }
    }
}
