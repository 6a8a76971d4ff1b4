import Foundation

/// A signed-in browser session, stored server-side so that signing out, or removing a
/// person, ends it at once. The browser holds only a random token; the store keeps its
/// SHA-256 digest, never the token itself.
public struct WebSession: Sendable, Equatable {
    /// Whose session: a learner's or a staff member's (each has its own cookie).
    public enum Kind: String, Sendable, Codable {
        /// A learner, by learner id.
        case learner
        /// A staff member, by staff id.
        case staff
    }

    /// SHA-256 of the cookie's token, hex.
    public var digest: String
    /// Whose session.
    public var kind: Kind
    /// The learner's or staff member's id.
    public var subjectID: String
    /// When it began.
    public var createdAt: Date
    /// When it was last used (updated at most once a minute).
    public var lastSeen: Date
    /// When it ends however it is used.
    public var expiresAt: Date
    /// For staff: false until the second step (the authenticator code) is done.
    public var verified: Bool
    /// A message shown once, sealed with a key only the cookie's token gives (a new
    /// learner's resume code): the store alone can't read it.
    public var flash: Data?

    /// Creates a session record.
    public init(digest: String, kind: Kind, subjectID: String, createdAt: Date, lastSeen: Date, expiresAt: Date,
                verified: Bool = true, flash: Data? = nil) {
        self.digest = digest
        self.kind = kind
        self.subjectID = subjectID
        self.createdAt = createdAt
        self.lastSeen = lastSeen
        self.expiresAt = expiresAt
        self.verified = verified
        self.flash = flash
    }
}
