import Foundation

/// A certificate as the issuer keeps it. The signed credential (a VC-JWT) is the holder's
/// proof; this record is what verification by code and revocation read.
///
/// When the learner is deleted, only ``id``, ``code``, ``statusIndex`` and whether it was
/// revoked remain: a credential they already hold still verifies, and nothing else about
/// them is kept.
public struct CertificateRecord: Sendable, Equatable, Codable, Identifiable {
    /// The credential's id (`urn:uuid:…`).
    public var id: String
    /// The short code printed on it and typed on the verify page (``CertificateCode``).
    public var code: String
    /// The learner it was issued to; nil once they were deleted.
    public var learnerID: String?
    /// The name the learner asked to be printed; nil once they were deleted.
    public var name: String?
    /// The course's id.
    public var courseID: String?
    /// The course's title when it was issued.
    public var courseTitle: String?
    /// The course's version when it was earned.
    public var courseVersion: String?
    /// The course's content hash when it was earned.
    public var contentHash: String?
    /// When it was issued (and became valid).
    public var issuedAt: Date?
    /// When it stops being valid; nil when it never expires.
    public var validUntil: Date?
    /// Its position in the issuer's revocation status list.
    public var statusIndex: Int
    /// When it was revoked.
    public var revokedAt: Date?
    /// Why, in the coordinator's words.
    public var revokeReason: String?
    /// Whether the coordinator who revoked it let the learner get a new one (to correct the
    /// printed name, say); otherwise a revoked certificate blocks claiming another.
    public var reissueAllowed: Bool = false
    /// The signed credential (compact VC-JWT); nil once the learner was deleted.
    public var credential: String?
    /// The certificate this one renewed.
    public var renews: String?

    /// Creates a record.
    public init(id: String, code: String, learnerID: String?, name: String?, courseID: String?, courseTitle: String?,
                courseVersion: String?, contentHash: String?, issuedAt: Date?, validUntil: Date?, statusIndex: Int,
                revokedAt: Date? = nil, revokeReason: String? = nil, credential: String?, renews: String? = nil) {
        self.id = id
        self.code = code
        self.learnerID = learnerID
        self.name = name
        self.courseID = courseID
        self.courseTitle = courseTitle
        self.courseVersion = courseVersion
        self.contentHash = contentHash
        self.issuedAt = issuedAt
        self.validUntil = validUntil
        self.statusIndex = statusIndex
        self.revokedAt = revokedAt
        self.revokeReason = revokeReason
        self.credential = credential
        self.renews = renews
    }

    /// Where a certificate stands on a date.
    public enum Standing: String, Sendable, Equatable, Codable {
        /// Signed by us, in date and not revoked.
        case valid
        /// Past its `validUntil`.
        case expired
        /// Revoked by a coordinator.
        case revoked
        /// Before its `validFrom`.
        case notYetValid = "not yet valid"
    }

    /// Its standing on `date`: revoked first, then by its dates.
    public func standing(at date: Date) -> Standing {
        if revokedAt != nil { return .revoked }
        if let issuedAt, date < issuedAt { return .notYetValid }
        if let validUntil, date >= validUntil { return .expired }
        return .valid
    }

    /// Whether the learner it was issued to was deleted (only the id, code and status remain).
    public var isRemoved: Bool { learnerID == nil }
}

/// The short code on a certificate: ten Crockford base32 digits and a check character,
/// written `ABCDE-FGHJK-M`. Reading forgives case, spaces, hyphens, and I, L or O typed for 1 or 0.
public enum CertificateCode {
    static let digits = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    static let checkSymbols = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U")

    /// A code to show as an example (valid, so typing it isn't refused as a typo).
    public static let example = format(0x2B3C4D5E6F7 & ((1 << 50) - 1))

    /// A new random code.
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let value = UInt64.random(in: 0 ..< (1 << 50), using: &rng)
        return format(value)
    }

    static func format(_ value: UInt64) -> String {
        var chars: [Character] = []
        for shift in stride(from: 45, through: 0, by: -5) {
            chars.append(digits[Int((value >> UInt64(shift)) & 31)])
        }
        let check = checkSymbols[Int(value % 37)]
        return String(chars[0..<5]) + "-" + String(chars[5..<10]) + "-" + String(check)
    }

    /// The code in its written form, or nil when it isn't one (wrong length or check character).
    public static func normalized(_ typed: String) -> String? {
        var text = typed.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        text = String(text.map { char -> Character in
            switch char {
            case "I", "L": return "1"
            case "O": return "0"
            default: return char
            }
        })
        guard text.count == 11 else { return nil }
        var value: UInt64 = 0
        for char in text.prefix(10) {
            guard let digit = digits.firstIndex(of: char) else { return nil }
            value = value << 5 | UInt64(digit)
        }
        guard let last = text.last, checkSymbols[Int(value % 37)] == last else { return nil }
        return format(value)
    }
}
