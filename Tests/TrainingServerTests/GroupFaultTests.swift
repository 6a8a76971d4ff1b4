import Foundation
import Runtime
import SQLiteStore
import Testing
@testable import TrainingServer

/// A group session survives the server being killed mid-question: after a restart it is at
/// the same slide, the tally equals the answer rows, and answers already sent are kept.
@Suite struct GroupFaultTests {
    /// A visitor over plain HTTP/1.1 on a socket: keeps cookies, never follows redirects.
    final class Visitor {
        var port: Int
        var cookies: [String: String] = [:]
        var lastPage = ""

        init(port: Int) { self.port = port }

        struct Reply {
            var status: Int
            var headers: [(String, String)]
            var body: String
            func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        }

        func get(_ path: String) throws -> Reply { try send("GET", path, body: nil) }

        func post(_ path: String, _ fields: [(String, String)]) throws -> Reply {
            var fields = fields
            fields.append(("csrf", Browser.value(of: "csrf", in: lastPage) ?? ""))
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            return try send("POST", path, body: body)
        }

        /// A socket connected to the server on loopback.
        static func connected(port: Int) throws -> Int32 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw ServerError("no socket") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            guard connected else {
                close(fd)
                throw ServerError("can't connect to port \(port)")
            }
            return fd
        }

        private func send(_ method: String, _ path: String, body: String?) throws -> Reply {
            let fd = try Self.connected(port: port)
            defer { close(fd) }
            var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
            if !cookies.isEmpty { request += "Cookie: " + cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") + "\r\n" }
            if let body { request += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n" }
            request += "\r\n" + (body ?? "")
            let bytes = Array(request.utf8)
            var sent = 0
            while sent < bytes.count {
                let count = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { throw ServerError("write failed") }
                sent += count
            }
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count <= 0 { break }
                data += buffer[0..<count]
            }
            let text = String(decoding: data, as: UTF8.self)
            guard let split = text.range(of: "\r\n\r\n") else { throw ServerError("no reply") }
            let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
            let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
            var headers: [(String, String)] = []
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = String(line[..<colon])
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                headers.append((name, value))
                if name.lowercased() == "set-cookie", let pair = value.split(separator: ";").first {
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    if parts.count == 2 { cookies[parts[0]] = parts[1] }
                }
            }
            var body = String(text[split.upperBound...])
            if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.contains("chunked") }) {
                body = Self.unchunk(body)
            }
            if status == 200 || status >= 400 { lastPage = body }
            return Reply(status: status, headers: headers, body: body)
        }

        static func unchunk(_ text: String) -> String {
            var out = ""
            var rest = Substring(text)
            while let end = rest.range(of: "\r\n"), let size = Int(rest[..<end.lowerBound], radix: 16), size > 0 {
                let start = end.upperBound
                let bytes = Array(rest[start...].utf8)
                out += String(decoding: bytes.prefix(size), as: UTF8.self)
                rest = Substring(String(decoding: bytes.dropFirst(size + 2), as: UTF8.self))
            }
            return out
        }
    }

    func startServer(data: String, port: Int) async throws -> Process {
        let process = Process()
        process.executableURL = ServeCommandTests.binary
        process.arguments = ["serve", "--course", Fixtures.path("course"), "--data", data, "--port", String(port),
                             "--templates", Fixtures.templates]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<300 {
            if (try? Visitor(port: port).get("/health").status) == 200 { return process }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw ServerError("the server didn't start on port \(port)")
    }

    /// Bea, a facilitator with a password, in the data folder.
    func addFacilitator(data: String) async throws {
        let (store, _) = try DataFolder(path: data).open()
        let staff = StaffAccounts(store: store, bcryptCost: 4)
        let (_, link) = try await staff.add(name: "Bea", roles: [.facilitator], by: .commandLine)
        _ = try await staff.choosePassword(token: link, password: StaffRouteTests.password, confirmation: StaffRouteTests.password)
    }

    /// Signs Bea in and opens a session over the module `second`; returns its control path.
    func openSession(_ facilitator: Visitor) throws -> String {
        _ = try facilitator.get("/staff")
        #expect(try facilitator.post("/staff/sign-in", [("name", "Bea"), ("password", StaffRouteTests.password)]).status == 303)
        _ = try facilitator.get("/staff/sessions")
        return try #require(try facilitator.post("/staff/sessions", [("module", "second")]).header("location"))
    }

    @Test func killedMidQuestionTheSessionResumesWithEveryAnswerCountedOnce() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-fault-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await addFacilitator(data: data)
        let port = ServeCommandTests.freePort()
        var server = try await startServer(data: data, port: port)
        defer { if server.isRunning { server.terminate() } }

        let facilitator = Visitor(port: port)
        let control = try openSession(facilitator)
        var page = try facilitator.get(control)
        let code = try #require(page.body.range(of: "code <strong>").map { String(page.body[$0.upperBound...].prefix(7)).filter(\.isNumber) })
        var presses = 0
        while !page.body.contains("control-reveal"), presses < 20 {
            let version = Browser.value(of: "version", in: page.body) ?? ""
            #expect(try facilitator.post(control + "/control", [("action", "next"), ("version", version)]).status == 303)
            page = try facilitator.get(control)
            presses += 1
        }
        let slide = try #require(page.body.range(of: "Slide ").map { String(page.body[$0.lowerBound...].prefix(14)) })

        var phones: [Visitor] = []
        for index in 0..<3 {
            let phone = Visitor(port: port)
            _ = try phone.get("/join")
            #expect(try phone.post("/join", [("code", code)]).header("location") == "/live")
            let live = try phone.get("/live")
            let poll = try #require(Browser.value(of: "poll", in: live.body))
            #expect(try phone.post("/live/answer", [("poll", poll), ("answer", index == 0 ? "b" : "a")]).status == 303, "acknowledged")
            phones.append(phone)
        }

        // kill -9 mid-question: no graceful anything.
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        let sessionID = String(control.split(separator: "/").last ?? "")
        do {
            let (store, _) = try DataFolder(path: data).open()
            let tally = try await store.tally(sessionID: sessionID, pollKey: "second/pick-the-right-one")
            #expect(tally.counts == [.choice("a"): 2, .choice("b"): 1], "every acknowledged answer is on disk, once")
        }

        let newPort = ServeCommandTests.freePort()
        server = try await startServer(data: data, port: newPort)
        facilitator.port = newPort
        let resumed = try facilitator.get(control)
        #expect(resumed.status == 200)
        #expect(resumed.body.contains(slide), "the same slide: \(slide)")
        #expect(resumed.body.contains("3 answered"))
        for phone in phones { phone.port = newPort }
        let again = try phones[0].get("/live")
        #expect(again.body.contains("Your answer is in"), "the participant's token still works and their answer is kept")
        let poll = try #require(Browser.value(of: "poll", in: again.body))
        _ = try phones[0].post("/live/answer", [("poll", poll), ("answer", "a")])
        #expect(try facilitator.get(control).body.contains("3 answered"), "a changed answer still counts once")
        server.terminate()
        server.waitUntilExit()
        let (store, _) = try DataFolder(path: data).open()
        #expect(try await store.tally(sessionID: sessionID, pollKey: "second/pick-the-right-one").counts == [.choice("a"): 3])
    }

    @Test func aServerAskedToStopClosesItsLiveStreamsAndStops() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-stop-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await addFacilitator(data: data)
        let port = ServeCommandTests.freePort()
        let server = try await startServer(data: data, port: port)
        defer { if server.isRunning { server.terminate() } }
        let facilitator = Visitor(port: port)
        let control = try openSession(facilitator)

        // A projector following the session: a stream that never ends by itself.
        let fd = try Visitor.connected(port: port)
        defer { close(fd) }
        let cookie = facilitator.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let request = Array("GET \(control)/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(cookie)\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var received = ""
        while !received.contains("event: state") {
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { break }
            received += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        #expect(received.contains("text/event-stream") && received.contains("event: state"))

        kill(server.processIdentifier, SIGTERM)
        // A watchdog, not a timing check: if the stream held the shutdown up, the test fails
        // instead of hanging.
        let pid = server.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: .seconds(30))
            kill(pid, SIGKILL)
        }
        server.waitUntilExit()
        watchdog.cancel()
        #expect(server.terminationReason == .exit && server.terminationStatus == 0, "it stopped by itself, cleanly")
    }
}
