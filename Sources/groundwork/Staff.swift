import ArgumentParser
import Foundation
import Runtime
import Stores

/// `groundwork staff …`: the first coordinator, and staff management from the server's shell.
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Add, list, remove and reset staff accounts (coordinators and facilitators).",
        discussion: """
        Create the first coordinator here; coordinators invite everyone else from the web, \
        at /staff/people. See docs/staff.md.
        """,
        subcommands: [Add.self, List.self, Remove.self, Reset.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a staff member and print their one-time sign-in link (valid 24 hours).")

        @Argument(help: "The name they will sign in with.")
        var name: String

        @ArgumentParser.Option(name: .customLong("role"), help: "coordinator or facilitator (repeat for both).")
        var roles: [StaffRole] = []

        @OptionGroup var linkOptions: LinkOptions
        @OptionGroup var dataOptions: DataOptions

        func validate() throws {
            guard !roles.isEmpty else { throw ValidationError("give at least one --role: coordinator or facilitator") }
        }

        func run() async throws {
            try await withStaff(dataOptions) { accounts in
                let (member, token) = try await accounts.add(name: name, roles: Set(roles), by: .commandLine)
                print("Added \(member.name) (\(StaffAccounts.rolesText(member.roles))).")
                print("Send them this sign-in link. It works once, for 24 hours, to choose a password:")
                print("  \(linkOptions.link(token))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List staff: name, roles, password and two-step sign-in.")

        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            try await withStaff(dataOptions) { accounts in
                let everyone = try await accounts.everyone()
                guard !everyone.isEmpty else {
                    print("No staff yet. Add the first coordinator with: groundwork staff add NAME --role coordinator")
                    return
                }
                for member in everyone {
                    let password = member.passwordHash == nil ? "no password yet" : "password set"
                    let twoStep = member.usesTwoStep ? "two-step on" : "two-step off"
                    print("\(member.name)\t\(StaffAccounts.rolesText(member.roles))\t\(password)\t\(twoStep)")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a staff member; their sessions end at once.")

        @Argument(help: "Their name.")
        var name: String

        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            try await withStaff(dataOptions) { accounts in
                let member = try await accounts.member(named: name)
                try await accounts.remove(member, by: .commandLine)
                print("Removed \(member.name); any sessions they had are ended.")
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a staff member a new sign-in link: their password and two-step sign-in are cleared.")

        @Argument(help: "Their name.")
        var name: String

        @OptionGroup var linkOptions: LinkOptions
        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            try await withStaff(dataOptions) { accounts in
                let member = try await accounts.member(named: name)
                let token = try await accounts.reset(member, by: .commandLine)
                print("\(member.name)'s password and two-step sign-in are cleared, and their sessions ended.")
                print("Send them this sign-in link. It works once, for 24 hours:")
                print("  \(linkOptions.link(token))")
            }
        }
    }
}

/// Where sign-in links point.
struct LinkOptions: ParsableArguments {
    @ArgumentParser.Option(help: "The server's public address, for the link (default http://127.0.0.1:8080).")
    var baseURL = "http://127.0.0.1:8080"

    func link(_ token: String) -> String {
        baseURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/staff/welcome/" + token
    }
}

extension StaffRole: ExpressibleByArgument {}

/// Opens the store and the staff accounts, runs `body`, and turns a records error into a
/// message and exit status.
private func withStaff(_ options: DataOptions, _ body: (StaffAccounts) async throws -> Void) async throws {
    do {
        let opened = try await StoreFactory.open(options.location)
        try await body(StaffAccounts(store: opened.store))
    } catch let error as RecordsError {
        reportError(error.message, hint: error.hint)
        throw ExitCode(error.kind == .unknownStaff || error.category == .badInput || error.kind == .duplicate ? 2 : 1)
    }
}
