import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Runtime
import SQLiteStore
import Testing
@testable import TrainingServer

/// What an attack run against `groundwork serve` found, each with a test that failed before the fix.
@Suite struct HardeningTests {
    /// Two servers on one store (as behind a proxy) count the same wrong codes: a guesser
    /// can't double their tries by landing on the other server.
    @Test func twoServersOnOneStoreShareTheResumeLimit() async throws {
        let site = try TestSite(resumeTries: 3)
        defer { site.remove() }
        let (_, code) = try await site.coursework.register(displayName: "Sam")
        let other = Application(router: try await TrainingServer.router(coursework: site.coursework, store: site.store, secretKey: site.key,
                                                                         configuration: site.configuration))
        try await site.test { first in
            let guesser = Browser(first)
            try await guesser.get("/")
            for _ in 0..<3 {
                #expect(try await guesser.post("/resume", [("code", "wrong wrong wrong wrong")]).status == .badRequest)
            }
            try await other.test(.router) { second in
                let elsewhere = Browser(second)
                try await elsewhere.get("/")
                let limited = try await elsewhere.post("/resume", [("code", code.description)])
                #expect(limited.status == .tooManyRequests, "the other server knows the three wrong codes")
            }
        }
    }

    @Test func resumeLimitCountsOnlyCodesThatDoNotMatch() async throws {
        let site = try TestSite(resumeTries: 3)
        defer { site.remove() }
        let (_, code) = try await site.coursework.register(displayName: "Sam")
        try await site.test { client in
            // A shared front desk: many people resume from one address, and none is held up.
            for _ in 0..<6 {
                let browser = Browser(client)
                try await browser.get("/")
                let page = try await browser.post("/resume", [("code", code.description)])
                #expect(page.status == .seeOther, "a right code never counts against the limit")
            }
            let guesser = Browser(client)
            try await guesser.get("/")
            for _ in 0..<3 {
                #expect(try await guesser.post("/resume", [("code", "wrong wrong wrong wrong")]).status == .badRequest)
            }
            let limited = try await guesser.post("/resume", [("code", code.description)])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.body.contains("Wait 15 minutes"))
        }
    }

    @Test func theSiteHasACeilingOnWrongCodes() async throws {
        let limiter = FailureLimiter(perKey: 10, siteWide: 5, window: 900)
        for index in 0..<5 { await limiter.recordFailure("client-\(index)") }
        #expect(await limiter.isBlocked("someone-new"), "guessers spread over many addresses hit the site-wide ceiling")
        let later = Date().addingTimeInterval(901)
        #expect(await !limiter.isBlocked("someone-new", now: later), "and it lifts when the window passes")
    }

    @Test func clientsAreKeyedByAddressWithIPv6ByItsSlash64() {
        let none: Set<String> = []
        #expect(ClientAddress.key(peer: "2001:db8:1:2::17", forwardedFor: nil, trustedProxies: none)
                == ClientAddress.key(peer: "2001:db8:1:2:ffff:1:2:3", forwardedFor: nil, trustedProxies: none),
                "every address in one /64 is one client")
        #expect(ClientAddress.key(peer: "2001:db8:1:2::17", forwardedFor: nil, trustedProxies: none)
                != ClientAddress.key(peer: "2001:db8:1:3::17", forwardedFor: nil, trustedProxies: none))
        #expect(ClientAddress.key(peer: "203.0.113.9", forwardedFor: nil, trustedProxies: none) == "203.0.113.9")
        #expect(ClientAddress.key(peer: "::ffff:203.0.113.9", forwardedFor: nil, trustedProxies: none) == "203.0.113.9")
        // X-Forwarded-For is believed only from a named proxy, and read from the right.
        #expect(ClientAddress.key(peer: "198.51.100.1", forwardedFor: "203.0.113.9", trustedProxies: none) == "198.51.100.1")
        let proxy: Set<String> = ["127.0.0.1"]
        #expect(ClientAddress.key(peer: "127.0.0.1", forwardedFor: "203.0.113.9", trustedProxies: proxy) == "203.0.113.9")
        #expect(ClientAddress.key(peer: "127.0.0.1", forwardedFor: "6.6.6.6, 203.0.113.9", trustedProxies: proxy) == "203.0.113.9",
                "a client can't choose its key by sending its own header")
        #expect(ClientAddress.key(peer: "127.0.0.1", forwardedFor: "[2001:db8::5]:443, 127.0.0.1", trustedProxies: proxy)
                == "2001:db8:0:0::/64")
    }

    @Test func theResumeCodeIsShownOnceAndNeverRidesInTheCookie() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let browser = Browser(client)
            try await browser.get("/")
            let started = try await browser.post("/start", [("name", "Robin")])
            let cookie = try #require(browser.cookie)
            let welcome = try await browser.follow(started)
            let code = try #require(welcome.body.range(of: #"class="code""#).flatMap { start in
                welcome.body[start.upperBound...].range(of: "<strong>").map { range in
                    String(welcome.body[range.upperBound...].prefix { $0 != "<" })
                }
            })
            #expect(code.split(separator: "-").count == 4)
            for word in code.split(separator: "-") {
                #expect(!cookie.contains(word), "the cookie holds a random token, not the code")
            }
            let again = try await browser.get("/welcome")
            #expect(again.status == .seeOther, "shown once: a reload goes to the course page")
            #expect(!again.body.contains(code))
            // Nor is the code readable in the store: the flash was sealed, then removed.
            let rows = try await site.store.database.read { db in try Data.fetchAll(db, sql: "SELECT flash FROM web_session WHERE flash IS NOT NULL") }
            #expect(rows.isEmpty)
        }
    }

    @Test func signingOutEndsTheSessionForEveryCopyOfTheCookie() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let browser = Browser(client)
            try await browser.get("/")
            _ = try await browser.follow(try await browser.post("/start", [("name", "Robin")]))
            let copied = try #require(browser.cookies["gw_session"])
            #expect(try await browser.get("/").body.contains("Robin"))
            let out = try await browser.post("/sign-out", [])
            #expect(out.status == .seeOther)
            let thief = Browser(client)
            thief.setCookie("gw_session=\(copied)")
            let home = try await thief.get("/")
            #expect(home.body.contains("Start the course") && !home.body.contains("Robin"), "the old cookie signs nobody in")
        }
    }

    @Test func headAnswersLikeGetWithoutABody() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            for path in ["/", "/health", "/style.css"] {
                let response = try await client.execute(uri: path, method: .head)
                #expect(response.status == .ok, "HEAD \(path)")
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.contentSecurityPolicy] != nil)
            }
            #expect(try await client.execute(uri: "/no-such-page", method: .head).status == .notFound)
        }
    }

    // MARK: On a real socket

    /// `groundwork serve` as a process on a free port, with a short request timeout (1 second
    /// unless given) and at most 4 connections per client. (Connection handling lives in the HTTP server's
    /// pipeline, so only a real socket reaches it.)
    func live(requestTimeout: Int = 1, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let port = ServeCommandTests.freePort()
        let process = Process()
        process.executableURL = ServeCommandTests.binary
        process.arguments = ["serve", "--course", Fixtures.path("course"), "--data", data, "--port", String(port),
                             "--templates", Fixtures.templates, "--request-timeout", String(requestTimeout), "--connections-per-client", "4"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { kill(process.processIdentifier, SIGTERM); process.waitUntilExit() }
        var up = false
        for _ in 0..<600 where !up {
            if let socket = try? RawSocket(port: port) {
                socket.close()
                up = true
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try #require(up, "the server started")
        try await Task.sleep(for: .milliseconds(100))
        try await body(port)
    }

    @Test func aHalfSentRequestIsClosedAfterTheTimeout() async throws {
        try await live { port in
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            try socket.send("GET / HTTP/1.1\r\nHost: x\r\n")
            let start = ContinuousClock.now
            let answer = socket.readUntilClosed(limit: .seconds(8))
            #expect(answer.closed, "the server closed the connection")
            #expect(ContinuousClock.now - start < .seconds(6))
            #expect(answer.text.isEmpty, "nothing was answered to half a request")
        }
    }

    @Test func connectionsPerClientAreCapped() async throws {
        // A long timeout, so the four held connections stay open however slow the machine is.
        try await live(requestTimeout: 60) { port in
            let held = try (0..<4).map { _ in try RawSocket(port: port) }
            defer { held.forEach { $0.close() } }
            try await Task.sleep(for: .milliseconds(200))
            let extra = try RawSocket(port: port)
            defer { extra.close() }
            try? extra.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = extra.readUntilClosed(limit: .seconds(3))
            #expect(answer.closed && !answer.text.contains("200"), "the fifth connection from one address is closed unanswered")
        }
    }

    @Test func theParsersOwn400CarriesTheSecurityHeaders() async throws {
        try await live { port in
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            try socket.send("NOT A REQUEST\r\n\r\n")
            let answer = socket.readUntilClosed(limit: .seconds(5))
            #expect(answer.text.hasPrefix("HTTP/1.1 400"))
            let lower = answer.text.lowercased()
            #expect(lower.contains("content-security-policy: default-src 'self'"))
            #expect(lower.contains("x-content-type-options: nosniff"))
            #expect(lower.contains("x-frame-options: deny"))
            #expect(lower.contains("referrer-policy: no-referrer"))
        }
    }
}

/// A blocking TCP socket to 127.0.0.1, for sending what no HTTP client would.
final class RawSocket: @unchecked Sendable {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw POSIXError(.EPIPE) }
    }

    /// Reads until the server closes the connection or `limit` passes.
    func readUntilClosed(limit: Duration) -> (text: String, closed: Bool) {
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + limit
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { continue }
                return (String(decoding: received, as: UTF8.self), true)  // reset by the server
            }
            received += buffer[0..<count]
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    func close() { Glibc.close(fd) }
}
