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
    }

    /// The export format's version.
    public var format: Int = 1
    /// The learner.
    public var learner: Learner
    /// Every attempt, by module then number.
    public var attempts: [Attempt]
}

/// A problem with the records, with a message for the person at the keyboard.
public struct RecordsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem.
    public enum Kind: String, Sendable, Equatable {
        /// The resume code matches no learner.
        case unknownCode = "unknown-code"
        /// The resume code is not four words.
        case malformedCode = "malformed-code"
        /// The display name is empty or too long.
        case badDisplayName = "bad-display-name"
        /// No attempt is left for this module.
        case noAttemptsLeft = "no-attempts-left"
        /// The item was already answered in this attempt.
        case alreadyAnswered = "already-answered"
        /// The attempt is no longer open.
        case attemptClosed = "attempt-closed"
        /// The module or item does not exist in this course.
        case unknownItem = "unknown-item"
        /// The data folder or database can't be used.
        case storage = "storage"
    }

    /// What kind of problem.
    public var kind: Kind
    /// What went wrong, in plain words.
    public var message: String
    /// What to do about it.
    public var hint: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}

/// Where learner records live. The SQLite store is the default; a PostgreSQL store for
/// multi-site networks can implement the same protocol.
///
/// Every method that writes returns only once the write is durable: an acknowledged
/// answer survives the process being killed.
public protocol RecordStore: Sendable {
    /// Stores a new learner under the digest of their resume code.
    func createLearner(_ learner: Learner, codeDigest: String) async throws
    /// The learner whose resume code has this digest.
    func learner(codeDigest: String) async throws -> Learner?
    /// The learner with this id.
    func learner(id: String) async throws -> Learner?
    /// The learner's attempts, by module and number; one module's when `moduleID` is given.
    func attempts(learnerID: String, moduleID: String?) async throws -> [AttemptRecord]
    /// Starts attempt number n+1 at a module. Fails with `.attemptClosed` when an attempt
    /// at the module is already open (another device may have started one).
    func startAttempt(learnerID: String, moduleID: String, seed: UInt64, moduleHash: String, at date: Date) async throws -> AttemptRecord
    /// The attempt's answers, in the order given.
    func responses(attemptID: Int64) async throws -> [ResponseRecord]
    /// Records an answer, and when `finishing` is given closes the attempt with that result,
    /// in one transaction. The store numbers the answer (`sequence`) and returns it as stored.
    /// Fails with `.alreadyAnswered` for a repeated item and step, and `.attemptClosed` when
    /// the attempt isn't open.
    @discardableResult
    func record(_ response: ResponseRecord, finishing: AttemptResult?) async throws -> ResponseRecord
    /// Closes an open attempt: finished with a result, or superseded when `result` is nil.
    func close(attemptID: Int64, result: AttemptResult?, at date: Date) async throws
    /// Everything stored about the learner.
    func export(learnerID: String) async throws -> LearnerExport?
    /// Removes the learner and everything stored about them. Returns whether they existed.
    func deleteLearner(id: String) async throws -> Bool
    /// The learner, their attempts at a module and the open attempt's answers (see the extension).
    func moduleRecords(learnerID: String, moduleID: String) async throws -> ModuleRecords?
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

    /// Creates a snapshot.
    public init(learner: Learner, attempts: [AttemptRecord], openResponses: [ResponseRecord]) {
        self.learner = learner
        self.attempts = attempts
        self.openResponses = openResponses
    }
}

extension RecordStore {
    /// The learner, their attempts at a module and the open attempt's answers; nil when the
    /// learner doesn't exist. Stores can override this to read it in one go.
    public func moduleRecords(learnerID: String, moduleID: String) async throws -> ModuleRecords? {
        guard let learner = try await learner(id: learnerID) else { return nil }
        let attempts = try await self.attempts(learnerID: learnerID, moduleID: moduleID)
        let open = attempts.first { $0.status == .open }
        var responses: [ResponseRecord] = []
        if let open { responses = try await self.responses(attemptID: open.id) }
        return ModuleRecords(learner: learner, attempts: attempts, openResponses: responses)
    }

    /// The learner with this resume code, as typed; fails with `.malformedCode` or `.unknownCode`.
    public func learner(resumeCode text: String, hasher: ResumeCodeHasher) async throws -> Learner {
        let code = try ResumeCode.parse(text).get()
        guard let learner = try await learner(codeDigest: hasher.digest(code)) else {
            throw RecordsError(.unknownCode, "no learner has the resume code \(code)",
                               hint: "check the four words and try again; they were shown when you first signed in")
        }
        return learner
    }
}
