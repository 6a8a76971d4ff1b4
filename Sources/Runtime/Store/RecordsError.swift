/// A problem with the records, with a message for the person at the keyboard.
///
/// The kinds are a struct over a private list, as hummingbird's `PersistError` is, so new
/// kinds can be added without breaking anyone who compares against them. Each kind belongs
/// to a ``Category``: bad input, a conflict with what is stored, something not found, or
/// the storage itself failing.
public struct RecordsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad class of a problem: what a caller usually decides on.
    public enum Category: String, Sendable, Equatable {
        /// The request itself can't be used (a malformed code, an empty name).
        case badInput = "bad input"
        /// It clashes with what is stored (already answered, already open, a taken name).
        /// Reading the current state and going on from there is the usual answer.
        case conflict
        /// What it names doesn't exist (an unknown code, module or person).
        case notFound = "not found"
        /// The storage failed or holds something it can't read; nothing was changed.
        case storage
    }

    /// What kind of problem.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case unknownCode = "unknown-code"
            case malformedCode = "malformed-code"
            case badDisplayName = "bad-display-name"
            case noAttemptsLeft = "no-attempts-left"
            case alreadyAnswered = "already-answered"
            case attemptClosed = "attempt-closed"
            case attemptAlreadyOpen = "attempt-already-open"
            case duplicate
            case pollClosed = "poll-closed"
            case sessionEnded = "session-ended"
            case sessionMoved = "session-moved"
            case unknownSession = "unknown-session"
            case unknownItem = "unknown-item"
            case unknownStaff = "unknown-staff"
            case badPassword = "bad-password"
            case signInRefused = "sign-in-refused"
            case notAllowed = "not-allowed"
            case noRecords = "no-records"
            case unknownLearner = "unknown-learner"
            case missingReason = "missing-reason"
            case notEligible = "not-eligible"
            case unreadable
            case storage
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The resume code matches no learner.
        public static let unknownCode = Kind(.unknownCode)
        /// The resume code is not four words.
        public static let malformedCode = Kind(.malformedCode)
        /// The display name is empty, too long or unreadable.
        public static let badDisplayName = Kind(.badDisplayName)
        /// No attempt is left for this module.
        public static let noAttemptsLeft = Kind(.noAttemptsLeft)
        /// The item was already answered in this attempt.
        public static let alreadyAnswered = Kind(.alreadyAnswered)
        /// The attempt is no longer open (or doesn't exist).
        public static let attemptClosed = Kind(.attemptClosed)
        /// An attempt at the module is already open: another device got there first.
        public static let attemptAlreadyOpen = Kind(.attemptAlreadyOpen)
        /// Something with the same unique key is already stored (a resume code's digest, a staff name).
        public static let duplicate = Kind(.duplicate)
        /// The poll is no longer taking answers: the session moved on, revealed it, or ended.
        public static let pollClosed = Kind(.pollClosed)
        /// The group session has ended.
        public static let sessionEnded = Kind(.sessionEnded)
        /// The group session changed since the page asking was shown (another screen got there first).
        public static let sessionMoved = Kind(.sessionMoved)
        /// No open group session has this code or id.
        public static let unknownSession = Kind(.unknownSession)
        /// The module or item does not exist in this course.
        public static let unknownItem = Kind(.unknownItem)
        /// No staff member has this name or id.
        public static let unknownStaff = Kind(.unknownStaff)
        /// A new password is too short or too common.
        public static let badPassword = Kind(.badPassword)
        /// Sign-in refused: wrong name, password or code, an expired link, or too many tries.
        public static let signInRefused = Kind(.signInRefused)
        /// The person's role doesn't allow this.
        public static let notAllowed = Kind(.notAllowed)
        /// The place named holds no Groundwork records yet.
        public static let noRecords = Kind(.noRecords)
        /// No learner has this id (they may have been deleted).
        public static let unknownLearner = Kind(.unknownLearner)
        /// A coordinator's action needs a reason for the audit log, and none was given.
        public static let missingReason = Kind(.missingReason)
        /// The learner hasn't met the rule this needs (a certificate before completion, a renewal too early).
        public static let notEligible = Kind(.notEligible)
        /// A stored record can't be read back (an unknown status, an answer that can't be decoded).
        public static let unreadable = Kind(.unreadable)
        /// The data folder or database can't be used.
        public static let storage = Kind(.storage)

        /// The category this kind belongs to.
        public var category: Category {
            switch value {
            case .malformedCode, .badDisplayName, .badPassword, .missingReason: return .badInput
            case .noAttemptsLeft, .alreadyAnswered, .attemptClosed, .attemptAlreadyOpen, .duplicate, .signInRefused, .notAllowed,
                 .pollClosed, .sessionEnded, .sessionMoved, .notEligible:
                return .conflict
            case .unknownCode, .unknownItem, .unknownStaff, .noRecords, .unknownSession, .unknownLearner: return .notFound
            case .unreadable, .storage: return .storage
            }
        }

        /// A stable name, for logs and JSON.
        public var description: String { value.rawValue }
    }

    /// What kind of problem.
    public var kind: Kind
    /// What went wrong, in plain words.
    public var message: String
    /// What to do about it.
    public var hint: String?

    /// The broad class of the problem.
    public var category: Category { kind.category }

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}
