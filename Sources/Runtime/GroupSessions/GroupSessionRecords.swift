import CurriculumKit
import Foundation

/// Where a group session stands in its slide deck: a slide, and for a scenario slide the
/// step the room is on.
public struct SlidePosition: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The slide's index in the deck.
    public var slide: Int
    /// The scenario step shown, for a scenario slide.
    public var step: String?

    /// Creates a position.
    public init(slide: Int, step: String? = nil) {
        self.slide = slide
        self.step = step
    }

    public var description: String { step.map { "\(slide)/\($0)" } ?? "\(slide)" }
}

/// A facilitated group session: one or more modules shown as slides, with live anonymous
/// polls that participants join with a code.
public struct GroupSession: Sendable, Equatable, Codable, Identifiable {
    /// Whether it is running.
    public enum Status: String, Sendable, Codable {
        /// Participants can join and answer.
        case open
        /// Ended: its code no longer works and its answers are reduced to counts.
        case ended
    }

    /// A random, opaque id (32 hex digits).
    public var id: String
    /// The join code participants type (six digits), unique among open sessions.
    public var code: String
    /// The staff member who runs it: the only person who can control it.
    public var facilitatorID: String
    /// The modules it covers, in order.
    public var moduleIDs: [String]
    /// The slide shown now.
    public var position: SlidePosition
    /// Whether the current poll's results are shown.
    public var revealed: Bool
    /// Whether the projector is blanked.
    public var blanked: Bool
    /// Whether participants' nicknames may appear on the projector.
    public var showNicknames: Bool
    /// Open or ended.
    public var status: Status
    /// When it was opened.
    public var openedAt: Date
    /// When the facilitator last changed anything (or a participant joined).
    public var lastActivityAt: Date
    /// When it ended.
    public var endedAt: Date?
    /// Goes up by one with every change the facilitator makes, so a stale control page can
    /// be told the session moved on.
    public var version: Int

    /// Creates a session record.
    public init(id: String, code: String, facilitatorID: String, moduleIDs: [String], position: SlidePosition = SlidePosition(slide: 0),
                revealed: Bool = false, blanked: Bool = false, showNicknames: Bool = false, status: Status = .open,
                openedAt: Date, lastActivityAt: Date, endedAt: Date? = nil, version: Int = 0) {
        self.id = id
        self.code = code
        self.facilitatorID = facilitatorID
        self.moduleIDs = moduleIDs
        self.position = position
        self.revealed = revealed
        self.blanked = blanked
        self.showNicknames = showNicknames
        self.status = status
        self.openedAt = openedAt
        self.lastActivityAt = lastActivityAt
        self.endedAt = endedAt
        self.version = version
    }
}

/// Someone who joined a group session from their own device. Anonymous: a random id, the
/// digest of a random token held in their browser, and only what they chose to give.
public struct Participant: Sendable, Equatable, Codable, Identifiable {
    /// A random id, never shown.
    public var id: String
    /// The session joined.
    public var sessionID: String
    /// The SHA-256 digest of the participant's token (the token itself is never stored).
    public var tokenDigest: String
    /// A nickname they chose, if any.
    public var nickname: String?
    /// The learner they linked for attendance credit, if any.
    public var learnerID: String?
    /// When they joined.
    public var joinedAt: Date

    /// Creates a participant.
    public init(id: String, sessionID: String, tokenDigest: String, nickname: String?, learnerID: String?, joinedAt: Date) {
        self.id = id
        self.sessionID = sessionID
        self.tokenDigest = tokenDigest
        self.nickname = nickname
        self.learnerID = learnerID
        self.joinedAt = joinedAt
    }
}

/// One participant's answer to one poll: at most one row per (session, poll, participant).
public struct PollAnswer: Sendable, Equatable, Codable {
    /// The session.
    public var sessionID: String
    /// The poll: the question's id.
    public var pollKey: String
    /// Who answered.
    public var participantID: String
    /// Their answer, in the module's own letters.
    public var response: Response
    /// When it was given (or last changed).
    public var answeredAt: Date

    /// Creates an answer.
    public init(sessionID: String, pollKey: String, participantID: String, response: Response, answeredAt: Date) {
        self.sessionID = sessionID
        self.pollKey = pollKey
        self.participantID = participantID
        self.response = response
        self.answeredAt = answeredAt
    }
}

/// A group session as a live screen shows it: where it stands, who joined, who answered.
public struct LiveSnapshot: Sendable, Equatable {
    /// The session as stored.
    public var session: GroupSession
    /// How many have joined.
    public var participants: Int
    /// How many answered the poll at the session's position; nil when it shows no poll.
    public var answers: Int?

    /// Creates a snapshot.
    public init(session: GroupSession, participants: Int, answers: Int?) {
        self.session = session
        self.participants = participants
        self.answers = answers
    }
}

/// How many gave each answer to a poll, counted from the answer rows (or, once the session
/// has ended, from the counts they were reduced to).
public struct PollTally: Sendable, Equatable {
    /// People per distinct answer.
    public var counts: [Response: Int]

    /// Creates a tally.
    public init(counts: [Response: Int] = [:]) {
        self.counts = counts
    }

    /// How many answered.
    public var total: Int { counts.values.reduce(0, +) }

    /// How many chose the option with this letter (for select-all, among their ticks).
    public func count(choosing letter: String) -> Int {
        counts.reduce(0) { sum, entry in
            switch entry.key {
            case let .choice(chosen): return sum + (chosen == letter ? entry.value : 0)
            case let .selection(letters): return sum + (letters.contains(letter) ? entry.value : 0)
            default: return sum
            }
        }
    }
}

/// A learner's attendance at a facilitated group session: what counts toward the course's
/// `completion.attendance`.
public struct Attendance: Sendable, Equatable, Codable {
    /// Who attended.
    public var learnerID: String
    /// The group session.
    public var sessionID: String
    /// The modules it covered.
    public var moduleIDs: [String]
    /// When (the session's end, or when it was recorded by hand).
    public var attendedAt: Date
    /// The staff member who ran the session or recorded it.
    public var recordedBy: String
    /// Whether a facilitator recorded it by hand rather than from a linked device.
    public var byHand: Bool

    /// Creates a record.
    public init(learnerID: String, sessionID: String, moduleIDs: [String], attendedAt: Date, recordedBy: String, byHand: Bool) {
        self.learnerID = learnerID
        self.sessionID = sessionID
        self.moduleIDs = moduleIDs
        self.attendedAt = attendedAt
        self.recordedBy = recordedBy
        self.byHand = byHand
    }
}
