import Credentials
import CurriculumKit
import Foundation
import HTTPTypes
import Hummingbird
import QRCode
import Runtime

/// Certificates for learners and for anyone checking one:
/// - the learner claims theirs from the course page (`POST /certificate`), prints it
///   (`/certificates/CODE`) and downloads the credential (`.jwt`, `.json`); only their own;
/// - anyone verifies by code (`/verify`, `/verify/CODE`) or by uploading the file
///   (`POST /verify`), and reads the issuer's profile, JWKS and revocation list.
struct CertificateRoutes: Sendable {
    let certificates: Certificates
    let coursework: Coursework
    let pages: Pages

    /// The largest credential file the verify page takes.
    static let uploadLimit = 64 * 1024

    func register(on router: Router<WebContext>) {
        router.post("/certificate") { request, context in try await claim(request, context) }
        router.get("/certificates/:code") { request, context in try await printable(request, context) }
        router.get("/certificates/:code/credential.jwt") { request, context in try await download(request, context, json: false) }
        router.get("/certificates/:code/credential.json") { request, context in try await download(request, context, json: true) }
        router.get("/verify") { request, context in try await verifyForm(request, context) }
        router.post("/verify") { request, context in try await verifyFile(request, context) }
        router.get("/verify/:code") { request, context in try await verifyCode(request, context) }
        router.get("/issuer") { _, context in
            Self.document(certificates.issuerProfile(at: addresses(context)), type: "application/ld+json")
        }
        router.get("/.well-known/jwks.json") { _, _ in Self.document(certificates.key.jwksJSON, type: "application/json") }
        router.get("/credentials/status/1") { _, context in
            Self.document(try await certificates.statusListCredential(at: addresses(context)), type: "application/vc+jwt", cache: "no-cache")
        }
    }

    func addresses(_ context: WebContext) -> Certificates.Addresses {
        Certificates.Addresses(base: context.origin.base)
    }

    static func document(_ text: String, type: String, cache: String = "public, max-age=300") -> Response {
        Response(status: .ok, headers: [.contentType: type + "; charset=utf-8", .cacheControl: cache, .accessControlAllowOrigin: "*"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func learner(_ context: WebContext) async throws -> Learner {
        guard let id = context.session.learnerID, let learner = try await coursework.learner(id: id) else { throw Redirect(to: "/") }
        return learner
    }

    // MARK: The learner's

    private func claim(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await pages.checkedForm(request, context)
        let learner = try await learner(context)
        do {
            let record = try await certificates.claim(for: learner, name: form["name"] ?? "", at: addresses(context))
            context.logger.info("certificate issued")
            return pages.redirect(to: "/certificates/\(record.code)")
        } catch let error as RecordsError where error.kind == .badDisplayName || error.kind == .notEligible {
            return pages.redirect(to: "/?certificate=" + (error.kind == .badDisplayName ? "name" : "not-yet"))
        }
    }

    private func own(_ context: WebContext) async throws -> (Learner, CertificateRecord) {
        let learner = try await learner(context)
        guard let code = context.parameters.get("code"),
              let record = try await certificates.certificate(code: code, for: learner) else { throw HTTPError(.notFound) }
        return (learner, record)
    }

    private func printable(_ request: Request, _ context: WebContext) async throws -> Response {
        let (learner, record) = try await own(context)
        let chrome = pages.chrome(context, learner: learner)
        let verifyURL = addresses(context).verify(record.code)
        let standing = record.standing(at: Date())
        let page = CertificatePage(
            courseTitle: chrome.courseTitle, language: chrome.language, csrf: chrome.csrf, learner: chrome.learner,
            certificateName: coursework.curriculum.settings.certificate?.name ?? chrome.courseTitle, holderName: record.name ?? "",
            issuerName: certificates.issuerName, issued: record.issuedAt.map(Self.longDay) ?? "",
            validUntil: record.validUntil.map(Self.longDay), code: record.code,
            verifyBase: String(verifyURL.dropLast(record.code.count)),
            qrSVG: (try? QRCode(verifyURL).svg(label: "QR code: scan to check this certificate at \(verifyURL)")) ?? "",
            version: record.courseVersion, standingNote: standing == .valid ? nil : Self.standingNote(standing),
            standingLabel: standing == .valid ? nil : standing.rawValue.uppercased(),
            jwtURL: "/certificates/\(record.code)/credential.jwt", jsonURL: "/certificates/\(record.code)/credential.json")
        return pages.page("certificate", page, context: context)
    }

    private func download(_ request: Request, _ context: WebContext, json: Bool) async throws -> Response {
        let (_, record) = try await own(context)
        guard let token = record.credential else { throw HTTPError(.notFound) }
        let body = json ? (Certificates.decodedJSON(token) ?? "{}") : token
        let name = "certificate-\(record.code).\(json ? "json" : "jwt")"
        return Response(status: .ok, headers: [.contentType: json ? "application/json; charset=utf-8" : "application/vc+jwt",
                                               .cacheControl: "no-store", .contentDisposition: "attachment; filename=\"\(name)\""],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    // MARK: Verification

    private func verifyForm(_ request: Request, _ context: WebContext) async throws -> Response {
        if let typed = Form.query(request)["code"], !typed.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let code = CertificateCode.normalized(typed) else {
                return verifyPage(context, result: nil,
                                  error: "That isn't a certificate code. It has 11 letters and digits, like \(CertificateCode.example). Check each one and try again.",
                                  code: String(typed.prefix(40)), status: .badRequest)
            }
            return pages.redirect(to: "/verify/" + code)
        }
        return verifyPage(context, result: nil, error: nil, code: nil)
    }

    private func verifyPage(_ context: WebContext, result: VerifyResult?, error: String?, code: String?,
                            status: HTTPResponse.Status = .ok) -> Response {
        let chrome = pages.chrome(context, learner: nil)
        let page = VerifyPage(courseTitle: chrome.courseTitle, language: chrome.language, csrf: chrome.csrf, learner: nil,
                              result: result, error: error, code: code, example: CertificateCode.example)
        return pages.page("verify", page, context: context, status: status)
    }

    private func verifyCode(_ request: Request, _ context: WebContext) async throws -> Response {
        let typed = context.parameters.get("code") ?? ""
        guard let check = try await certificates.check(code: typed) else {
            let result = VerifyResult(verdict: "unknown", heading: "Not a certificate we issued",
                                      summary: "No certificate has the code \(String(typed.prefix(20))). Check the code and try again.",
                                      facts: [])
            return verifyPage(context, result: result, error: nil, code: String(typed.prefix(20)), status: .notFound)
        }
        let record = check.record
        if record.isRemoved {
            let revoked = record.revokedAt != nil
            let result = VerifyResult(
                verdict: revoked ? "revoked" : "removed",
                heading: revoked ? "Revoked" : "Issued by us; details held by its holder",
                summary: revoked ? "The issuer revoked this certificate. It is no longer valid."
                    : "This certificate was issued by \(certificates.issuerName). Its holder's records have since been removed, so we no longer keep its details. Ask them for the certificate file and check it below.",
                facts: [VerifyFact(label: "Code", value: record.code)])
            return verifyPage(context, result: result, error: nil, code: nil)
        }
        return verifyPage(context, result: result(standing: check.standing, code: record.code, course: record.courseTitle,
                                                  version: record.courseVersion, hash: record.contentHash,
                                                  issued: record.issuedAt, until: record.validUntil), error: nil, code: nil)
    }

    private func verifyFile(_ request: Request, _ context: WebContext) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.uploadLimit + 4096)
        } catch {
            return verifyPage(context, result: nil, error: "That file is too big to be a certificate. Certificate files are a few kilobytes.",
                              code: nil, status: .contentTooLarge)
        }
        let contentType = request.headers[.contentType] ?? ""
        var token: String?
        if contentType.lowercased().hasPrefix("multipart/form-data") {
            let parts = Multipart.parse(Array(body.readableBytesView), contentType: contentType)
            token = parts["file"].flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
                ?? parts["credential"].map { String(decoding: $0, as: UTF8.self) }
        } else {
            token = Form(String(buffer: body))["credential"]
        }
        guard var text = token?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            return verifyPage(context, result: nil, error: "Choose the certificate file (.jwt) to check, or paste its text.", code: nil,
                              status: .badRequest)
        }
        // A .json download holds no signature of its own: point to the .jwt.
        if text.hasPrefix("{") {
            return verifyPage(context, result: nil,
                              error: "That is the readable copy (.json), which has no signature to check. Upload the .jwt file instead.",
                              code: nil, status: .badRequest)
        }
        text = String(text.prefix(Self.uploadLimit))
        let check = try await certificates.check(credential: text)
        guard let credential = check.credential else {
            let result = VerifyResult(verdict: "invalid", heading: "Not valid",
                                      summary: sentence(check.reason ?? "this isn't a certificate we issued"), facts: [])
            return verifyPage(context, result: result, error: nil, code: nil)
        }
        let standing: CertificateRecord.Standing
        switch check.verdict {
        case .valid: standing = .valid
        case .expired: standing = .expired
        case .revoked: standing = .revoked
        case .notYetValid: standing = .notYetValid
        case .invalid: standing = .revoked
        }
        let achievement = credential.credentialSubject.achievement
        return verifyPage(context, result: result(standing: standing, code: nil, course: achievement.name, version: achievement.version,
                                                  hash: credential.contentHash, issued: CredentialVerifier.date(credential.validFrom),
                                                  until: credential.validUntil.flatMap(CredentialVerifier.date)),
                          error: nil, code: nil)
    }

    private func result(standing: CertificateRecord.Standing, code: String?, course: String?, version: String?, hash: String?,
                        issued: Date?, until: Date?) -> VerifyResult {
        var facts = [VerifyFact(label: "Issued by", value: certificates.issuerName)]
        if let course { facts.append(VerifyFact(label: "Course", value: course)) }
        if let version { facts.append(VerifyFact(label: "Course version", value: version)) }
        if let hash { facts.append(VerifyFact(label: "Content version", value: String(hash.prefix(12)))) }
        if let issued { facts.append(VerifyFact(label: "Issued", value: Self.longDay(issued))) }
        facts.append(VerifyFact(label: "Valid until", value: until.map(Self.longDay) ?? "No end date"))
        if let code { facts.append(VerifyFact(label: "Code", value: code)) }
        let heading: String
        switch standing {
        case .valid: heading = "Valid"
        case .expired: heading = "Expired"
        case .revoked: heading = "Revoked"
        case .notYetValid: heading = "Not yet valid"
        }
        return VerifyResult(verdict: standing == .notYetValid ? "not-yet-valid" : standing.rawValue, heading: heading,
                            summary: Self.standingNote(standing), facts: facts)
    }

    static func standingNote(_ standing: CertificateRecord.Standing) -> String {
        switch standing {
        case .valid: return "This certificate was issued by us and is valid today."
        case .expired: return "This certificate was issued by us, but it has expired. Its holder can renew it."
        case .revoked: return "The issuer revoked this certificate. It is no longer valid."
        case .notYetValid: return "This certificate isn't valid yet."
        }
    }

    static func longDay(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .long, time: .omitted, timeZone: TimeZone(identifier: "UTC") ?? .current))
    }
}

/// Just enough of `multipart/form-data` (RFC 7578) for the verify page's upload: each
/// part's name and bytes.
enum Multipart {
    static func parse(_ body: [UInt8], contentType: String) -> [String: [UInt8]] {
        guard let range = contentType.range(of: "boundary=") else { return [:] }
        var boundary = String(contentType[range.upperBound...])
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard !boundary.isEmpty else { return [:] }
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [String: [UInt8]] = [:]
        var starts: [Int] = []
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            starts.append(found)
            index = found + delimiter.count
        }
        for (first, next) in zip(starts, starts.dropFirst()) {
            var part = Array(body[(first + delimiter.count)..<next])
            if part.starts(with: [13, 10]) { part.removeFirst(2) }
            if part.suffix(2) == [13, 10] { part.removeLast(2) }
            guard let split = find([13, 10, 13, 10], in: part, from: 0) else { continue }
            let headers = String(decoding: part[..<split], as: UTF8.self)
            // `name="…"`, not the `filename="…"` that may come before it.
            guard let nameRange = headers.range(of: "; name=\"") ?? headers.range(of: " name=\"") else { continue }
            let rest = headers[nameRange.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { continue }
            parts[String(rest[..<end])] = Array(part[(split + 4)...])
        }
        return parts
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}
