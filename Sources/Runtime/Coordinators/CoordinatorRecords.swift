import CurriculumKit
import Foundation

/// A group of learners a coordinator follows together ("March volunteers"). Learners join
/// one by starting the course through its join link.
public struct Cohort: Sendable, Equatable, Codable, Identifiable {
    /// A random, opaque id.
    public var id: String
    /// The name coordinators gave it.
    public var name: String
    /// The key in its join link (`/start/KEY`); not secret, but not guessable either.
    public var joinKey: String
    /// When it was made.
    public var createdAt: Date

    /// Creates a cohort.
    public init(id: String, name: String, joinKey: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.joinKey = joinKey
        self.createdAt = createdAt
    }
}

/// A coordinator's change to how a learner's module is judged, kept with who made it and why.
public struct ModuleAdjustment: Sendable, Equatable, Codable {
    /// What was changed.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// One more attempt than the module allows.
        case extraAttempt = "extra attempt"
        /// The module counts as complete although no attempt passed.
        case completeByException = "complete by exception"
    }

    /// Whose module.
    public var learnerID: String
    /// The module's id.
    public var moduleID: String
    /// What was changed.
    public var kind: Kind
    /// When.
    public var at: Date
    /// The coordinator's name.
    public var recordedBy: String
    /// Why, in the coordinator's words.
    public var reason: String

    /// Creates an adjustment.
    public init(learnerID: String, moduleID: String, kind: Kind, at: Date, recordedBy: String, reason: String) {
        self.learnerID = learnerID
        self.moduleID = moduleID
        self.kind = kind
        self.at = at
        self.recordedBy = recordedBy
        self.reason = reason
    }
}

/// A learner's attempts at one module, summed up: what the completion report shows. Never
/// an answer.
public struct ModuleSummary: Sendable, Equatable {
    /// The module's id.
    public var moduleID: String
    /// Finished attempts (superseded ones don't count).
    public var attemptsFinished: Int
    /// Whether an attempt is open.
    public var hasOpenAttempt: Bool
    /// Whether a finished attempt passed.
    public var passed: Bool
    /// The best finished score, as a fraction from 0 to 1.
    public var bestScore: Double?
    /// When the first attempt began.
    public var firstStartedAt: Date?
    /// When the latest attempt finished.
    public var lastFinishedAt: Date?
    /// When the first passing attempt finished.
    public var passedAt: Date?

    /// Creates a summary.
    public init(moduleID: String, attemptsFinished: Int, hasOpenAttempt: Bool, passed: Bool, bestScore: Double?,
                firstStartedAt: Date?, lastFinishedAt: Date?, passedAt: Date?) {
        self.moduleID = moduleID
        self.attemptsFinished = attemptsFinished
        self.hasOpenAttempt = hasOpenAttempt
        self.passed = passed
        self.bestScore = bestScore
        self.firstStartedAt = firstStartedAt
        self.lastFinishedAt = lastFinishedAt
        self.passedAt = passedAt
    }

    /// Sums up one module's attempts (for stores and pages that hold the attempts themselves).
    public init(moduleID: String, attempts: [AttemptRecord]) {
        let finished = attempts.filter { $0.status == .finished }
        let passing = finished.filter { $0.passed == true }
        self.init(moduleID: moduleID, attemptsFinished: finished.count,
                  hasOpenAttempt: attempts.contains { $0.status == .open },
                  passed: !passing.isEmpty,
                  bestScore: finished.compactMap(\.score).map { Double($0.numerator) / Double(max(1, $0.denominator)) }.max(),
                  firstStartedAt: attempts.map(\.startedAt).min(),
                  lastFinishedAt: finished.compactMap(\.finishedAt).max(),
                  passedAt: passing.compactMap(\.finishedAt).min())
    }
}

/// Everything the completion report needs about one learner, read in bulk.
public struct RosterRecord: Sendable, Equatable {
    /// The learner.
    public var learner: Learner
    /// Their cohort's id, if they are in one.
    public var cohortID: String?
    /// Each module they have attempted (modules never attempted are missing).
    public var modules: [ModuleSummary]
    /// Group sessions attended.
    public var sessionsAttended: Int
    /// Coordinators' adjustments to their modules.
    public var adjustments: [ModuleAdjustment]
    /// Their certificates, oldest first.
    public var certificates: [CertificateRecord]
    /// The ids of the practical skills they are signed off on.
    public var practicals: Set<String> = []

    /// Creates a record.
    public init(learner: Learner, cohortID: String?, modules: [ModuleSummary], sessionsAttended: Int,
                adjustments: [ModuleAdjustment], certificates: [CertificateRecord]) {
        self.learner = learner
        self.cohortID = cohortID
        self.modules = modules
        self.sessionsAttended = sessionsAttended
        self.adjustments = adjustments
        self.certificates = certificates
    }
}
