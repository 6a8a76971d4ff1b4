import Crypto
import CryptoExtras
import Foundation
import JWTKit
import Runtime

/// The issuer's RSA signing key (2048 bits, RS256 as 1EdTech conformance requires), kept
/// in the store, made on first use. Its key id is the RFC 7638 thumbprint of its public half.
public struct IssuerKey: Sendable {
    /// The private key.
    let privateKey: JWTKit.Insecure.RSA.PrivateKey
    /// The public half, as published in the JWKS.
    public let publicJWK: PublicJWK
    /// The key id (`kid`) signed credentials carry.
    public var keyID: String { publicJWK.kid }

    /// An RSA public key as a JSON Web Key.
    public struct PublicJWK: Codable, Sendable, Equatable {
        /// Always "RSA".
        public var kty: String
        /// The modulus, base64url.
        public var n: String
        /// The public exponent, base64url.
        public var e: String
        /// Always "RS256".
        public var alg: String
        /// Always "sig".
        public var use: String
        /// The RFC 7638 thumbprint.
        public var kid: String
    }

    /// The key from its PEM form; `.unreadable` when it isn't one.
    public init(pem: String) throws {
        do {
            privateKey = try JWTKit.Insecure.RSA.PrivateKey(pem: pem)
            let (modulus, exponent) = try privateKey.publicKey.getKeyPrimitives()
            let n = Base64URL.encode(Array(modulus)), e = Base64URL.encode(Array(exponent))
            // RFC 7638: the required members, sorted, no spaces.
            let canonical = "{\"e\":\"\(e)\",\"kty\":\"RSA\",\"n\":\"\(n)\"}"
            let kid = Base64URL.encode(Array(SHA256.hash(data: Data(canonical.utf8))))
            publicJWK = PublicJWK(kty: "RSA", n: n, e: e, alg: "RS256", use: "sig", kid: kid)
        } catch {
            throw RecordsError(.unreadable, "the stored certificate signing key can't be read: \(error)",
                               hint: "restore the records from a backup; a new key would make every issued certificate unverifiable")
        }
    }

    /// The store's key, made and stored first when there is none. Of two servers making
    /// one at once, both end up with the first stored.
    public static func load(from store: any CertificateStore) async throws -> IssuerKey {
        if let pem = try await store.issuerKey() { return try IssuerKey(pem: pem) }
        let fresh: String
        do {
            fresh = try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
        } catch {
            throw RecordsError(.storage, "couldn't make a certificate signing key: \(error)", hint: "try again")
        }
        return try IssuerKey(pem: try await store.storeIssuerKey(fresh))
    }

    /// The JWKS document that publishes this key.
    public var jwksJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(["keys": [publicJWK]]), as: UTF8.self)) ?? "{\"keys\":[]}"
    }

    /// A key collection that signs (and verifies) with this key.
    func signingKeys() async -> JWTKeyCollection {
        await JWTKeyCollection().add(rsa: privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: keyID))
    }
}

/// base64url without padding (RFC 4648 §5).
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
