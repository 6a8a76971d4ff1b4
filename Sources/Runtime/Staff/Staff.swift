import Foundation

/// What a staff member may do. One person may hold both roles.
public enum StaffRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Manages staff, learners' completion and certificates, and reads the audit log.
    case coordinator
    /// Runs facilitated group sessions.
    case facilitator

    public static func < (a: StaffRole, b: StaffRole) -> Bool { a.rawValue < b.rawValue }

    /// The role's name as shown to people.
    public var label: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
}

/// A staff member: a sign-in name, roles, a bcrypt password hash once they chose one, and
/// a TOTP secret once they turned on two-step sign-in.
public struct StaffMember: Sendable, Equatable, Codable, Identifiable {
    /// A random, opaque id.
    public var id: String
    /// The name they sign in with, unique across staff (ignoring case).
    public var name: String
    /// What they may do.
    public var roles: Set<StaffRole>
    /// The bcrypt hash of their password; nil until they follow their sign-in link.
    public var passwordHash: String?
    /// The TOTP secret of their authenticator app; nil when two-step sign-in is off.
    public var totpSecret: String?
    /// When they were added.
    public var createdAt: Date

    /// Creates a staff member.
    public init(id: String, name: String, roles: Set<StaffRole>, passwordHash: String? = nil,
                totpSecret: String? = nil, createdAt: Date) {
        self.id = id
        self.name = name
        self.roles = roles
        self.passwordHash = passwordHash
        self.totpSecret = totpSecret
        self.createdAt = createdAt
    }

    /// Whether they hold `role`.
    public func has(_ role: StaffRole) -> Bool { roles.contains(role) }
    /// Whether two-step sign-in is on.
    public var usesTwoStep: Bool { totpSecret != nil }
    /// The roles in a fixed order, for listing.
    public var sortedRoles: [StaffRole] { roles.sorted() }
}

/// A one-time sign-in link's token, stored only as a digest: the link lets its holder
/// choose a password (a new staff member, or one whose access was reset).
public struct StaffToken: Sendable, Equatable {
    /// SHA-256 of the token in the link, hex.
    public var digest: String
    /// Whose link.
    public var staffID: String
    /// When it stops working.
    public var expiresAt: Date

    /// Creates a token record.
    public init(digest: String, staffID: String, expiresAt: Date) {
        self.digest = digest
        self.staffID = staffID
        self.expiresAt = expiresAt
    }
}

/// One line of the staff audit log: who did what, when. It never holds a password, a
/// code or a learner's answers.
public struct AuditEntry: Sendable, Equatable, Codable {
    /// The store's number for the entry (0 before it is stored).
    public var id: Int64
    /// When.
    public var at: Date
    /// The staff member who did it; nil for the command line.
    public var actorID: String?
    /// Their name as it was then ("command line" for the CLI).
    public var actorName: String
    /// What was done, as a short stable phrase ("staff added", "signed in").
    public var action: String
    /// The details: whom it concerned, which roles.
    public var detail: String

    /// Creates an entry.
    public init(id: Int64 = 0, at: Date, actorID: String?, actorName: String, action: String, detail: String) {
        self.id = id
        self.at = at
        self.actorID = actorID
        self.actorName = actorName
        self.action = action
        self.detail = detail
    }
}
