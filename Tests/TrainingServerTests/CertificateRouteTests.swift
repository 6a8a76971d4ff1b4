import CurriculumKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Runtime
import SQLiteStore
import Testing
@testable import TrainingServer

/// Base64url without padding, as JWTs use it.
enum JWTBase64 {
    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A learner who finished the course, signed in, and the certificate they claimed.
struct Holder {
    var browser: Browser
    var learner: Learner
    var code: String
}

extension TestSite {
    /// A learner who signs up, passes every module and claims a certificate under `printed`.
    func holder(_ client: any TestClientProtocol, name: String = "Robin Sparrow", printed: String = "Robin Quillfeather") async throws -> Holder {
        let browser = Browser(client)
        let learner = try await coursework.learner(resumeCode: try await signUp(browser, name: name))
        try await complete(learner)
        try await browser.get("/")
        let claimed = try await browser.post("/certificate", [("name", printed)])
        #expect(claimed.status == .seeOther)
        let location = try #require(claimed.location)
        #expect(location.hasPrefix("/certificates/"), "\(location)")
        return Holder(browser: browser, learner: learner, code: String(location.dropFirst("/certificates/".count)))
    }

    /// Certificates in the store.
    func certificateCount() async throws -> Int {
        try await store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM certificate") ?? -1 }
    }
}

/// Uploads `file` to the verify page as a browser's file field would send it.
func uploadToVerify(_ client: any TestClientProtocol, _ file: String, field: String = "file",
                    filename: String = "certificate.jwt") async throws -> Browser.Page {
    let boundary = "----GroundworkBoundary\(UUID().uuidString.prefix(8))"
    let body = "--\(boundary)\r\n"
        + "Content-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n"
        + file + "\r\n"
        + "--\(boundary)--\r\n"
    let response = try await client.execute(uri: "/verify", method: .post,
                                            headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                                            body: ByteBuffer(string: body))
    return Browser.Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
}

/// The heading of a verify page's result.
func verdict(_ body: String) -> String? {
    guard let start = body.range(of: #"<h2 id="result-heading">"#) else { return nil }
    return String(body[start.upperBound...].prefix { $0 != "<" })
}

/// Certificates for learners (claiming, printing, downloading their own) and for anyone
/// checking one (by code, by file), the issuer's documents, and what coordinators do
/// with certificates (the expiring list, revoking).
@Suite struct CertificateRouteTests {
    // MARK: Whose certificate

    @Suite struct Authorisation {
        @Test func onlyTheHolderOpensTheirCertificateAndItsFiles() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let robin = try await site.holder(client)
                let sam = try await site.holder(client, name: "Sam Other", printed: "Samuel Printed")
                let paths = ["/certificates/\(robin.code)", "/certificates/\(robin.code)/credential.jwt",
                             "/certificates/\(robin.code)/credential.json"]
                for path in paths {
                    #expect(try await robin.browser.get(path).status == .ok, "the holder opens \(path)")
                    let signedOut = try await Browser(client).get(path)
                    #expect(signedOut.status == .seeOther && signedOut.location == "/", "signed out: \(path) → \(signedOut.status)")
                    let other = try await sam.browser.get(path)
                    #expect(other.status == .notFound, "another learner: \(path) → \(other.status)")
                    #expect(!other.body.contains("Robin Quillfeather") && !other.body.contains("eyJ"), "nothing of it shows")
                }
                // Nor by a typed variant of the code, nor a code that isn't one.
                #expect(try await sam.browser.get("/certificates/\(robin.code.lowercased())").status == .notFound)
                #expect(try await sam.browser.get("/certificates/nonsense/credential.jwt").status == .notFound)
                // A forged session is nobody.
                let forger = Browser(client)
                forger.setCookie("gw_session=s.\(robin.learner.id)")
                #expect(try await forger.get(paths[0]).location == "/")
            }
        }

        @Test func aLearnerWhoHasntFinishedGetsNoCertificate() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let browser = Browser(client)
                let robin = try await site.coursework.learner(resumeCode: try await signUp(browser, name: "Robin Sparrow"))
                #expect(try await site.take("practice", for: robin), "one module of two")
                let home = try await browser.get("/")
                #expect(!home.body.contains(#"action="/certificate""#), "no claim form yet")
                #expect(home.body.contains("When you&#39;ve passed the modules, you can get your certificate here.") || home.body.contains("When you've passed the modules, you can get your certificate here."))
                let claimed = try await browser.post("/certificate", [("name", "Robin Quillfeather")])
                #expect(claimed.status == .seeOther && claimed.location == "/?certificate=not-yet")
                #expect(try await site.certificateCount() == 0, "nothing issued")
                // Signed out, or without the form token: nothing either.
                let visitor = Browser(client)
                try await visitor.get("/")
                #expect(try await visitor.post("/certificate", [("name", "Someone")]).location == "/")
                try await site.complete(robin)
                try await browser.get("/")
                #expect(try await browser.post("/certificate", [("name", "Robin")], withToken: false).status == .forbidden)
                #expect(try await site.certificateCount() == 0)
            }
        }
    }

    // MARK: Claiming, printing, downloading

    @Suite struct Claiming {
        @Test func aCompletedLearnerClaimsPrintsAndDownloadsTheirCertificate() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let browser = Browser(client)
                let robin = try await site.coursework.learner(resumeCode: try await signUp(browser, name: "Robin Sparrow"))
                try await site.complete(robin)
                let home = try await browser.get("/")
                #expect(home.body.contains(#"<form method="post" action="/certificate">"#), "the claim form")
                #expect(home.body.contains(#"name="name""#) && home.body.contains("Get my certificate"))

                // A name the rules refuse sends them back to say so.
                let badName = try await browser.post("/certificate", [("name", "   ")])
                #expect(badName.location == "/?certificate=name")
                #expect(try await browser.follow(badName).body.contains(#"id="certificate-error""#))
                #expect(try await site.certificateCount() == 0)

                let claimed = try await browser.post("/certificate", [("name", "Robin Quillfeather")])
                #expect(claimed.status == .seeOther)
                let location = try #require(claimed.location)
                #expect(location.hasPrefix("/certificates/"))
                let code = String(location.dropFirst("/certificates/".count))
                #expect(CertificateCode.normalized(code) == code, "a well-formed code: \(code)")

                let page = try await browser.get(location)
                #expect(page.status == .ok)
                #expect(page.body.contains(#"<p class="certificate-name" id="holder-name">Robin Quillfeather</p>"#))
                #expect(page.body.contains(#"<dd id="certificate-code">\#(code)</dd>"#))
                #expect(page.body.contains("<svg"), "a QR code")
                #expect(page.body.contains("/verify/\(code)"), "and the address it points to")
                #expect(page.body.contains("Practice Certificate"))
                #expect(page.body.contains("credential.jwt") && page.body.contains("credential.json"))
                #expect(!page.body.contains("<script"))

                let jwt = try await browser.get("\(location)/credential.jwt")
                #expect(jwt.status == .ok)
                #expect(jwt.headers[.contentType] == "application/vc+jwt")
                #expect(jwt.headers[.contentDisposition] == "attachment; filename=\"certificate-\(code).jwt\"")
                let parts = jwt.body.split(separator: ".", omittingEmptySubsequences: false)
                #expect(parts.count == 3, "a three-part JWT")
                #expect(parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } })
                let header = try #require(JWTBase64.decode(String(parts[0])))
                let headerJSON = try #require(try JSONSerialization.jsonObject(with: header) as? [String: Any])
                #expect(headerJSON["alg"] as? String == "RS256")

                let json = try await browser.get("\(location)/credential.json")
                #expect(json.status == .ok)
                #expect(json.headers[.contentType] == "application/json; charset=utf-8")
                let object = try #require(try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any])
                #expect((object["type"] as? [String])?.contains("OpenBadgeCredential") == true)
                #expect(json.body.contains("OpenBadgeCredential"))

                // Holding a valid certificate: the course page links to it; a second claim is refused.
                let after = try await browser.get("/")
                #expect(after.body.contains(#"href="/certificates/\#(code)""#) && !after.body.contains(#"action="/certificate""#))
                let again = try await browser.post("/certificate", [("name", "Robin Twice")])
                #expect(again.location == "/?certificate=not-yet")
                #expect(try await site.certificateCount() == 1, "still one certificate")
            }
        }
    }

    // MARK: Verifying

    @Suite struct Verifying {
        @Test func anyoneChecksACertificateByCodeWithoutSeeingTheName() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let robin = try await site.holder(client)
                let checker = Browser(client)
                let page = try await checker.get("/verify/\(robin.code)")
                #expect(page.status == .ok)
                #expect(verdict(page.body) == "Valid")
                #expect(page.body.contains("verify-valid") && page.body.contains(robin.code))
                #expect(page.body.contains("<dt>Valid until</dt>") && page.body.contains("Practice Course"))
                #expect(!page.body.contains("Quillfeather") && !page.body.contains("Robin"), "the printed name and display name stay private")

                // The form's way there: a typed code, forgiving case and spaces.
                let typed = robin.code.lowercased().replacingOccurrences(of: "-", with: " ")
                let redirected = try await checker.get("/verify?code=\(typed.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? typed)")
                #expect(redirected.status == .seeOther && redirected.location == "/verify/\(robin.code)")
                let form = try await checker.get("/verify")
                #expect(form.status == .ok && verdict(form.body) == nil && form.body.contains(#"enctype="multipart/form-data""#))

                let garbage = try await checker.get("/verify?code=garbage")
                #expect(garbage.status == .badRequest)
                #expect(garbage.body.contains(#"id="verify-error""#))
                #expect(garbage.body.contains("a certificate code. It has 11 letters and digits"))
                #expect(garbage.body.contains(#"value="garbage""#), "what they typed is kept")

                for unknown in ["UNKNOWN", CertificateCode.generate()] where unknown != robin.code {
                    let missing = try await checker.get("/verify/\(unknown)")
                    #expect(missing.status == .notFound, "\(unknown)")
                    #expect(verdict(missing.body) == "Not a certificate we issued", "\(unknown)")
                    #expect(!missing.body.contains(robin.code))
                }
            }
        }

        @Test func anUploadedCredentialIsCheckedAndATamperedOneIsNotValid() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let robin = try await site.holder(client)
                let token = try await robin.browser.get("/certificates/\(robin.code)/credential.jwt").body
                let valid = try await uploadToVerify(client, token)
                #expect(valid.status == .ok)
                #expect(verdict(valid.body) == "Valid", "\(valid.body.prefix(2000))")
                #expect(valid.body.contains("<dt>Course</dt>") && !valid.body.contains("Quillfeather"))
                let trailingNewline = try await uploadToVerify(client, token + "\n")
                #expect(verdict(trailingNewline.body) == "Valid", "a file saved with a final newline")

                // The payload changed (another name), the signature left as it was.
                let parts = token.split(separator: ".").map(String.init)
                let payload = try #require(JWTBase64.decode(parts[1]))
                let forged = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "Robin Quillfeather", with: "Mallory Forger")
                #expect(forged != String(decoding: payload, as: UTF8.self), "the name is in the credential")
                let tampered = [parts[0], JWTBase64.encode(Data(forged.utf8)), parts[2]].joined(separator: ".")
                let forgedPage = try await uploadToVerify(client, tampered)
                #expect(forgedPage.status == .ok)
                #expect(verdict(forgedPage.body) == "Not valid")
                #expect(!forgedPage.body.contains("Mallory"))
                // The signature changed.
                var signature = Array(parts[2])
                let middle = signature.count / 2
                signature[middle] = signature[middle] == "A" ? "B" : "A"
                let badSignature = [parts[0], parts[1], String(signature)].joined(separator: ".")
                #expect(verdict(try await uploadToVerify(client, badSignature).body) == "Not valid")
                #expect(verdict(try await uploadToVerify(client, "not.a.credential").body) == "Not valid")

                // The readable copy has no signature: told to use the .jwt; an empty upload: asked for one.
                let json = try await robin.browser.get("/certificates/\(robin.code)/credential.json").body
                let readable = try await uploadToVerify(client, json, filename: "certificate.json")
                #expect(readable.status == .badRequest && readable.body.contains("Upload the .jwt file instead"))
                let empty = try await uploadToVerify(client, "")
                #expect(empty.status == .badRequest && empty.body.contains(#"id="verify-error""#))
                // Pasted as text, the form field `credential`.
                let pasted = try await client.execute(uri: "/verify", method: .post,
                                                      headers: [.contentType: "application/x-www-form-urlencoded"],
                                                      body: ByteBuffer(string: "credential=" + token))
                #expect(verdict(String(buffer: pasted.body)) == "Valid")
            }
        }

        @Test func theIssuerDocumentsAnswerWithJSONAndAJWT() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let browser = Browser(client)
                let issuer = try await browser.get("/issuer")
                #expect(issuer.status == .ok)
                #expect(issuer.headers[.contentType] == "application/ld+json; charset=utf-8")
                let profile = try #require(try JSONSerialization.jsonObject(with: Data(issuer.body.utf8)) as? [String: Any])
                #expect((profile["type"] as? [String]) == ["Profile"])
                #expect(profile["name"] as? String == "Groundwork training")
                #expect((profile["id"] as? String)?.hasSuffix("/issuer") == true)

                let jwks = try await browser.get("/.well-known/jwks.json")
                #expect(jwks.status == .ok)
                #expect(jwks.headers[.contentType] == "application/json; charset=utf-8")
                let set = try #require(try JSONSerialization.jsonObject(with: Data(jwks.body.utf8)) as? [String: Any])
                let keys = try #require(set["keys"] as? [[String: Any]])
                #expect(!keys.isEmpty)
                for key in keys {
                    #expect(key["kty"] as? String == "RSA" && key["n"] != nil && key["e"] != nil)
                    for secret in ["d", "p", "q", "dp", "dq", "qi"] { #expect(key[secret] == nil, "the public key only: no \(secret)") }
                }

                let status = try await browser.get("/credentials/status/1")
                #expect(status.status == .ok)
                #expect(status.headers[.contentType] == "application/vc+jwt; charset=utf-8")
                #expect(status.headers[.cacheControl] == "no-cache")
                let parts = status.body.split(separator: ".", omittingEmptySubsequences: false)
                #expect(parts.count == 3)
                let payload = try #require(JWTBase64.decode(String(parts[1])))
                #expect(String(decoding: payload, as: UTF8.self).contains("BitstringStatusListCredential"))
                #expect(status.headers[.accessControlAllowOrigin] == "*", "verifiers elsewhere may fetch it")
            }
        }
    }

    // MARK: Coordinators

    @Suite struct Revoking {
        @Test func aRevokedCertificateVerifiesAsRevokedByCodeAndByFile() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let robin = try await site.holder(client)
                let token = try await robin.browser.get("/certificates/\(robin.code)/credential.jwt").body
                let listBefore = try await Browser(client).get("/credentials/status/1").body
                let ada = try await site.staffBrowser(client)

                let page = try await ada.get("/staff/learners/\(robin.learner.id)")
                #expect(page.body.contains(#"action="/staff/certificates/\#(robin.code)/revoke""#), "the revoke form")
                #expect(page.body.contains("Robin Quillfeather"), "coordinators see the printed name")
                let noReason = try await ada.post("/staff/certificates/\(robin.code)/revoke",
                                                  [("reason", ""), ("back", "/staff/learners/\(robin.learner.id)")])
                #expect(noReason.status == .badRequest && noReason.body.contains("Say why, for the audit log"))
                #expect(verdict(try await Browser(client).get("/verify/\(robin.code)").body) == "Valid", "nothing changed")

                let reason = "issued by mistake"
                let revoked = try await ada.post("/staff/certificates/\(robin.code)/revoke",
                                                 [("reason", reason), ("back", "/staff/learners/\(robin.learner.id)")])
                #expect(revoked.status == .seeOther && revoked.location == "/staff/learners/\(robin.learner.id)?done=revoked")
                let after = try await ada.follow(revoked)
                #expect(after.body.contains("The certificate was revoked."))
                #expect(!after.body.contains(#"action="/staff/certificates/\#(robin.code)/revoke""#), "no second revoke form")

                let byCode = try await Browser(client).get("/verify/\(robin.code)")
                #expect(byCode.status == .ok && verdict(byCode.body) == "Revoked")
                #expect(!byCode.body.contains("Quillfeather"))
                #expect(verdict(try await uploadToVerify(client, token).body) == "Revoked", "the file checks the revocation list")
                #expect(try await Browser(client).get("/credentials/status/1").body != listBefore, "the list changed")
                #expect(try await robin.browser.get("/").body.contains("withdrawn"), "the learner is told")
                let again = try await robin.browser.post("/certificate", [("name", "Robin Again")])
                #expect(again.location == "/?certificate=not-yet", "and can't claim another by themselves")

                let twice = try await ada.post("/staff/certificates/\(robin.code)/revoke", [("reason", "again")])
                #expect(twice.status == .badRequest && twice.body.contains("already revoked"))
                let unknown = try await ada.post("/staff/certificates/\(CertificateCode.generate())/revoke", [("reason", "typo")])
                #expect(unknown.status == .badRequest || unknown.status == .notFound)

                let entries = try await site.audit().filter { $0.action == "certificate revoked" }
                #expect(entries.count == 1)
                #expect(entries.first?.detail.contains(robin.code) == true && entries.first?.detail.contains(reason) == true)
                #expect(entries.first.map { !$0.detail.contains("Robin") } == true, "no name in the log")
            }
        }

        @Test func theExpiringListShowsSoonAndExpiredCertificatesAndRevokesFromThere() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let soon = try await site.holder(client, name: "Sunny Soon", printed: "Sunny Printed")
                let past = try await site.holder(client, name: "Pat Past", printed: "Pat Printed")
                let later = try await site.holder(client, name: "Lee Later", printed: "Lee Printed")
                try await site.store.database.write { db in
                    try db.execute(sql: "UPDATE certificate SET valid_until = ? WHERE code = ?",
                                   arguments: [Date().addingTimeInterval(20 * 86_400), soon.code])
                    try db.execute(sql: "UPDATE certificate SET issued_at = ?, valid_until = ? WHERE code = ?",
                                   arguments: [Date().addingTimeInterval(-370 * 86_400), Date().addingTimeInterval(-5 * 86_400), past.code])
                }
                let ada = try await site.staffBrowser(client)
                let page = try await ada.get("/staff/certificates")
                #expect(page.status == .ok)
                let sections = page.body.components(separatedBy: #"id="expired-heading""#)
                #expect(sections.count == 2)
                let soonPart = sections.first ?? "", expiredPart = sections.last ?? ""
                #expect(soonPart.contains(soon.code) && !soonPart.contains(past.code))
                #expect(expiredPart.contains(past.code) && !expiredPart.contains(soon.code))
                #expect(!page.body.contains(later.code), "a year left: not listed")
                #expect(soonPart.contains(#"<a href="/staff/learners/\#(soon.learner.id)">Sunny Soon (\#(soon.learner.id.prefix(8)))</a>"#))

                let response = try await rawGet(ada, "/staff/certificates.csv")
                #expect(response.status == .ok && response.headers[.contentType] == "text/csv; charset=utf-8")
                let bytes = Array(response.body.readableBytesView)
                #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
                let (rows, malformed) = parseCSV(String(decoding: bytes.dropFirst(3), as: UTF8.self))
                #expect(!malformed)
                #expect(rows.first == ["certificate_code", "learner_id", "display_name", "name_on_certificate", "issued", "valid_until", "state"])
                #expect(rows.count == 3)
                let byCode = Dictionary(rows.dropFirst().map { ($0[0], $0) }, uniquingKeysWith: { first, _ in first })
                #expect(byCode[soon.code]?[6] == "expires soon" && byCode[soon.code]?[2] == "Sunny Soon" && byCode[soon.code]?[3] == "Sunny Printed")
                #expect(byCode[past.code]?[6] == "expired" && byCode[past.code]?[1] == past.learner.id)

                // The roster's expiry filter, and the expired one's standing there.
                let expiring = try await ada.get("/staff/learners?expires=30")
                #expect(rosterOrder(["Sunny Soon", "Pat Past", "Lee Later"], in: expiring.body) == ["Sunny Soon"])
                #expect(try await ada.get("/staff/learners?expires=10").body.contains("No learners match"))
                #expect(verdict(try await Browser(client).get("/verify/\(past.code)").body) == "Expired")

                // Revoking from the list comes back to the list.
                let revoked = try await ada.post("/staff/certificates/\(soon.code)/revoke", [("reason", "left the program")])
                #expect(revoked.location == "/staff/certificates?done=revoked")
                let after = try await ada.follow(revoked)
                #expect(after.body.contains("The certificate was revoked.") && !after.body.contains(soon.code), "a revoked one leaves the list")
                let blank = try await ada.post("/staff/certificates/\(past.code)/revoke", [("reason", " ")])
                #expect(blank.status == .badRequest && blank.body.contains(past.code), "refused, on the list")
                // A `back` that isn't a learner's page is ignored.
                let offsite = try await ada.post("/staff/certificates/\(later.code)/revoke", [("reason", "moved away"), ("back", "https://elsewhere.example/")])
                #expect(offsite.location == "/staff/certificates?done=revoked")
            }
        }

        @Test func aRemovedLearnersCertificateStillAnswersWithoutDatesOrName() async throws {
            let site = try TestSite()
            defer { site.remove() }
            try await site.test { client in
                let robin = try await site.holder(client)
                let token = try await robin.browser.get("/certificates/\(robin.code)/credential.jwt").body
                let record = try #require(try await site.store.certificate(code: robin.code))
                let issued = try #require(record.issuedAt.map(CertificateRoutes.longDay))
                let until = try #require(record.validUntil.map(CertificateRoutes.longDay))
                let before = try await Browser(client).get("/verify/\(robin.code)")
                #expect(before.body.contains(issued) && before.body.contains(until), "dates are shown while the learner is here")

                let ada = try await site.staffBrowser(client)
                try await ada.get("/staff/learners/\(robin.learner.id)")
                let removed = try await ada.post("/staff/learners/\(robin.learner.id)/remove", [("reason", "asked to be forgotten"), ("confirm", "yes")])
                #expect(removed.location == "/staff/learners?done=removed")

                let page = try await Browser(client).get("/verify/\(robin.code)")
                #expect(page.status == .ok)
                #expect(verdict(page.body) == "Issued by us; details held by its holder")
                #expect(page.body.contains(robin.code))
                #expect(!page.body.contains(issued) && !page.body.contains(until), "no dates")
                #expect(!page.body.contains("<dt>Issued</dt>") && !page.body.contains("<dt>Valid until</dt>"))
                #expect(!page.body.contains("Quillfeather") && !page.body.contains("Robin Sparrow"), "no name")
                let scrubbed = try #require(try await site.store.certificate(code: robin.code))
                #expect(scrubbed.name == nil && scrubbed.issuedAt == nil && scrubbed.credential == nil && scrubbed.learnerID == nil)
                // The holder's file still checks out: it is signed, and not revoked.
                #expect(verdict(try await uploadToVerify(client, token).body) == "Valid")
                // The old link to print it is gone with the session.
                #expect(try await robin.browser.get("/certificates/\(robin.code)").location == "/")
            }
        }
    }
}
