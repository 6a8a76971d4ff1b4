import Foundation
import Testing

/// `groundwork staff` end to end: the first coordinator's link, the list, and mistakes.
@Suite struct StaffCommandTests {
    func run(_ arguments: [String], data: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = ServeCommandTests.binary
        process.arguments = ["staff"] + arguments + ["--data", data]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func theFirstCoordinatorGetsAOneTimeLinkAndStaffAreListed() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let empty = try run(["list"], data: data)
        #expect(empty.status == 0 && empty.output.contains("groundwork staff add NAME --role coordinator"))

        let added = try run(["add", "Ada", "--role", "coordinator", "--role", "facilitator",
                             "--base-url", "https://training.example.org/"], data: data)
        #expect(added.status == 0, "\(added.output)")
        #expect(added.output.contains("https://training.example.org/staff/welcome/"))
        #expect(added.output.contains("24 hours"))
        let list = try run(["list"], data: data)
        #expect(list.output.contains("Ada\tcoordinator and facilitator\tno password yet\ttwo-step off"))

        let again = try run(["add", "ada", "--role", "facilitator"], data: data)
        #expect(again.status == 2 && again.output.contains("already exists"))
        let reset = try run(["reset", "Ada"], data: data)
        #expect(reset.status == 0 && reset.output.contains("/staff/welcome/"))
        let lastCoordinator = try run(["remove", "Ada"], data: data)
        #expect(lastCoordinator.status == 1 && lastCoordinator.output.contains("only coordinator"))
        let unknown = try run(["remove", "Nobody"], data: data)
        #expect(unknown.status == 2 && unknown.output.contains("staff list"))
        let noRole = try run(["add", "Bea"], data: data)
        #expect(noRole.status == 64 && noRole.output.contains("--role"))
        let badRole = try run(["add", "Bea", "--role", "boss"], data: data)
        #expect(badRole.status == 64 && badRole.output.contains("coordinator"))

        #expect(try run(["add", "Bea", "--role", "coordinator"], data: data).status == 0)
        let removed = try run(["remove", "Ada"], data: data)
        #expect(removed.status == 0 && removed.output.contains("Removed Ada"))
    }
}
