import CurriculumKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Runtime
import SQLiteStore
@testable import TrainingServer

enum Fixtures {
    static func path(_ name: String) -> String {
        Bundle.module.bundleURL.appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    /// The repository's Templates folder.
    static var templates: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates").path
    }

    static func course(_ name: String = "course") throws -> Curriculum {
        let result = CurriculumCompiler.compile(path: path(name))
        guard let curriculum = result.curriculum else { throw ServerError("fixture course doesn't compile: \(result.diagnostics)") }
        return curriculum
    }
}

/// A web app over the fixture course in a fresh data folder, tested through the router (no port).
struct TestSite {
    let folder: String
    let coursework: Coursework
    let key: [UInt8]
    let store: SQLiteStore
    let hasher: ResumeCodeHasher

    /// `course` names a fixture course folder: `course` (two modules), or `practical-course`
    /// (a required practical skill and one group session).
    init(course: String = "course", resumeTries: Int = 10, siteResumeFailures: Int = 500, requireTwoStep: Bool = false,
         trustedProxies: Set<String> = [], baseURL: String? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-web-\(UUID().uuidString)").path
        let data = DataFolder(path: folder)
        (store, hasher) = try data.open()
        coursework = Coursework(curriculum: try Fixtures.course(course), store: store, hasher: hasher)
        key = try data.secretKey()
        configuration = .init(templates: Fixtures.templates, resumeFailuresPer15Minutes: resumeTries,
                              siteResumeFailuresPer15Minutes: siteResumeFailures, trustedProxies: trustedProxies,
                              requireTwoStepForCoordinators: requireTwoStep, bcryptCost: 4, baseURL: baseURL)
    }

    let configuration: TrainingServer.Configuration

    /// Staff accounts over the same store (quick bcrypt).
    var staff: StaffAccounts { StaffAccounts(store: store, bcryptCost: 4) }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs `body` with a client of the app.
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = try await TrainingServer.router(coursework: coursework, store: store, secretKey: key,
                                                     configuration: configuration)
        let app = Application(router: router)
        try await app.test(.router, body)
    }
}

/// One visitor: keeps the session cookie between requests and reads CSRF tokens from pages.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    /// The cookies the app set, by name (a real browser would scope gw_staff to /staff;
    /// sending it everywhere only makes the tests stricter).
    private(set) var cookies: [String: String] = [:]
    private(set) var lastPage = ""
    /// Extra headers sent with every request (X-Forwarded-For, in the proxy tests).
    var extraHeaders: HTTPFields = [:]

    /// The Cookie header this visitor sends.
    var cookie: String? {
        cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    init(_ client: any TestClientProtocol) { self.client = client }

    struct Page {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: String
        var location: String? { headers[.location] }
    }

    @discardableResult
    func get(_ path: String) async throws -> Page {
        var headers = extraHeaders
        if let cookie { headers[.cookie] = cookie }
        let response = try await client.execute(uri: path, method: .get, headers: headers)
        return remember(response)
    }

    /// Posts a form; the page's CSRF token is added unless `csrf` is given (nil-able with `withToken: false`).
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], withToken: Bool = true, csrf: String? = nil) async throws -> Page {
        var fields = fields
        if withToken { fields.append(("csrf", csrf ?? token ?? "")) }
        let body = fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        var headers = extraHeaders
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let cookie { headers[.cookie] = cookie }
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        return remember(response)
    }

    /// Follows a redirect.
    func follow(_ page: Page) async throws -> Page {
        guard let location = page.location else { return page }
        return try await get(location)
    }

    /// The CSRF token on the last page.
    var token: String? { Browser.value(of: "csrf", in: lastPage) }

    static func value(of name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// Replaces a cookie with `name=value` as typed (for forged-cookie tests), or all of them with nil.
    func setCookie(_ pair: String?) {
        guard let pair else { cookies = [:]; return }
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        cookies[parts[0]] = parts.count > 1 ? parts[1] : ""
    }

    /// Forgets one cookie (another device, or a browser that lost it).
    func dropCookie(_ name: String) { cookies[name] = nil }

    private func remember(_ response: TestResponse) -> Page {
        for header in response.headers[values: .setCookie] {
            guard let pair = header.split(separator: ";").first else { continue }
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if header.contains("Max-Age=0") || parts.count < 2 || parts[1].isEmpty { cookies[parts[0]] = nil } else { cookies[parts[0]] = parts[1] }
        }
        let body = String(buffer: response.body)
        if response.status == .ok || response.status.code >= 400 { lastPage = body }
        return Page(status: response.status, headers: response.headers, body: body)
    }

    private func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
