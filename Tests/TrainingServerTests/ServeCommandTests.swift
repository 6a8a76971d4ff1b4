import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `groundwork serve` as a real process: startup failures, a live request, graceful shutdown.
@Suite struct ServeCommandTests {
    static var binary: URL {
        Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("groundwork")
    }

    struct Run {
        var status: Int32
        var output: String
    }

    /// Runs `groundwork` to completion (for commands that must fail fast).
    func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    func freePort() -> Int { Self.freePort() }

    /// A port nothing listens on: bind port 0, read what the kernel chose, close.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : Int.random(in: 20_000..<40_000)
    }

    @Test func aMistypedLogLevelIsRefusedNotIgnored() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let run = try run(["serve", "--log-level", "verbose", "--data", data, "--port", String(freePort())])
        #expect(run.status == 64, "a usage error, before anything starts")
        #expect(run.output.contains("verbose"))
        #expect(run.output.contains("debug"), "the message lists the levels")
    }

    @Test func aCourseWithErrorsStopsStartupWithItsDiagnostics() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let broken = try run(["serve", "--course", Fixtures.path("broken.md"), "--data", data, "--port", String(freePort())])
        #expect(broken.status == 1)
        #expect(broken.output.contains("broken.md:") && broken.output.contains(": error: "))
        #expect(broken.output.contains("the course has errors, so the server didn't start"))
        let noTemplates = try run(["serve", "--course", Fixtures.path("course"), "--data", data,
                                   "--templates", "/nonexistent", "--port", String(freePort())])
        #expect(noTemplates.status == 1)
        #expect(noTemplates.output.contains("template") && noTemplates.output.contains("--templates"))
    }

    @Test func aDatabaseThatCantBeUsedStopsStartupSayingWhy() throws {
        let port = freePort()
        let unreachable = try run(["serve", "--course", Fixtures.path("course"), "--port", String(freePort()),
                                   "--database", "postgresql://nobody:secret@127.0.0.1:\(port)/none"])
        #expect(unreachable.status == 1)
        #expect(unreachable.output.contains("can't connect to the PostgreSQL database at postgresql://nobody@127.0.0.1:\(port)/none"))
        #expect(unreachable.output.contains("Connection refused") && unreachable.output.contains("hint: check that PostgreSQL is running"))
        #expect(!unreachable.output.contains("secret"), "the password is never printed")
        let wrong = try run(["serve", "--course", Fixtures.path("course"), "--port", String(freePort()), "--database", "mysql://x/y"])
        #expect(wrong.status == 1 && wrong.output.contains("is not a PostgreSQL address"))
    }

    @Test func itServesAndStopsGracefullyOnSIGTERM() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let port = freePort()
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve", "--course", Fixtures.path("course"), "--data", data, "--port", String(port),
                             "--templates", Fixtures.templates]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        var body = ""
        for _ in 0..<200 {
            if let (data, _) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!) {
                body = String(decoding: data, as: UTF8.self)
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(body.contains(#""course":"practice-course""#))
        let (page, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: page, as: UTF8.self).contains("Start the course"))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let log = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(log)")
        #expect(log.contains("stopped"))
    }
}
