import Foundation
import JWTKit

/// An Open Badges 3.0 `OpenBadgeCredential` (W3C VC Data Model 2.0), as the payload of its
/// VC-JWT: the credential's members at the top level, with the registered claims OB 3.0
/// §8.2 maps them to (`iss` the issuer's id, `jti` the credential's id, `nbf` its
/// `validFrom`, `exp` its `validUntil`).
public struct OpenBadgeCredential: JWTPayload, Equatable {
    /// The JSON-LD contexts: VC 2.0, then OB 3.0.
    public var context: [String]
    /// `urn:uuid:…`.
    public var id: String
    /// `VerifiableCredential`, `OpenBadgeCredential`.
    public var type: [String]
    /// Who issued it.
    public var issuer: Profile
    /// The credential's name (the certificate's).
    public var name: String
    /// From when it is valid (ISO 8601).
    public var validFrom: String
    /// Until when (ISO 8601); nil when it never expires.
    public var validUntil: String?
    /// The achievement and who earned it.
    public var credentialSubject: AchievementSubject
    /// Where its revocation bit is.
    public var credentialStatus: StatusEntry?
    /// The issuer's id.
    public var iss: String
    /// The credential's id.
    public var jti: String
    /// `validFrom`, as seconds since 1970.
    public var nbf: Int
    /// `validUntil`, as seconds since 1970.
    public var exp: Int?

    /// The issuer's profile.
    public struct Profile: Codable, Sendable, Equatable {
        /// Its URL (`…/issuer`, where its profile is published).
        public var id: String
        /// `Profile`.
        public var type: [String]
        /// The organisation's name.
        public var name: String
    }

    /// The person who earned it, known by the name they asked to be printed.
    public struct AchievementSubject: Codable, Sendable, Equatable {
        /// `AchievementSubject`.
        public var type: [String]
        /// The printed name, as an identity object.
        public var identifier: [IdentityObject]
        /// What they achieved.
        public var achievement: Achievement
    }

    /// OB 3.0's identity object: here the printed name, unhashed.
    public struct IdentityObject: Codable, Sendable, Equatable {
        /// `IdentityObject`.
        public var type: String
        /// The name.
        public var identityHash: String
        /// `name`.
        public var identityType: String
        /// false: the name is given as written.
        public var hashed: Bool
    }

    /// The course completed.
    public struct Achievement: Codable, Sendable, Equatable {
        /// The course's achievement id (`…/achievements/COURSE`).
        public var id: String
        /// `Achievement`.
        public var type: [String]
        /// `Certificate`.
        public var achievementType: String
        /// The certificate's name.
        public var name: String
        /// What it shows.
        public var description: String
        /// What earning it took.
        public var criteria: Criteria
        /// The course version it was earned on.
        public var version: String?
        /// The course's content hash it was earned on.
        public var otherIdentifier: [IdentifierEntry]
    }

    /// How the achievement is earned, in words.
    public struct Criteria: Codable, Sendable, Equatable {
        /// The completion rule.
        public var narrative: String
    }

    /// Another identifier for the achievement (the content hash).
    public struct IdentifierEntry: Codable, Sendable, Equatable {
        /// `IdentifierEntry`.
        public var type: String
        /// The identifier.
        public var identifier: String
        /// `identifier`.
        public var identifierType: String
    }

    /// A Bitstring Status List entry.
    public struct StatusEntry: Codable, Sendable, Equatable {
        /// The list's URL, `#` and the index.
        public var id: String
        /// `BitstringStatusListEntry`.
        public var type: String
        /// `revocation`.
        public var statusPurpose: String
        /// The index, as a string of digits.
        public var statusListIndex: String
        /// The status list credential's URL.
        public var statusListCredential: String
    }

    enum CodingKeys: String, CodingKey {
        case context = "@context", id, type, issuer, name, validFrom, validUntil, credentialSubject, credentialStatus, iss, jti, nbf, exp
    }

    /// The content hash, from the achievement's other identifiers.
    public var contentHash: String? {
        credentialSubject.achievement.otherIdentifier.first { $0.identifier.hasPrefix("sha256:") }
            .map { String($0.identifier.dropFirst("sha256:".count)) }
    }

    /// The printed name.
    public var holderName: String? {
        credentialSubject.identifier.first { $0.identityType == "name" }?.identityHash
    }

    /// Dates are judged by the verifier (to say expired rather than just "invalid").
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A Bitstring Status List credential (W3C Bitstring Status List v1.0): one bit for each
/// certificate, set when it is revoked.
public struct StatusListCredential: JWTPayload, Equatable {
    /// VC 2.0's context.
    public var context: [String]
    /// The list's URL.
    public var id: String
    /// `VerifiableCredential`, `BitstringStatusListCredential`.
    public var type: [String]
    /// The issuer's id.
    public var issuer: String
    /// When this copy of the list was made.
    public var validFrom: String
    /// The list.
    public var credentialSubject: Subject
    /// The issuer's id.
    public var iss: String
    /// The list's URL.
    public var jti: String
    /// `validFrom` in seconds.
    public var nbf: Int

    /// The list itself.
    public struct Subject: Codable, Sendable, Equatable {
        /// The list's URL and `#list`.
        public var id: String
        /// `BitstringStatusList`.
        public var type: String
        /// `revocation`.
        public var statusPurpose: String
        /// Multibase base64url (`u…`) of the GZIP-compressed bits.
        public var encodedList: String
    }

    enum CodingKeys: String, CodingKey {
        case context = "@context", id, type, issuer, validFrom, credentialSubject, iss, jti, nbf
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The bits of a status list: index 0 is the first byte's most significant bit.
public struct StatusBits: Sendable, Equatable {
    /// The list's length: 131,072 bits (16 KiB), the minimum the spec sets for privacy.
    public static let size = 131_072
    private(set) var bytes: [UInt8]

    /// A list with the given bits set.
    public init(set indexes: [Int]) {
        bytes = [UInt8](repeating: 0, count: Self.size / 8)
        for index in indexes where index >= 0 && index < Self.size {
            bytes[index / 8] |= 0x80 >> UInt8(index % 8)
        }
    }

    /// Whether the bit at `index` is set.
    public func isSet(_ index: Int) -> Bool {
        guard index >= 0, index / 8 < bytes.count else { return false }
        return bytes[index / 8] & (0x80 >> UInt8(index % 8)) != 0
    }

    /// The `encodedList` form.
    public func encoded() throws -> String {
        "u" + Base64URL.encode(try Gzip.compress(bytes))
    }

    /// Reads an `encodedList`; nil when it isn't one.
    public init?(encoded: String) {
        guard encoded.hasPrefix("u"), let compressed = Base64URL.decode(String(encoded.dropFirst())),
              let bytes = try? Gzip.decompress(compressed, limit: 16 << 20), bytes.count * 8 >= Self.size else { return nil }
        self.bytes = bytes
    }
}
