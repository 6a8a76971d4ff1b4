import CurriculumKit
import Crypto
import CryptoExtras
import Foundation
import JWTKit
import Runtime
import Testing
@testable import Credentials

/// Forgeries are refused, and genuine credentials are judged by their dates and status.
@Suite struct VerifierTests {
    let addresses = Certificates.Addresses(base: "https://training.example.org")

    func issued() async throws -> (Site, Certificates, CertificateRecord, String) {
        let site = try await Site()
        let clock = site.clock
        let certificates = try await Certificates.open(coursework: site.coursework, accounts: site.accounts, issuerName: "Example",
                                                       now: { clock.now })
        let record = try await certificates.claim(for: try await site.completedLearner(), name: "Robin", at: addresses)
        return (site, certificates, record, try #require(record.credential))
    }

    func parts(_ token: String) -> [String] { token.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }

    func json(_ object: [String: Any]) throws -> String {
        Base64URL.encode(Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
    }

    func payload(_ token: String) throws -> [String: Any] {
        let bytes = try #require(Base64URL.decode(parts(token)[1]))
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func unsignedTokensAreRefused() async throws {
        let (site, certificates, _, token) = try await issued()
        let p = parts(token)
        let none = try json(["alg": "none", "typ": "JWT", "kid": certificates.key.keyID]) + "." + p[1] + "."
        let check = await CredentialVerifier(key: certificates.key).check(none, revoked: nil, at: site.clock.now)
        #expect(check.verdict == .invalid && check.reason?.contains("none") == true)
    }

    @Test func hmacWithThePublicKeyAsSecretIsRefused() async throws {
        let (site, certificates, _, token) = try await issued()
        let p = parts(token)
        let header = try json(["alg": "HS256", "typ": "JWT", "kid": certificates.key.keyID])
        let pem = try JWTKit.Insecure.RSA.PrivateKey(pem: try #require(try await site.store.issuerKey())).publicKey.pemRepresentation
        let mac = HMAC<SHA256>.authenticationCode(for: Data((header + "." + p[1]).utf8), using: SymmetricKey(data: Data(pem.utf8)))
        let forged = header + "." + p[1] + "." + Base64URL.encode(Array(mac))
        #expect(await CredentialVerifier(key: certificates.key).check(forged, revoked: nil, at: site.clock.now).verdict == .invalid)
    }

    @Test func anEditedPayloadIsRefused() async throws {
        let (site, certificates, _, token) = try await issued()
        let p = parts(token)
        var body = try payload(token)
        var subject = try #require(body["credentialSubject"] as? [String: Any])
        subject["identifier"] = [["type": "IdentityObject", "identityHash": "Someone Else", "identityType": "name", "hashed": false]]
        body["credentialSubject"] = subject
        let edited = p[0] + "." + (try json(body)) + "." + p[2]
        #expect(await CredentialVerifier(key: certificates.key).check(edited, revoked: nil, at: site.clock.now).verdict == .invalid)
    }

    @Test func anotherIssuersKeyIsRefusedEvenWithOurKeyID() async throws {
        let (site, certificates, _, token) = try await issued()
        let other = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let keys = await JWTKeyCollection().add(rsa: other, digestAlgorithm: .sha256, kid: JWKIdentifier(string: certificates.key.keyID))
        let credential = try await JWTKeyCollection().add(rsa: other, digestAlgorithm: .sha256)
            .unverified(token, as: OpenBadgeCredential.self)
        let forged = try await keys.sign(credential, kid: JWKIdentifier(string: certificates.key.keyID))
        #expect(await CredentialVerifier(key: certificates.key).check(forged, revoked: nil, at: site.clock.now).verdict == .invalid)
        #expect(await CredentialVerifier(key: certificates.key).check("not a token", revoked: nil, at: site.clock.now).verdict == .invalid)
    }

    @Test func datesAndRevocationDecideAGenuineCredential() async throws {
        let (site, certificates, record, token) = try await issued()
        let verifier = CredentialVerifier(key: certificates.key)
        let issued = try #require(record.issuedAt), until = try #require(record.validUntil)
        #expect(await verifier.check(token, revoked: nil, at: issued).verdict == .valid)
        #expect(await verifier.check(token, revoked: nil, at: issued).revocationChecked == false)
        #expect(await verifier.check(token, revoked: nil, at: issued - 60).verdict == .notYetValid)
        #expect(await verifier.check(token, revoked: nil, at: until).verdict == .expired)
        #expect(await verifier.check(token, revoked: StatusBits(set: [record.statusIndex]), at: issued).verdict == .revoked)
        #expect(await verifier.check(token, revoked: StatusBits(set: [record.statusIndex + 1]), at: issued).verdict == .valid)
        _ = site
    }
}

/// The pieces: short codes, the status list's bits and GZIP.
@Suite struct CredentialPartsTests {
    @Test func certificateCodesCarryACheckCharacter() {
        for _ in 0..<200 {
            let code = CertificateCode.generate()
            #expect(code.count == 13 && CertificateCode.normalized(code) == code)
            #expect(CertificateCode.normalized(code.lowercased().replacingOccurrences(of: "-", with: " ")) == code)
            // One digit changed is caught by the check character (mod 37 catches every single substitution).
            var chars = Array(code)
            let replacement: Character = chars[0] == "7" ? "8" : "7"
            chars[0] = replacement
            #expect(CertificateCode.normalized(String(chars)) == nil)
        }
        #expect(CertificateCode.normalized("") == nil && CertificateCode.normalized("ABCDE-FGHJK") == nil)
        #expect(CertificateCode.normalized("oooOO-00000-0") == "00000-00000-0", "O is read as 0")
    }

    @Test func statusBitsAreMostSignificantFirstAndRoundTripThroughGzip() throws {
        let bits = StatusBits(set: [0, 9, StatusBits.size - 1, StatusBits.size, -1])
        #expect(bits.isSet(0) && bits.isSet(9) && bits.isSet(StatusBits.size - 1) && !bits.isSet(1) && !bits.isSet(8))
        #expect(bits.bytes[0] == 0x80 && bits.bytes[1] == 0x40 && bits.bytes.count == 16_384)
        let encoded = try bits.encoded()
        #expect(encoded.hasPrefix("u"))
        let compressed = try #require(Base64URL.decode(String(encoded.dropFirst())))
        #expect(compressed.prefix(2) == [0x1f, 0x8b], "a GZIP member")
        #expect(compressed.count < 200, "16 KiB of mostly zeros compresses")
        #expect(StatusBits(encoded: encoded) == bits)
        #expect(StatusBits(encoded: "u" + Base64URL.encode([1, 2, 3])) == nil)
        #expect(StatusBits(encoded: "zABC") == nil)
    }

    @Test func gzipRefusesWhatInflatesTooFar() throws {
        let big = try Gzip.compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(throws: Gzip.Failure.self) { _ = try Gzip.decompress(big, limit: 1 << 16) }
        #expect(try Gzip.decompress(big).count == 1 << 20)
    }
}
