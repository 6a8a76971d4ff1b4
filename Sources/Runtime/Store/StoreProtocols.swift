import CurriculumKit
import Foundation

// The store seam. Each protocol covers one concern; a store implements all of them
// (``RecordStore``). Stores only persist: every rule about state (one open attempt, an
// answer counted once, who may do what) is either kept by the runtime or stated here and
// tested, for every store, by the contract suite in Tests/StoreContractTests.
//
// Every method that writes returns only once the write is durable. Errors are
// ``RecordsError``s: `.duplicate`, `.attemptAlreadyOpen`, `.alreadyAnswered` and
// `.attemptClosed` are conflicts the runtime handles; `.unreadable` and `.storage` mean the
// store failed and nothing was changed.

/// Learners and their privacy rights.
public protocol LearnerStore: Sendable {
    /// Stores a new learner under the digest of their resume code. Fails with `.duplicate`
    /// when a learner with that digest (or id) exists.
    func createLearner(_ learner: Learner, codeDigest: String) async throws
    /// The learner whose resume code has this digest.
    func learner(codeDigest: String) async throws -> Learner?
    /// The learner with this id.
    func learner(id: String) async throws -> Learner?
    /// Everything stored about the learner.
    func export(learnerID: String) async throws -> LearnerExport?
    /// Removes the learner and every trace of them: attempts, answers and sessions, and
    /// (for stores with a log) the log's copy. Returns whether they existed.
    func deleteLearner(id: String) async throws -> Bool
}

/// Attempts at modules and the answers given in them.
public protocol AttemptStore: Sendable {
    /// The learner's attempts, by module and number; one module's when `moduleID` is given.
    func attempts(learnerID: String, moduleID: String?) async throws -> [AttemptRecord]
    /// Starts attempt number n+1 at a module. Fails with `.attemptAlreadyOpen` when an
    /// attempt at the module is already open (another device may have started one).
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
    /// Fails with `.attemptClosed` when it isn't open.
    func close(attemptID: Int64, result: AttemptResult?, at date: Date) async throws
    /// The learner, their attempts at a module, the open attempt's answers, the module's
    /// adjustments and the learner's certificates, read at once.
    func moduleRecords(learnerID: String, moduleID: String) async throws -> ModuleRecords?
}

/// Staff accounts, their one-time sign-in links and the audit log.
public protocol StaffStore: Sendable {
    /// Stores a new staff member. Fails with `.duplicate` when the name is taken (ignoring case).
    func addStaff(_ member: StaffMember) async throws
    /// The staff member with this id.
    func staff(id: String) async throws -> StaffMember?
    /// The staff member with this name, ignoring case.
    func staff(name: String) async throws -> StaffMember?
    /// Every staff member, by name.
    func allStaff() async throws -> [StaffMember]
    /// Replaces a staff member's roles, password hash and TOTP secret. Fails with
    /// `.unknownStaff` when they don't exist.
    func updateStaff(_ member: StaffMember) async throws
    /// Removes a staff member with their sign-in links and sessions, in one transaction.
    /// Returns whether they existed.
    func removeStaff(id: String) async throws -> Bool
    /// Stores a one-time sign-in link's token.
    func addToken(_ token: StaffToken) async throws
    /// The token with this digest without using it (to greet the person by name); nil when
    /// there is none.
    func token(digest: String) async throws -> StaffToken?
    /// Removes and returns the token with this digest; nil when there is none or it has
    /// expired by `date`. A token can be used once: of two callers, only one gets it.
    func consumeToken(digest: String, at date: Date) async throws -> StaffToken?
    /// Removes every sign-in link of a staff member.
    func removeTokens(staffID: String) async throws
    /// Appends an entry to the audit log; returns it numbered.
    @discardableResult
    func appendAudit(_ entry: AuditEntry) async throws -> AuditEntry
    /// The newest `limit` entries, newest first.
    func auditLog(limit: Int) async throws -> [AuditEntry]
}

/// Server-side web sessions, for learners and staff alike.
public protocol SessionStore: Sendable {
    /// Stores a new session. Fails with `.duplicate` when the digest exists.
    func createSession(_ session: WebSession) async throws
    /// The session with this digest, as stored (expired or not: the runtime judges).
    func session(digest: String) async throws -> WebSession?
    /// Records a use of the session and its new expiry.
    func touchSession(digest: String, lastSeen: Date, expiresAt: Date) async throws
    /// Marks a staff session's second step as done.
    func verifySession(digest: String) async throws
    /// Removes and returns the session's one-time flash; nil when it has none (or it was taken).
    func takeFlash(digest: String) async throws -> Data?
    /// Gives an existing session a one-time flash, replacing any it had; false when there is
    /// no such session.
    func setFlash(digest: String, flash: Data) async throws -> Bool
    /// Ends one session.
    func deleteSession(digest: String) async throws
    /// Ends every session of a learner or staff member; returns how many.
    @discardableResult
    func deleteSessions(kind: WebSession.Kind, subjectID: String) async throws -> Int
    /// Removes sessions that expired before `date`; returns how many.
    @discardableResult
    func deleteExpiredSessions(before date: Date) async throws -> Int
}

/// Everything Groundwork stores, behind one existential: what the CLI and the server hold.
/// Group sessions, their participants, poll answers and attendance.
///
/// Rules every store keeps (the contract suite checks each):
/// - A join code is unique among open sessions (`.duplicate` otherwise).
/// - A participant has at most one answer per poll: answering again replaces it, so a
///   repeated or replayed submission never counts twice.
/// - An answer is taken only while its poll is the session's current, unrevealed slide and
///   the session is open (`.pollClosed` otherwise), checked in the same transaction as the write.
/// - Tallies are counted from the answer rows, never kept as running counters.
/// - Ending a session, in one transaction: marks it ended, records attendance for every
///   participant linked to a learner, reduces the answer rows to counts (tallies read the
///   same afterwards) and removes the participants.
/// - Deleting a learner removes their attendance and unlinks them from any participant.
public protocol GroupSessionStore: Sendable {
    /// Stores a new session; `.duplicate` when an open session already has its code.
    func createGroupSession(_ session: GroupSession) async throws
    /// The session with this id, open or ended.
    func groupSession(id: String) async throws -> GroupSession?
    /// The open session with this join code.
    func openGroupSession(code: String) async throws -> GroupSession?
    /// A facilitator's sessions, newest first.
    func groupSessions(facilitatorID: String) async throws -> [GroupSession]
    /// Open sessions whose last activity was at or before `date`.
    func idleGroupSessions(before date: Date) async throws -> [GroupSession]
    /// Writes the session's position, reveal, blank, nickname setting and last activity,
    /// provided its stored version is `expectedVersion` and it is open; the stored version
    /// becomes `session.version`. `.conflict` (`.sessionMoved`) when another change got there first,
    /// `.sessionEnded` when it has ended.
    func updateGroupSession(_ session: GroupSession, expectedVersion: Int) async throws
    /// Adds a participant to an open session (`.sessionEnded` otherwise).
    func addParticipant(_ participant: Participant) async throws
    /// The participant with this token digest.
    func participant(tokenDigest: String) async throws -> Participant?
    /// How many have joined the session.
    func participantCount(sessionID: String) async throws -> Int
    /// The nicknames participants chose, in the order they joined (for the projector, when
    /// the facilitator turns that on).
    func nicknames(sessionID: String) async throws -> [String]
    /// Links a participant to a learner, for attendance.
    func linkParticipant(id: String, learnerID: String) async throws
    /// Records (or replaces) a participant's answer, if `position` is the session's current,
    /// unrevealed slide and it is open; `.pollClosed` otherwise.
    func recordPollAnswer(_ answer: PollAnswer, at position: SlidePosition) async throws
    /// A participant's answer to a poll, while the session is open.
    func pollAnswer(sessionID: String, pollKey: String, participantID: String) async throws -> Response?
    /// How many answered a poll.
    func answerCount(sessionID: String, pollKey: String) async throws -> Int
    /// The poll's tally, counted from the rows (or the stored counts once ended).
    func tally(sessionID: String, pollKey: String) async throws -> PollTally
    /// What a screen following the session live shows, read together: the session, how many
    /// have joined, and how many answered the poll `pollKey` picks from the session (none
    /// when it picks nil); nil when there is no such session. Projectors read this after
    /// every burst of answers, so a store may read it on connections of its own, clear of
    /// the queue a room's answers make. (``GroupSessionStore`` gives it from the single reads.)
    func liveSnapshot(sessionID: String, pollKey: @Sendable (GroupSession) -> String?) async throws -> LiveSnapshot?
    /// Ends an open session as described above and returns the attendance recorded;
    /// `.sessionEnded` when it had already ended.
    func endGroupSession(id: String, at date: Date) async throws -> [Attendance]
    /// Records attendance by hand; `.duplicate` when the learner already has it for that session.
    func addAttendance(_ attendance: Attendance) async throws
    /// A learner's attendance, oldest first.
    func attendance(learnerID: String) async throws -> [Attendance]
}

/// Cohorts, coordinators' adjustments, new resume codes and the completion report's bulk read.
///
/// Rules every store keeps (the contract suite checks each):
/// - Cohort names are unique ignoring case, and join keys unique (`.duplicate` otherwise).
/// - A learner is in at most one cohort; moving them replaces it.
/// - Replacing a resume code makes the old one find nobody, and ends the learner's web sessions.
/// - Deleting a learner removes their cohort place and adjustments.
/// - The roster reads every learner with their module summaries, attendance count,
///   adjustments and certificates, and never an answer.
public protocol CoordinatorStore: Sendable {
    /// Stores a new cohort; `.duplicate` when its name (ignoring case) or key is taken.
    func createCohort(_ cohort: Cohort) async throws
    /// Every cohort, by name.
    func cohorts() async throws -> [Cohort]
    /// The cohort with this join key.
    func cohort(joinKey: String) async throws -> Cohort?
    /// Puts a learner in a cohort (nil: in none). `.unknownLearner` when there is no such
    /// learner, `.unknownItem` when there is no such cohort.
    func setCohort(learnerID: String, cohortID: String?) async throws
    /// The learner's cohort's id.
    func cohortID(learnerID: String) async throws -> String?
    /// Records an adjustment; `.unknownLearner` when there is no such learner.
    func addAdjustment(_ adjustment: ModuleAdjustment) async throws
    /// A learner's adjustments, oldest first.
    func adjustments(learnerID: String) async throws -> [ModuleAdjustment]
    /// Gives the learner a new resume code (by its digest) and ends their web sessions, in
    /// one transaction. Returns false when there is no such learner; `.duplicate` when
    /// another learner has the digest.
    func replaceResumeCode(learnerID: String, codeDigest: String) async throws -> Bool
    /// Every learner, as the completion report needs them.
    func roster() async throws -> [RosterRecord]
}

/// Certificates, the issuer's signing key and the revocation list.
///
/// Rules every store keeps (the contract suite checks each):
/// - A certificate's id, code and status index are each unique (`.duplicate` otherwise).
/// - Revoking keeps the first revocation's date and reason.
/// - Deleting a learner keeps only each certificate's id, code, status index and revocation
///   date; the name, the course, the dates, the reason and the signed credential go.
/// - The issuer key is stored once: of two servers storing one, both get the first.
public protocol CertificateStore: Sendable {
    /// A status-list index no certificate has yet (the next after the highest).
    func nextStatusIndex() async throws -> Int
    /// Stores a certificate; `.duplicate` when its id, code or status index is taken.
    func addCertificate(_ certificate: CertificateRecord) async throws
    /// A learner's certificates, oldest first.
    func certificates(learnerID: String) async throws -> [CertificateRecord]
    /// The certificate with this code (as ``CertificateCode`` writes it).
    func certificate(code: String) async throws -> CertificateRecord?
    /// The certificate with this credential id.
    func certificate(id: String) async throws -> CertificateRecord?
    /// Revokes a certificate, noting whether its learner may claim a new one; false when
    /// there is none with this id or it was already revoked.
    func revokeCertificate(id: String, at date: Date, reason: String, allowReissue: Bool) async throws -> Bool
    /// The status-list indexes of every revoked certificate.
    func revokedStatusIndexes() async throws -> [Int]
    /// Held (not removed), unrevoked certificates whose `validUntil` is before `date`, soonest first.
    func certificates(expiringBefore date: Date) async throws -> [CertificateRecord]
    /// The issuer's signing key (PEM), if one is stored.
    func issuerKey() async throws -> String?
    /// Stores the issuer's key unless one is stored already, and returns the stored one.
    func storeIssuerKey(_ pem: String) async throws -> String
}

/// Failed tries (wrong resume codes, wrong passwords, wrong join codes) for rate limits, kept
/// in the store so every server behind one address counts the same tries.
///
/// Rules every store keeps (the contract suite checks each):
/// - Failures count per scope: per key, and across the scope, from a date on.
/// - Recording forgets the scope's failures older than the window it is given, so the
///   addresses and names in them are kept no longer than the limit needs.
public protocol RateLimitStore: Sendable {
    /// Records a failure for `key` in `scope` at `date`, and forgets the scope's failures
    /// before `forgetBefore`.
    func recordFailure(scope: String, key: String, at date: Date, forgetBefore: Date) async throws
    /// Failures since `date`: the key's, and the whole scope's.
    func failureCounts(scope: String, key: String, since date: Date) async throws -> (key: Int, scope: Int)
}

/// Practical skill sign-offs.
///
/// Rules every store keeps (the contract suite checks each):
/// - A learner has at most one sign-off per practical: signing off again keeps the first.
/// - Signing off a learner who doesn't exist fails with `.unknownLearner`.
/// - Deleting a learner removes their sign-offs.
public protocol PracticalStore: Sendable {
    /// Stores a sign-off; false (and nothing changed) when the learner already has one for
    /// that practical. `.unknownLearner` when there is no such learner.
    @discardableResult
    func addSignOff(_ signOff: PracticalSignOff) async throws -> Bool
    /// A learner's sign-offs, oldest first.
    func signOffs(learnerID: String) async throws -> [PracticalSignOff]
    /// Every learner's signed-off practical ids, for the completion report.
    func signedOffPracticals() async throws -> [String: Set<String>]
    /// The learners in a group session: linked to one of its participants while it is open,
    /// or with attendance at it; each once, by display name then id.
    func sessionLearners(sessionID: String) async throws -> [Learner]
}

public typealias RecordStore = LearnerStore & AttemptStore & StaffStore & SessionStore & GroupSessionStore
    & CoordinatorStore & CertificateStore & RateLimitStore & PracticalStore

extension GroupSessionStore {
    public func liveSnapshot(sessionID: String, pollKey: @Sendable (GroupSession) -> String?) async throws -> LiveSnapshot? {
        guard let session = try await groupSession(id: sessionID) else { return nil }
        var answers: Int?
        if let key = pollKey(session) { answers = try await answerCount(sessionID: sessionID, pollKey: key) }
        return LiveSnapshot(session: session, participants: try await participantCount(sessionID: sessionID), answers: answers)
    }
}

extension LearnerStore {
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
