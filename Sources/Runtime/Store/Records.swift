import CurriculumKit
import Foundation

/// A learner: a display name they chose and an opaque id. No email or legal name.
public struct Learner: Sendable, Equatable, Codable, Identifiable {
    /// A random, opaque id (32 hex digits). Never shown to the learner and unrelated to the resume code.
    public var id: String
    /// The name the learner chose to be called.
    public var displayName: String
    /// When the learner registered.
    public var createdAt: Date

    /// Creates a learner.
    public init(id: String, displayName: String, createdAt: Date) {
        self.id = id
        self.displayName = displayName
        self.createdAt = createdAt
    }
}

/// One attempt at a module: the seed its draw and shuffle came from, the content version
/// it was made on, and, once finished, how it went.
public struct AttemptRecord: Sendable, Equatable, Codable, Identifiable {
    /// Where an attempt stands.
    public enum Status: String, Sendable, Codable {
        /// Being answered.
        case open
        /// Every item answered and judged.
        case finished
        /// Closed unfinished because the module's content changed since it began.
        case superseded
    }

    /// The store's id for the attempt.
    public var id: Int64
    /// Whose attempt.
    public var learnerID: String
    /// The module's id.
    public var moduleID: String
    /// 1 for the learner's first attempt at this module, 2 for the second…
    public var number: Int
    /// The seed the attempt's plan was drawn from.
    public var seed: UInt64
    /// The module's content hash when the attempt began.
    public var moduleHash: String
    /// When it began.
    public var startedAt: Date
    /// When it was finished or superseded.
    public var finishedAt: Date?
    /// Where it stands.
    public var status: Status
    /// The mean score, once finished.
    public var score: Score?
    /// Whether it passed, once finished.
    public var passed: Bool?

    /// Creates a record.
    public init(id: Int64, learnerID: String, moduleID: String, number: Int, seed: UInt64, moduleHash: String,
                startedAt: Date, finishedAt: Date?, status: Status, score: Score?, passed: Bool?) {
        self.id = id
        self.learnerID = learnerID
        self.moduleID = moduleID
        self.number = number
        self.seed = seed
        self.moduleHash = moduleHash
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.score = score
        self.passed = passed
    }
}

/// One answer as recorded: what the learner gave, its score and critical verdict.
public struct ResponseRecord: Sendable, Equatable, Codable {
    /// The attempt it belongs to.
    public var attemptID: Int64
    /// The question id, or for a scenario the scenario's id.
    public var itemID: String
    /// For a scenario, the step answered; `nil` for a question.
    public var step: String?
    /// 1 for the first answer in the attempt, 2 for the next…
    public var sequence: Int
    /// The answer, in the module's own letters (not the shuffled ones shown).
    public var response: Response
    /// Its score.
    public var score: Score
    /// Whether a critical rule was broken.
    public var isCritical: Bool
    /// When it was recorded.
    public var answeredAt: Date

    /// Creates a record.
    public init(attemptID: Int64, itemID: String, step: String?, sequence: Int, response: Response,
                score: Score, isCritical: Bool, answeredAt: Date) {
        self.attemptID = attemptID
        self.itemID = itemID
        self.step = step
        self.sequence = sequence
        self.response = response
        self.score = score
        self.isCritical = isCritical
        self.answeredAt = answeredAt
    }
}

/// How a finished attempt went, written together with its last answer.
public struct AttemptResult: Sendable, Equatable, Codable {
    /// The mean score.
    public var score: Score
    /// Whether it passed.
    public var passed: Bool

    /// Creates a result.
    public init(score: Score, passed: Bool) {
        self.score = score
        self.passed = passed
    }
}

/// Everything stored about one learner, for `groundwork learner export`.
public struct LearnerExport: Sendable, Equatable, Codable {
    /// One attempt with its answers.
    public struct Attempt: Sendable, Equatable, Codable {
        /// The attempt.
        public var attempt: AttemptRecord
        /// Its answers, in the order given.
        public var responses: [ResponseRecord]

        /// Creates an entry.
        public init(attempt: AttemptRecord, responses: [ResponseRecord]) {
            self.attempt = attempt
            self.responses = responses
        }
    }

    /// The export format's version.
    public var format: Int = 1
    /// The learner.
    public var learner: Learner
    /// Every attempt, by module then number.
    public var attempts: [Attempt]
    /// Every group session attended, oldest first.
    public var attendance: [Attendance]
    /// Every certificate, oldest first, with its signed credential.
    public var certificates: [CertificateRecord]
    /// Every practical skill signed off, oldest first.
    public var signOffs: [PracticalSignOff] = []

    /// Creates an export.
    public init(learner: Learner, attempts: [Attempt], attendance: [Attendance] = [], certificates: [CertificateRecord] = [],
                signOffs: [PracticalSignOff] = []) {
        self.learner = learner
        self.attempts = attempts
        self.attendance = attendance
        self.certificates = certificates
        self.signOffs = signOffs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(Int.self, forKey: .format)
        learner = try container.decode(Learner.self, forKey: .learner)
        attempts = try container.decode([Attempt].self, forKey: .attempts)
        // Exports made before group sessions have no attendance.
        attendance = try container.decodeIfPresent([Attendance].self, forKey: .attendance) ?? []
        certificates = try container.decodeIfPresent([CertificateRecord].self, forKey: .certificates) ?? []
        signOffs = try container.decodeIfPresent([PracticalSignOff].self, forKey: .signOffs) ?? []
    }

    private enum CodingKeys: String, CodingKey { case format, learner, attempts, attendance, certificates, signOffs = "practicalSignOffs" }
}

/// What a page about one module needs, read at once: the learner, their attempts at the
/// module, and the answers in the open attempt.
public struct ModuleRecords: Sendable {
    /// The learner.
    public var learner: Learner
    /// Their attempts at the module, by number.
    public var attempts: [AttemptRecord]
    /// The answers in the open attempt (empty when none is open).
    public var openResponses: [ResponseRecord]
    /// Coordinators' adjustments to this module for the learner, oldest first.
    public var adjustments: [ModuleAdjustment]
    /// The learner's certificates, oldest first (a renewal window changes which attempts count).
    public var certificates: [CertificateRecord]

    /// Creates a snapshot.
    public init(learner: Learner, attempts: [AttemptRecord], openResponses: [ResponseRecord],
                adjustments: [ModuleAdjustment] = [], certificates: [CertificateRecord] = []) {
        self.learner = learner
        self.attempts = attempts
        self.openResponses = openResponses
        self.adjustments = adjustments
        self.certificates = certificates
    }
}

