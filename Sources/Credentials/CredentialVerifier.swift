import Foundation
import JWTKit
import Runtime

/// What checking a credential found.
public struct CredentialCheck: Sendable {
    /// The verdict.
    public enum Verdict: String, Sendable, Equatable {
        /// Signed by the issuer, in date and not revoked.
        case valid
        /// Signed by the issuer but past its `validUntil`.
        case expired
        /// Signed by the issuer and revoked.
        case revoked
        /// Signed by the issuer but before its `validFrom`.
        case notYetValid = "not yet valid"
        /// Not a credential this issuer signed: a bad signature, another key, `alg: none`, an edited payload.
        case invalid
    }

    /// The verdict.
    public var verdict: Verdict
    /// Why, in a sentence, when it isn't valid.
    public var reason: String?
    /// The credential, when its signature checked out.
    public var credential: OpenBadgeCredential?
    /// Whether its revocation status was checked (offline, without the status list, it can't be).
    public var revocationChecked: Bool

    static func invalid(_ reason: String) -> CredentialCheck {
        CredentialCheck(verdict: .invalid, reason: reason, credential: nil, revocationChecked: false)
    }
}

/// Checks VC-JWT credentials against the issuer's published keys: the header must say
/// RS256 and name one of the keys, the signature must verify with it, the payload's claims
/// must match the credential's members, and then its dates and revocation bit decide.
public struct CredentialVerifier: Sendable {
    let keys: [IssuerKey.PublicJWK]

    /// A verifier for one key.
    public init(key: IssuerKey) {
        keys = [key.publicJWK]
    }

    /// A verifier for the keys in a JWKS document; `.badInput` when it isn't one.
    public init(jwks json: String) throws {
        struct Document: Decodable { var keys: [IssuerKey.PublicJWK] }
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(json.utf8)), !document.keys.isEmpty else {
            throw RecordsError(.unreadable, "that isn't a JWKS document with RSA keys", hint: "use the file the issuer publishes at /.well-known/jwks.json")
        }
        keys = document.keys
    }

    /// Checks a compact VC-JWT. `revoked` is the issuer's status list; nil when it isn't at
    /// hand (the verdict then can't be "revoked", and says it wasn't checked).
    public func check(_ token: String, revoked: StatusBits?, at date: Date) async -> CredentialCheck {
        let text = token.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(String(parts[0])),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any] else {
            return .invalid("this isn't a signed credential (a VC-JWT has three parts separated by dots)")
        }
        guard header["alg"] as? String == "RS256" else {
            return .invalid("the credential says it is signed with '\(header["alg"] as? String ?? "nothing")'; this issuer signs only with RS256")
        }
        guard let kid = header["kid"] as? String, let jwk = keys.first(where: { $0.kid == kid }) else {
            return .invalid("the credential was signed with a key this issuer doesn't publish")
        }
        let credential: OpenBadgeCredential
        do {
            let collection = JWTKeyCollection()
            await collection.add(rsa: try JWTKit.Insecure.RSA.PublicKey(modulus: jwk.n, exponent: jwk.e), digestAlgorithm: .sha256,
                                 kid: JWKIdentifier(string: kid))
            credential = try await collection.verify(text, as: OpenBadgeCredential.self)
        } catch {
            return .invalid("the signature doesn't match the issuer's key: the credential was changed or signed by someone else")
        }
        guard credential.type.contains("OpenBadgeCredential"), credential.iss == credential.issuer.id, credential.jti == credential.id,
              let validFrom = Self.date(credential.validFrom), Int(validFrom.timeIntervalSince1970) == credential.nbf else {
            return .invalid("the credential's claims don't agree with its contents")
        }
        var validUntil: Date?
        if let until = credential.validUntil {
            guard let parsed = Self.date(until), credential.exp == Int(parsed.timeIntervalSince1970) else {
                return .invalid("the credential's expiry claim doesn't agree with its contents")
            }
            validUntil = parsed
        }
        var check = CredentialCheck(verdict: .valid, reason: nil, credential: credential, revocationChecked: revoked != nil)
        if let revoked, let entry = credential.credentialStatus, let index = Int(entry.statusListIndex), revoked.isSet(index) {
            check.verdict = .revoked
            check.reason = "the issuer has revoked this certificate"
        } else if date < validFrom {
            check.verdict = .notYetValid
            check.reason = "this certificate isn't valid until \(credential.validFrom)"
        } else if let validUntil, date >= validUntil {
            check.verdict = .expired
            check.reason = "this certificate expired on \(credential.validUntil ?? "")"
        }
        return check
    }

    /// Checks a status list credential's signature and reads its bits; nil when it doesn't check out.
    public func statusBits(_ token: String) async -> StatusBits? {
        let text = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let headerPart = text.split(separator: ".").first, let headerBytes = Base64URL.decode(String(headerPart)),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
              header["alg"] as? String == "RS256", let kid = header["kid"] as? String,
              let jwk = keys.first(where: { $0.kid == kid }) else { return nil }
        do {
            let collection = JWTKeyCollection()
            await collection.add(rsa: try JWTKit.Insecure.RSA.PublicKey(modulus: jwk.n, exponent: jwk.e), digestAlgorithm: .sha256,
                                 kid: JWKIdentifier(string: kid))
            let list = try await collection.verify(text, as: StatusListCredential.self)
            return StatusBits(encoded: list.credentialSubject.encodedList)
        } catch {
            return nil
        }
    }

    /// An ISO 8601 date-time as credentials write it (`2026-12-02T04:38:00Z`); nil otherwise.
    public static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static func text(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
