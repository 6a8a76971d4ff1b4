import CurriculumKit
import Foundation

/// What changed in a group session, for the screens following it live.
public enum LiveEvent: Sendable, Equatable {
    /// The facilitator moved, revealed, blanked or ended: every screen shows something new.
    case moved(version: Int)
    /// Someone answered the current poll: the presenter's and control view's count changes.
    case answered
}

/// Carries live events between servers that share one store, so a participant answering
/// through one server updates a projector following another (PostgreSQL's LISTEN/NOTIFY).
public protocol LiveRelay: Sendable {
    /// Sends a message to every server listening, this one included.
    func broadcast(_ message: String) async
    /// Calls `receive` with every message broadcast, until the task is cancelled; keeps
    /// listening through lost connections.
    func listen(_ receive: @escaping @Sendable (String) async -> Void) async
}

/// Tells the screens following a session what changed. Every change made through
/// ``GroupSessions`` is published here; subscribers get an `AsyncStream` per session.
/// With a relay, changes made on other servers arrive too (``run()`` listens for them).
public actor LiveUpdates {
    private struct Subscriber {
        let continuation: AsyncStream<LiveEvent>.Continuation
        let wantsAnswers: Bool
    }

    private var subscribers: [String: [UUID: Subscriber]] = [:]
    private let relay: (any LiveRelay)?
    /// This hub's id in relayed messages, so it ignores its own.
    private let origin = UUID().uuidString

    /// Creates an empty hub; with a relay, it tells other servers of its changes and hears theirs.
    public init(relay: (any LiveRelay)? = nil) {
        self.relay = relay
    }

    /// Listens for other servers' changes until cancelled (returns at once without a relay).
    public func run() async {
        guard let relay else { return }
        await relay.listen { [weak self] message in await self?.receive(message) }
    }

    private func receive(_ message: String) {
        let parts = message.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] != origin else { return }
        switch parts[2] {
        case "moved": if let version = Int(parts[3]) { deliver(.moved(version: version), sessionID: parts[1]) }
        case "answered": deliver(.answered, sessionID: parts[1])
        case "ended": end(sessionID: parts[1])
        default: return
        }
    }

    /// A relayed message: who sent it, the session, what happened and its value.
    private func relayed(_ kind: String, _ value: String, sessionID: String) -> String {
        [origin, sessionID, kind, value].joined(separator: "|")
    }

    private func relay(_ kind: String, _ value: String, sessionID: String) {
        guard let relay else { return }
        let message = relayed(kind, value, sessionID: sessionID)
        // Events are hints (screens read the state afresh), so they needn't wait for the
        // database or arrive in order.
        Task { await relay.broadcast(message) }
    }

    /// Where a session's "answered" news to the other servers stands.
    private enum AnswersOnTheWay {
        /// A message is on its way and covers every answer so far.
        case sending
        /// A message is on its way, and answers came after it left: send one more.
        case sendingWithMore
    }

    /// Sessions with an "answered" message on its way to the other servers.
    private var answersInFlight: [String: AnswersOnTheWay] = [:]

    /// Tells the other servers of answers to a session, folding a burst together: at most
    /// one message in flight per session, and one more after it when answers came while it
    /// was sent. Each message leaves after every answer it stands for was stored (publish
    /// is called after the write), and a screen hearing it reads the tally afresh, so a
    /// folded answer is never missed; a room of 2,000 answering at once costs a handful of
    /// NOTIFYs instead of 2,000.
    private func relayAnswered(sessionID: String) {
        guard let relay else { return }
        if answersInFlight[sessionID] != nil {
            answersInFlight[sessionID] = .sendingWithMore
            return
        }
        answersInFlight[sessionID] = .sending
        let message = relayed("answered", "", sessionID: sessionID)
        Task {
            repeat {
                await relay.broadcast(message)
            } while await self.another(sessionID: sessionID)
        }
    }

    /// After a message went: whether to send one more (answers came meanwhile).
    private func another(sessionID: String) -> Bool {
        if answersInFlight[sessionID] == .sendingWithMore {
            answersInFlight[sessionID] = .sending
            return true
        }
        answersInFlight[sessionID] = nil
        return false
    }

    /// Events for one session from now on: every `.moved`, and `.answered` too when
    /// `answers` is true (the projector and control view; participants' phones don't need
    /// to hear of each other's answers). The stream ends when the subscriber stops reading
    /// (the task is cancelled) or the session ends.
    public func subscribe(sessionID: String, answers: Bool = true) -> AsyncStream<LiveEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: LiveEvent.self, bufferingPolicy: .bufferingNewest(8))
        subscribers[sessionID, default: [:]][id] = Subscriber(continuation: continuation, wantsAnswers: answers)
        continuation.onTermination = { [weak self] _ in
            Task { await self?.remove(sessionID: sessionID, id: id) }
        }
        return stream
    }

    /// How many screens follow a session.
    public func subscriberCount(sessionID: String) -> Int { subscribers[sessionID]?.count ?? 0 }

    func publish(_ event: LiveEvent, sessionID: String) {
        deliver(event, sessionID: sessionID)
        switch event {
        case let .moved(version): relay("moved", String(version), sessionID: sessionID)
        case .answered: relayAnswered(sessionID: sessionID)
        }
    }

    func finish(sessionID: String) {
        end(sessionID: sessionID)
        relay("ended", "", sessionID: sessionID)
    }

    private func deliver(_ event: LiveEvent, sessionID: String) {
        guard let list = subscribers[sessionID] else { return }
        for subscriber in list.values where event != .answered || subscriber.wantsAnswers {
            subscriber.continuation.yield(event)
        }
    }

    private func end(sessionID: String) {
        for subscriber in subscribers.removeValue(forKey: sessionID)?.values ?? [:].values { subscriber.continuation.finish() }
    }

    private func remove(sessionID: String, id: UUID) {
        subscribers[sessionID]?[id] = nil
        if subscribers[sessionID]?.isEmpty == true { subscribers[sessionID] = nil }
    }
}

/// The runtime of facilitated group sessions: opening one over some modules, joining it
/// with a code, moving through its slides, answering its polls, revealing, and ending it
/// with attendance. Every rule lives here or in the store; the server and any other runner
/// only present what it returns.
public struct GroupSessions: Sendable {
    /// A change the facilitator makes.
    public enum Control: Sendable, Equatable {
        /// The next slide (or scenario step).
        case next
        /// The previous slide.
        case back
        /// Show the current poll's results.
        case reveal
        /// Blank the projector, or show it again.
        case blank(Bool)
        /// In a scenario, go where the option with this letter leads.
        case follow(String)
        /// Jump to a slide.
        case go(Int)
        /// Let nicknames appear on the projector, or not.
        case nicknames(Bool)
    }

    /// A session with no change for this long is closed by itself (with attendance).
    public static let idleLimit: TimeInterval = 3 * 3600
    /// Polls with fewer answers than this show no distribution, so nobody can tell who chose what.
    public static let smallestTally = 3

    /// The course runtime: the course and the store.
    public let coursework: Coursework
    /// Where changes are published.
    public let live: LiveUpdates
    private let now: @Sendable () -> Date
    private let decks = DeckCache()

    /// Creates the runtime.
    public init(coursework: Coursework, live: LiveUpdates = LiveUpdates(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.coursework = coursework
        self.live = live
        self.now = now
    }

    private var store: any RecordStore { coursework.store }

    // MARK: Opening and finding

    /// Opens a session over these modules (course order kept as given) run by `member`.
    public func open(moduleIDs: [String], by member: StaffMember) async throws -> GroupSession {
        guard !moduleIDs.isEmpty else {
            throw RecordsError(.unknownItem, "choose at least one module for the session", hint: "tick the modules you will cover")
        }
        for id in moduleIDs where coursework.curriculum.module(id: id) == nil {
            throw RecordsError(.unknownItem, "the course has no module '\(id)'", hint: "choose modules from the list")
        }
        guard Set(moduleIDs).count == moduleIDs.count else {
            throw RecordsError(.unknownItem, "a module is listed twice", hint: "choose each module once")
        }
        let date = now()
        for _ in 0..<20 {
            let session = GroupSession(id: Hex.random(bytes: 16), code: Self.newCode(), facilitatorID: member.id,
                                       moduleIDs: moduleIDs, openedAt: date, lastActivityAt: date)
            do {
                try await store.createGroupSession(session)
                return session
            } catch let error as RecordsError where error.kind == .duplicate {
                continue
            }
        }
        throw RecordsError(.storage, "couldn't find a free join code", hint: "end sessions nobody uses, then try again")
    }

    /// A six-digit join code.
    static func newCode() -> String {
        var rng = SystemRandomNumberGenerator()
        return String(format: "%06d", Int.random(in: 0..<1_000_000, using: &rng))
    }

    /// A poll's question as the session shows it, the same on every screen: choices in
    /// written order, ordering items scrambled and matching targets shuffled from a seed
    /// made of the session and question ids. Participants answer in the letters shown.
    public func presented(_ question: Question, in session: GroupSession) -> PresentedQuestion {
        var seed: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (session.id + "#" + question.id).utf8 {
            seed = (seed ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        var rng = SeededGenerator(seed: seed)
        return PresentedQuestion(question, plan: AttemptPolicy.shownOrder(of: question, shuffleChoices: false, using: &rng))
    }

    /// The slides of a session.
    public func deck(for session: GroupSession) -> SlideDeck {
        decks.deck(for: session.moduleIDs) {
            SlideDeck(modules: session.moduleIDs.compactMap { coursework.curriculum.module(id: $0) })
        }
    }

    /// The session with this id, or nil. One left idle past ``idleLimit`` is ended first.
    public func session(id: String) async throws -> GroupSession? {
        guard let session = try await store.groupSession(id: id) else { return nil }
        return try await closedIfIdle(session)
    }

    /// The open session with this join code, or nil (also once it has ended or gone idle).
    public func session(code text: String) async throws -> GroupSession? {
        let code = text.filter(\.isNumber)
        guard code.count == 6, let session = try await store.openGroupSession(code: code) else { return nil }
        let current = try await closedIfIdle(session)
        return current.status == .open ? current : nil
    }

    /// A facilitator's sessions, newest first.
    public func sessions(of member: StaffMember) async throws -> [GroupSession] {
        try await store.groupSessions(facilitatorID: member.id)
    }

    /// When an open session closes by itself if nothing happens.
    public func closesAt(_ session: GroupSession) -> Date {
        session.lastActivityAt + Self.idleLimit
    }

    /// Ends every open session left idle past ``idleLimit``; returns how many.
    @discardableResult
    public func closeIdleSessions() async throws -> Int {
        var count = 0
        for session in try await store.idleGroupSessions(before: now() - Self.idleLimit) {
            _ = try? await store.endGroupSession(id: session.id, at: session.lastActivityAt + Self.idleLimit)
            await live.finish(sessionID: session.id)
            count += 1
        }
        return count
    }

    private func closedIfIdle(_ session: GroupSession) async throws -> GroupSession {
        guard session.status == .open, now() >= closesAt(session) else { return session }
        do {
            _ = try await store.endGroupSession(id: session.id, at: closesAt(session))
        } catch let error as RecordsError where error.kind == .sessionEnded {}
        await live.finish(sessionID: session.id)
        return try await store.groupSession(id: session.id) ?? session
    }

    // MARK: The facilitator

    /// The session, if `member` runs it: `.notAllowed` for anyone else (coordinators included),
    /// `.unknownSession` when there is none.
    public func session(id: String, runBy member: StaffMember) async throws -> GroupSession {
        guard let session = try await session(id: id) else {
            throw RecordsError(.unknownSession, "there is no group session with this address", hint: "open your sessions from the staff area")
        }
        guard session.facilitatorID == member.id else {
            throw RecordsError(.notAllowed, "only the facilitator who opened this session can run it",
                               hint: "open a session of your own from the staff area")
        }
        return session
    }

    /// Makes one change to the session as its facilitator, provided the page asking showed
    /// version `seen` (nil to skip that check, as keyboard shortcuts on a live page do).
    /// Returns the session as it now stands.
    @discardableResult
    public func control(_ id: String, by member: StaffMember, seen: Int?, _ control: Control) async throws -> GroupSession {
        var session = try await session(id: id, runBy: member)
        guard session.status == .open else {
            throw RecordsError(.sessionEnded, "this session has ended", hint: "open a new session to run it again")
        }
        if let seen, seen != session.version {
            throw RecordsError(.sessionMoved, "the session changed on another screen", hint: "this page now shows where it is")
        }
        let deck = deck(for: session)
        let before = session.version
        switch control {
        case .next:
            var option: Option?
            if deck.step(at: session.position) != nil, let question = deck.poll(at: session.position) {
                option = try await roomChoice(session, question)
            }
            guard let next = deck.next(after: session.position, following: option) else { return session }
            session.position = next
            session.revealed = false
        case .back:
            guard let previous = deck.previous(before: session.position) else { return session }
            session.position = previous
            session.revealed = false
        case .reveal:
            guard deck.poll(at: session.position) != nil else { return session }
            session.revealed = true
        case let .blank(on):
            session.blanked = on
        case let .follow(letter):
            guard deck.step(at: session.position) != nil, let question = deck.poll(at: session.position),
                  let option = question.option(letter), let next = deck.next(after: session.position, following: option) else {
                throw RecordsError(.unknownItem, "that choice isn't on this step", hint: "pick one of the step's options")
            }
            session.position = next
            session.revealed = false
        case let .go(index):
            guard deck.slides.indices.contains(index) else {
                throw RecordsError(.unknownItem, "there is no slide \(index + 1)", hint: "pick a slide from the outline")
            }
            session.position = deck.start(of: index)
            session.revealed = false
        case let .nicknames(on):
            session.showNicknames = on
        }
        session.version = before + 1
        session.lastActivityAt = now()
        try await store.updateGroupSession(session, expectedVersion: before)
        await live.publish(.moved(version: session.version), sessionID: session.id)
        return session
    }

    /// The option most of the room chose at a scenario step (the first such in the step's
    /// order on a tie), or nil when nobody answered.
    func roomChoice(_ session: GroupSession, _ question: Question) async throws -> Option? {
        let tally = try await store.tally(sessionID: session.id, pollKey: question.id)
        let best = question.options.max { a, b in
            let (ca, cb) = (tally.count(choosing: a.letter), tally.count(choosing: b.letter))
            return ca == cb ? a.position > b.position : ca < cb
        }
        guard let best, tally.count(choosing: best.letter) > 0 else { return nil }
        return best
    }

    /// Ends the session as its facilitator: its code stops working, linked participants get
    /// attendance, and answers are reduced to counts. Returns the attendance recorded.
    @discardableResult
    public func end(_ id: String, by member: StaffMember) async throws -> [Attendance] {
        let session = try await session(id: id, runBy: member)
        guard session.status == .open else { return [] }
        let attendance = try await store.endGroupSession(id: session.id, at: now())
        await live.publish(.moved(version: session.version + 1), sessionID: session.id)
        await live.finish(sessionID: session.id)
        return attendance
    }

    // MARK: Practical sign-offs

    /// The learners the facilitator can sign off in this session (linked to a participant,
    /// or with attendance at it), with their sign-offs.
    public func signOffRoster(_ id: String, by member: StaffMember) async throws -> [(learner: Learner, signOffs: [PracticalSignOff])] {
        let session = try await session(id: id, runBy: member)
        var result: [(learner: Learner, signOffs: [PracticalSignOff])] = []
        for learner in try await store.sessionLearners(sessionID: session.id) {
            result.append((learner, try await store.signOffs(learnerID: learner.id)))
        }
        return result
    }

    /// The practicals of the session's modules, in order.
    public func practicals(of session: GroupSession) -> [Practical] {
        session.moduleIDs.compactMap { coursework.curriculum.module(id: $0) }.flatMap(\.practicals)
    }

    /// Signs off a learner in the session on a practical skill, as its facilitator, once every
    /// step was seen (`observed` holds the 0-based indexes of the steps ticked). Returns false
    /// when they were already signed off (the first sign-off stands).
    @discardableResult
    public func signOff(learnerID: String, practicalID: String, observed: Set<Int>, in id: String, by member: StaffMember) async throws -> Bool {
        let session = try await session(id: id, runBy: member)
        guard let practical = practicals(of: session).first(where: { $0.id == practicalID }) else {
            throw RecordsError(.unknownItem, "this session's modules have no practical '\(practicalID)'",
                               hint: "sign people off on the practicals of the modules this session runs")
        }
        guard try await store.sessionLearners(sessionID: session.id).contains(where: { $0.id == learnerID }) else {
            throw RecordsError(.notAllowed, "this learner is not in this session",
                               hint: "they join with the session code and sign in with their resume code; then they appear here")
        }
        let missing = practical.steps.indices.filter { !observed.contains($0) }
        guard missing.isEmpty else {
            let numbers = missing.map { String($0 + 1) }
            let which = numbers.count == 1 ? "step " + numbers[0] : "steps " + numbers.dropLast().joined(separator: ", ") + " and " + (numbers.last ?? "")
            throw RecordsError(.notEligible, "\(which) of \(practical.steps.count) \(missing.count == 1 ? "is" : "are") not ticked",
                               hint: "sign off only when you saw every step; tick each one you saw, or let them practise and try again")
        }
        let added = try await store.addSignOff(PracticalSignOff(
            learnerID: learnerID, practicalID: practical.id, signedBy: member.id, signerName: member.name,
            groupSessionID: session.id, reason: nil, signedAt: now()))
        if added {
            try await store.appendAudit(AuditEntry(at: now(), actorID: member.id, actorName: member.name, action: "practical signed off",
                                                   detail: "learner \(Coordination.shortID(learnerID)) · practical \(practical.id) · group session \(session.code)"))
        }
        return added
    }

    /// Records attendance by hand for a learner found by resume code (someone without a phone).
    @discardableResult
    public func recordAttendance(resumeCode: String, in id: String, by member: StaffMember) async throws -> Learner {
        let session = try await session(id: id, runBy: member)
        let learner = try await coursework.learner(resumeCode: resumeCode)
        try await store.addAttendance(Attendance(learnerID: learner.id, sessionID: session.id, moduleIDs: session.moduleIDs,
                                                 attendedAt: now(), recordedBy: member.id, byHand: true))
        return learner
    }

    // MARK: Participants

    /// Joins the open session with this code, with an optional nickname. Returns the
    /// participant and the token for their browser (only its digest is stored).
    public func join(code: String, nickname: String?) async throws -> (participant: Participant, session: GroupSession, token: String) {
        guard let session = try await session(code: code) else {
            throw RecordsError(.unknownSession, "no session is running with that code",
                               hint: "check the six digits on the screen; a code stops working when its session ends")
        }
        let trimmed = nickname?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let name = trimmed.isEmpty ? nil : try DisplayName.validated(trimmed)
        let token = Sessions.newToken()
        let participant = Participant(id: Hex.random(bytes: 16), sessionID: session.id, tokenDigest: Sessions.digest(token),
                                      nickname: name, learnerID: nil, joinedAt: now())
        try await store.addParticipant(participant)
        await live.publish(.answered, sessionID: session.id)
        return (participant, session, token)
    }

    /// The participant holding this token, with their session; nil when the token is unknown
    /// (or the session has ended and its participants were removed).
    public func participant(token: String) async throws -> (participant: Participant, session: GroupSession)? {
        guard Sessions.isWellFormed(token), let participant = try await store.participant(tokenDigest: Sessions.digest(token)),
              let session = try await session(id: participant.sessionID), session.status == .open else { return nil }
        return (participant, session)
    }

    /// Links a participant to a learner, so ending the session records their attendance.
    public func link(_ participant: Participant, to learner: Learner) async throws {
        try await store.linkParticipant(id: participant.id, learnerID: learner.id)
    }

    /// Records a participant's answer to the session's current poll, or replaces their
    /// earlier one. `.pollClosed` once the poll is revealed or the session has moved on.
    public func answer(_ response: Response, by participant: Participant, in session: GroupSession,
                       poll pollKey: String) async throws {
        let deck = deck(for: session)
        guard let question = deck.poll(at: session.position), question.id == pollKey, !session.revealed else {
            throw RecordsError(.pollClosed, "this question has closed", hint: "the screen has moved on; here is the current one")
        }
        if let problem = Evaluator.validate(response, for: question) {
            throw RecordsError(.unknownItem, problem.message, hint: "answer again")
        }
        var stored = response
        // One spelling per answer, so equal answers are counted together.
        if case let .selection(letters) = response { stored = .selection(Array(Set(letters)).sorted()) }
        if question.kind == .shortAnswer {
            // What people typed is never kept: only whether it was an accepted answer.
            let accepted = (try? Evaluator.evaluate(response, for: question).get())?.score.percent == 100
            stored = .text(accepted ? Self.acceptedText : Self.otherText)
        }
        try await store.recordPollAnswer(PollAnswer(sessionID: session.id, pollKey: pollKey, participantID: participant.id,
                                                    response: stored, answeredAt: now()), at: session.position)
        await live.publish(.answered, sessionID: session.id)
    }

    /// What a short answer is tallied as when it was accepted, and otherwise.
    public static let acceptedText = "accepted"
    public static let otherText = "other"

    /// The participant's answer to a poll, to show it back to them.
    public func answer(of participant: Participant, poll pollKey: String) async throws -> Response? {
        try await store.pollAnswer(sessionID: participant.sessionID, pollKey: pollKey, participantID: participant.id)
    }

    /// The session, its participant count and the answers to the poll it shows, read
    /// together for a live screen; nil when there is no such session.
    /// One left idle past ``idleLimit`` is ended first, as ``session(id:)`` does.
    public func liveSnapshot(id: String) async throws -> LiveSnapshot? {
        let decks = self
        guard var snapshot = try await store.liveSnapshot(sessionID: id, pollKey: { decks.deck(for: $0).poll(at: $0.position)?.id })
        else { return nil }
        let current = try await closedIfIdle(snapshot.session)
        if current != snapshot.session {
            snapshot.session = current
            snapshot.answers = nil
            if let poll = deck(for: current).poll(at: current.position) { snapshot.answers = try await answerCount(current, poll: poll.id) }
        }
        return snapshot
    }

    /// How many have answered the poll.
    public func answerCount(_ session: GroupSession, poll pollKey: String) async throws -> Int {
        try await store.answerCount(sessionID: session.id, pollKey: pollKey)
    }

    /// The poll's tally.
    public func tally(_ session: GroupSession, poll pollKey: String) async throws -> PollTally {
        try await store.tally(sessionID: session.id, pollKey: pollKey)
    }

    /// The nicknames to show on the projector: none unless the facilitator turned that on.
    public func nicknamesShown(_ session: GroupSession) async throws -> [String] {
        guard session.showNicknames else { return [] }
        return try await store.nicknames(sessionID: session.id)
    }

    /// How many have joined.
    public func participantCount(_ session: GroupSession) async throws -> Int {
        try await store.participantCount(sessionID: session.id)
    }
}

/// Decks built once per list of modules.
final class DeckCache: @unchecked Sendable {
    private let lock = NSLock()
    private var decks: [[String]: SlideDeck] = [:]

    func deck(for key: [String], make: () -> SlideDeck) -> SlideDeck {
        lock.lock()
        defer { lock.unlock() }
        if let deck = decks[key] { return deck }
        let deck = make()
        decks[key] = deck
        return deck
    }
}
