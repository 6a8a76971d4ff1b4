import Foundation

/// A staff member's record that a learner did a practical skill with every step observed:
/// in a group session by its facilitator, or by a coordinator with a reason.
public struct PracticalSignOff: Sendable, Equatable, Codable {
    /// The learner.
    public var learnerID: String
    /// The practical's id (`module-id/slug`).
    public var practicalID: String
    /// The staff member who signed it off.
    public var signedBy: String
    /// Their name when they signed (kept if the account is later removed).
    public var signerName: String
    /// The group session it was observed in; nil when a coordinator recorded it.
    public var groupSessionID: String?
    /// Why a coordinator recorded it by hand; nil for a group session's sign-off.
    public var reason: String?
    /// When.
    public var signedAt: Date

    /// A sign-off.
    public init(learnerID: String, practicalID: String, signedBy: String, signerName: String,
                groupSessionID: String? = nil, reason: String? = nil, signedAt: Date) {
        self.learnerID = learnerID
        self.practicalID = practicalID
        self.signedBy = signedBy
        self.signerName = signerName
        self.groupSessionID = groupSessionID
        self.reason = reason
        self.signedAt = signedAt
    }
}
