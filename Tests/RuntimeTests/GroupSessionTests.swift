import CurriculumKit
import Foundation
import GRDB
import Testing
@testable import Runtime
@testable import SQLiteStore

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// Facilitated group sessions: the slide deck made from a module, opening and joining,
/// the facilitator's controls, live polls, scenarios voted step by step, ending with
/// attendance, closing when idle, and the live events screens follow.
@Suite struct GroupSessionTests {
    /// The repository's bundled course, compiled once.
    static let bundled = CurriculumCompiler.compile(
        path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Curriculum").path)
    /// The overdose module's id (Curriculum/06-overdose-response.md).
    static let overdoseID = "overdose-response"

    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let ada = StaffMember(id: "staff-ada", name: "Ada", roles: [.facilitator], createdAt: Date(timeIntervalSince1970: 1_700_000_000))
    /// Another facilitator who is also a coordinator: still not allowed to run Ada's session.
    let cora = StaffMember(id: "staff-cora", name: "Cora", roles: [.facilitator, .coordinator],
                           createdAt: Date(timeIntervalSince1970: 1_700_000_000))

    // MARK: Helpers

    func course() throws -> Curriculum {
        try #require(Self.bundled.curriculum, "the bundled course doesn't compile: \(Self.bundled.diagnostics)")
    }

    func overdose() throws -> Module {
        try #require(try course().module(id: Self.overdoseID))
    }

    /// The runtime over the bundled course and a new store in memory, on `clock`.
    func runtime(clock: ManualClock? = nil) throws -> (sessions: GroupSessions, store: SQLiteStore) {
        let clock = clock ?? ManualClock(start)
        let store = try SQLiteStore()
        let coursework = Coursework(curriculum: try course(), store: store, hasher: ResumeCodeHasher(key: Array(repeating: 7, count: 32)),
                                    now: { clock.now }, newSeed: { 1 })
        return (GroupSessions(coursework: coursework, now: { clock.now }), store)
    }

    /// Expects `body` to throw a `RecordsError` of `kind`.
    func expectError<T>(_ kind: RecordsError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
                        _ body: () async throws -> T) async {
        do {
            _ = try await body()
            Issue.record("expected a \(kind) error, and nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as RecordsError {
            #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a \(kind) error, got \(error)", sourceLocation: sourceLocation)
        }
    }

    /// The elements of a module's introduction and sections, in order.
    func elements(of module: Module) -> [Element] {
        module.introduction + module.sections.flatMap(\.elements)
    }

    func callouts(_ kind: CalloutKind, in module: Module) -> [Content] {
        elements(of: module).compactMap { element in
            if case let .callout(found, content) = element, found == kind { return content }
            return nil
        }
    }

    func pollIndex(_ deck: SlideDeck, _ question: Question) throws -> Int {
        try #require(deck.slides.firstIndex { $0.body == .poll(question) }, "no poll slide for \(question.id)")
    }

    func scenarioIndex(_ deck: SlideDeck) throws -> (index: Int, scenario: Scenario) {
        for (index, slide) in deck.slides.enumerated() {
            if case let .scenario(scenario) = slide.body { return (index, scenario) }
        }
        throw RecordsError(.unknownItem, "the deck has no scenario slide")
    }

    /// A step with an option that jumps to a step other than where the step goes by default.
    func jump(in scenario: Scenario) throws -> (step: Scenario.Step, option: Option, target: String) {
        for step in scenario.steps {
            for option in step.question?.options ?? [] {
                if case let .step(slug)? = option.next, option.next != step.defaultNext, scenario.step(slug) != nil {
                    return (step, option, slug)
                }
            }
        }
        throw RecordsError(.unknownItem, "scenario \(scenario.id) has no jump away from a step's default")
    }

    func join(_ sessions: GroupSessions, _ session: GroupSession, count: Int) async throws -> [Participant] {
        var people: [Participant] = []
        for _ in 0..<count { people.append(try await sessions.join(code: session.code, nickname: nil).participant) }
        return people
    }

    /// Moves the session forward with `.next` until it is on `slug`'s step of the current scenario.
    func walk(_ sessions: GroupSessions, _ session: GroupSession, to slug: String) async throws -> GroupSession {
        var current = session
        for _ in 0..<50 where current.position.step != slug {
            current = try await sessions.control(current.id, by: ada, seen: current.version, .next)
        }
        try #require(current.position.step == slug, "never reached step \(slug); stopped at \(current.position)")
        return current
    }

    // MARK: The slide deck

    @Test func theOverdoseDeckShowsEveryQuestionScenarioAndPromptOnceAndKeepsNotesOffTheScreen() throws {
        let module = try overdose()
        let slides = SlideDeck(modules: [module]).slides
        try #require(slides.count > 3)
        #expect(slides.first?.body == .join)
        #expect(slides.last?.body == .end)
        #expect(slides[1].body == .moduleTitle(module))
        #expect(slides[1].moduleID == module.id)

        let polls = slides.compactMap { slide -> String? in
            if case let .poll(question) = slide.body { return question.id }
            return nil
        }
        try #require(!module.questions.isEmpty)
        #expect(polls == module.questions.map(\.id), "each question once, in module order")

        let scenarios = slides.compactMap { slide -> String? in
            if case let .scenario(scenario) = slide.body { return scenario.id }
            return nil
        }
        try #require(!module.scenarios.isEmpty)
        #expect(scenarios == module.scenarios.map(\.id))

        let prompts = callouts(.discuss, in: module)
        try #require(!prompts.isEmpty)
        let discussSlides = slides.compactMap { slide -> Content? in
            if case let .discuss(content) = slide.body { return content }
            return nil
        }
        #expect(discussSlides == prompts)

        let notes = callouts(.facilitator, in: module)
        try #require(notes.count > 1)
        for slide in slides {
            if case .callout(.facilitator, _) = slide.body { Issue.record("a facilitator note is shown as a callout: \(slide.heading)") }
            if case let .lesson(content) = slide.body, !content.isEmpty {
                for note in notes where content.plainText.contains(note.plainText) {
                    Issue.record("a facilitator note's text is on a lesson slide: \(slide.heading)")
                }
            }
        }
        #expect(slides.flatMap(\.notes).count == notes.count)
        #expect(slides.flatMap(\.notes) == notes, "every note once, in module order")
        #expect(slides.first?.notes.isEmpty == true && slides.last?.notes.isEmpty == true)
    }

    @Test func aSectionsSlidesTakeTheMinutesItsNoteGives() throws {
        let module = try overdose()
        let slides = SlideDeck(modules: [module]).slides
        func minutes(_ title: String) throws -> Set<Int?> {
            let section = try #require(module.sections.first { $0.title == title }, "no section \(title)")
            let ofSection = slides.filter { $0.sectionID == section.id }
            try #require(!ofSection.isEmpty, "no slides for \(title)")
            return Set(ofSection.map(\.minutes))
        }
        #expect(try minutes("Signs of an opioid overdose") == [4], "Four minutes.")
        // The module's 60 minutes shared among its sections would also be 4: these tell the note apart.
        #expect(try minutes("Try to wake them") == [3], "Three minutes.")
        #expect(try minutes("Practice: Giving nasal naloxone") == [12], "Twelve minutes, on the practical's own slide.")
    }

    @Test func minutesInWordsWithAHyphenAreReadWhole() throws {
        let compiled = CurriculumCompiler.compile(moduleText: """
        ---
        id: timing
        title: Timing
        minutes: 60
        ---

        ## Long talk

        Talk for a while.

        > [!FACILITATOR]
        > Forty-five minutes. Let it run.

        ## Short talk

        Just a bit.

        > [!FACILITATOR]
        > Twenty minutes.
        """)
        let course = try #require(compiled.curriculum, "\(compiled.diagnostics)")
        let module = try #require(course.modules.first)
        let slides = SlideDeck(modules: [module]).slides
        func minutes(_ index: Int) -> Set<Int?> { Set(slides.filter { $0.sectionID == module.sections[index].id }.map(\.minutes)) }
        try #require(module.sections.count == 2)
        #expect(minutes(1) == [20])
        #expect(minutes(0) == [45], "a hyphenated number word is read whole")
    }

    @Test func movingThroughTheDeckStopsAtItsEndsAndFollowsAScenariosJumps() throws {
        let deck = SlideDeck(modules: [try overdose()])
        let last = deck.slides.count - 1
        #expect(deck.next(after: SlidePosition(slide: last)) == nil)
        #expect(deck.previous(before: SlidePosition(slide: 0)) == nil)
        #expect(deck.next(after: SlidePosition(slide: 0)) == SlidePosition(slide: 1))
        #expect(deck.previous(before: SlidePosition(slide: 1)) == SlidePosition(slide: 0))

        let (index, scenario) = try scenarioIndex(deck)
        let first = try #require(scenario.steps.first)
        #expect(deck.start(of: index) == SlidePosition(slide: index, step: first.slug))
        #expect(deck.next(after: SlidePosition(slide: index - 1)) == SlidePosition(slide: index, step: first.slug),
                "arriving at a scenario starts at its first step")

        let (step, option, target) = try jump(in: scenario)
        let at = SlidePosition(slide: index, step: step.slug)
        #expect(deck.next(after: at, following: option) == SlidePosition(slide: index, step: target))
        if case let .step(slug) = step.defaultNext {
            #expect(deck.next(after: at) == SlidePosition(slide: index, step: slug), "no choice: the step's default")
        }

        let ending = try #require(scenario.steps.first { $0.isEnding })
        let end = SlidePosition(slide: index, step: ending.slug)
        #expect(deck.next(after: end) == deck.start(of: index + 1), "after an ending, the next slide")
        #expect(deck.next(after: end, following: option) == deck.start(of: index + 1))
        #expect(deck.previous(before: end) == deck.start(of: index), "back from a later step: the scenario's first step")
        #expect(deck.previous(before: deck.start(of: index)) == deck.start(of: index - 1))
        #expect(deck.poll(at: at) == step.question)
        #expect(deck.poll(at: end) == nil)
    }

    // MARK: Opening and joining

    @Test func openingNeedsKnownModulesEachOnceAndJoiningNeedsTheCode() async throws {
        let (sessions, _) = try runtime()
        let other = try #require(try course().modules.first { $0.id != Self.overdoseID }).id
        await expectError(.unknownItem) { try await sessions.open(moduleIDs: [], by: ada) }
        await expectError(.unknownItem) { try await sessions.open(moduleIDs: [Self.overdoseID, "no-such-module"], by: ada) }
        await expectError(.unknownItem) { try await sessions.open(moduleIDs: [Self.overdoseID, other, Self.overdoseID], by: ada) }
        #expect(try await sessions.sessions(of: ada).isEmpty, "nothing refused was stored")

        let session = try await sessions.open(moduleIDs: [Self.overdoseID, other], by: ada)
        #expect(session.code.count == 6 && session.code.allSatisfy { ("0"..."9").contains($0) }, "code \(session.code)")
        #expect(session.moduleIDs == [Self.overdoseID, other], "kept in the order given")
        #expect(sessions.deck(for: session).moduleStarts.map(\.moduleID) == [Self.overdoseID, other])
        #expect(session.status == .open && session.version == 0 && session.position == SlidePosition(slide: 0))
        #expect(session.facilitatorID == ada.id)
        #expect(try await sessions.sessions(of: ada).map(\.id) == [session.id])

        let number = try #require(Int(session.code))
        let wrong = String(format: "%06d", (number + 1) % 1_000_000)
        await expectError(.unknownSession) { try await sessions.join(code: wrong, nickname: nil) }
        await expectError(.unknownSession) { try await sessions.join(code: String(session.code.dropLast()), nickname: nil) }
        await expectError(.unknownSession) { try await sessions.join(code: session.code + "1", nickname: nil) }
        await expectError(.unknownSession) { try await sessions.join(code: "", nickname: nil) }
        #expect(try await sessions.participantCount(session) == 0)

        let spaced = "\(session.code.prefix(3)) \(session.code.suffix(3))"
        let first = try await sessions.join(code: spaced, nickname: "")
        #expect(first.session.id == session.id)
        #expect(first.participant.nickname == nil && first.participant.learnerID == nil)
        #expect(first.participant.tokenDigest != first.token, "only the token's digest is stored")
        let blank = try await sessions.join(code: " \(session.code) ", nickname: "   ")
        #expect(blank.participant.nickname == nil)
        let named = try await sessions.join(code: session.code, nickname: "  Sam ")
        #expect(named.participant.nickname == "Sam")
        await expectError(.badDisplayName) { try await sessions.join(code: session.code, nickname: "a\u{7}b") }
        #expect(try await sessions.participantCount(session) == 3)
        #expect(try await sessions.participant(token: first.token)?.participant.id == first.participant.id)
        #expect(try await sessions.participant(token: named.token)?.participant.id == named.participant.id)
    }

    // MARK: Control

    @Test func onlyTheOpeningFacilitatorControlsAndOnlyFromTheVersionTheyWereShown() async throws {
        let (sessions, _) = try runtime()
        let session = try await sessions.open(moduleIDs: [Self.overdoseID], by: ada)
        await expectError(.notAllowed) { try await sessions.control(session.id, by: cora, seen: nil, .next) }
        await expectError(.notAllowed) { try await sessions.end(session.id, by: cora) }
        await expectError(.unknownSession) { try await sessions.control("no-such-session", by: ada, seen: nil, .next) }
        #expect(try await sessions.session(id: session.id) == session, "a refused change changes nothing")

        let moved = try await sessions.control(session.id, by: ada, seen: 0, .next)
        #expect(moved.position == SlidePosition(slide: 1) && moved.version == 1)
        #expect(try await sessions.session(id: session.id) == moved)
        await expectError(.sessionMoved) { try await sessions.control(session.id, by: ada, seen: 0, .next) }
        #expect(try await sessions.session(id: session.id)?.position == SlidePosition(slide: 1), "the stale page moved nothing")

        // Slide 1 is the module's title: nothing to reveal.
        let unrevealed = try await sessions.control(session.id, by: ada, seen: 1, .reveal)
        #expect(unrevealed.position == moved.position && !unrevealed.revealed)
        #expect(try await sessions.session(id: session.id)?.revealed == false)

        let back = try await sessions.control(session.id, by: ada, seen: nil, .back)
        #expect(back.position == SlidePosition(slide: 0) && back.version == moved.version + 1)
        await expectError(.unknownItem) { try await sessions.control(session.id, by: ada, seen: nil, .go(999)) }
        await expectError(.unknownItem) { try await sessions.control(session.id, by: ada, seen: nil, .go(-1)) }
        await expectError(.unknownItem) { try await sessions.control(session.id, by: ada, seen: nil, .follow("a")) }
        #expect(try await sessions.session(id: session.id) == back, "refused jumps change nothing")

        let blanked = try await sessions.control(session.id, by: ada, seen: back.version, .blank(true))
        #expect(blanked.blanked && blanked.version == back.version + 1 && blanked.position == back.position)

        let attendance = try await sessions.end(session.id, by: ada)
        #expect(attendance.isEmpty)
        let ended = try #require(try await sessions.session(id: session.id))
        #expect(ended.status == .ended && ended.endedAt == start)
        await expectError(.sessionEnded) { try await sessions.control(session.id, by: ada, seen: nil, .next) }
        await expectError(.sessionEnded) { try await sessions.control(session.id, by: ada, seen: ended.version, .go(1)) }
        #expect(try await sessions.session(id: session.id)?.position == back.position)
    }

    // MARK: Answers

    @Test func answersAreTakenOnlyWhileTheirPollIsOpenAndCountOncePerPerson() async throws {
        let (sessions, _) = try runtime()
        let module = try overdose()
        let session = try await sessions.open(moduleIDs: [Self.overdoseID], by: ada)
        let deck = sessions.deck(for: session)
        let selectAll = try #require(module.questions.first { $0.kind == .selectAll })
        let other = try #require(module.questions.first { $0.id != selectAll.id })
        let people = try await join(sessions, session, count: 3)

        await expectError(.pollClosed) { try await sessions.answer(.selection(["a"]), by: people[0], in: session, poll: selectAll.id) }
        let atPoll = try await sessions.control(session.id, by: ada, seen: nil, .go(try pollIndex(deck, selectAll)))
        await expectError(.pollClosed) { try await sessions.answer(.choice("a"), by: people[0], in: atPoll, poll: other.id) }
        // A page still showing the join slide can't answer it either.
        await expectError(.pollClosed) { try await sessions.answer(.selection(["a"]), by: people[0], in: session, poll: selectAll.id) }
        await expectError(.unknownItem) { try await sessions.answer(.choice("a"), by: people[0], in: atPoll, poll: selectAll.id) }
        await expectError(.unknownItem) { try await sessions.answer(.selection(["z"]), by: people[0], in: atPoll, poll: selectAll.id) }
        #expect(try await sessions.tally(atPoll, poll: selectAll.id).total == 0, "nothing refused was counted")

        try await sessions.answer(.selection(["a"]), by: people[0], in: atPoll, poll: selectAll.id)
        try await sessions.answer(.selection(["b", "a"]), by: people[0], in: atPoll, poll: selectAll.id)
        let once = try await sessions.tally(atPoll, poll: selectAll.id)
        #expect(once.total == 1)
        #expect(once.counts == [.selection(["a", "b"]): 1], "the second answer replaced the first")
        #expect(try await sessions.answer(of: people[0], poll: selectAll.id) == .selection(["a", "b"]))

        try await sessions.answer(.selection(["c", "a"]), by: people[1], in: atPoll, poll: selectAll.id)
        try await sessions.answer(.selection(["a", "c"]), by: people[2], in: atPoll, poll: selectAll.id)
        let tally = try await sessions.tally(atPoll, poll: selectAll.id)
        #expect(tally.counts == [.selection(["a", "b"]): 1, .selection(["a", "c"]): 2])
        #expect(tally.count(choosing: "a") == 3 && tally.count(choosing: "c") == 2 && tally.count(choosing: "d") == 0)
        #expect(try await sessions.answerCount(atPoll, poll: selectAll.id) == 3)

        let revealed = try await sessions.control(session.id, by: ada, seen: atPoll.version, .reveal)
        #expect(revealed.revealed && revealed.position == atPoll.position)
        await expectError(.pollClosed) { try await sessions.answer(.selection(["d"]), by: people[1], in: revealed, poll: selectAll.id) }
        // A page that hasn't heard of the reveal yet is refused by the store.
        await expectError(.pollClosed) { try await sessions.answer(.selection(["d"]), by: people[1], in: atPoll, poll: selectAll.id) }
        #expect(try await sessions.tally(revealed, poll: selectAll.id) == tally)

        let onward = try await sessions.control(session.id, by: ada, seen: revealed.version, .next)
        #expect(!onward.revealed && onward.position == SlidePosition(slide: atPoll.position.slide + 1))
        await expectError(.pollClosed) { try await sessions.answer(.selection(["d"]), by: people[1], in: onward, poll: selectAll.id) }
    }

    @Test func shortAnswersAreTalliedAsAcceptedOrOtherAndNeverKeptAsTyped() async throws {
        let (sessions, store) = try runtime()
        let module = try overdose()
        let question = try #require(module.questions.first { $0.kind == .shortAnswer })
        let session = try await sessions.open(moduleIDs: [Self.overdoseID], by: ada)
        let people = try await join(sessions, session, count: 4)
        let atPoll = try await sessions.control(session.id, by: ada, seen: nil, .go(try pollIndex(sessions.deck(for: session), question)))
        let typed = ["Naloxone (Narcan)", "adrenaline", "  NALOXONE ", "ask my friend Jo"]
        for (person, text) in zip(people, typed) {
            try await sessions.answer(.text(text), by: person, in: atPoll, poll: question.id)
        }
        let tally = try await sessions.tally(atPoll, poll: question.id)
        #expect(tally.counts == [.text(GroupSessions.acceptedText): 2, .text(GroupSessions.otherText): 2])
        #expect(try await sessions.answer(of: people[0], poll: question.id) == .text(GroupSessions.acceptedText))
        #expect(try await sessions.answer(of: people[1], poll: question.id) == .text(GroupSessions.otherText))

        let stored = try await store.database.read { db in try String.fetchAll(db, sql: "SELECT response FROM poll_answer") }
        #expect(stored.count == 4)
        for row in stored {
            #expect(!row.lowercased().contains("adrenaline") && !row.contains("Jo") && !row.lowercased().contains("naloxone"), "\(row)")
        }
        try await sessions.end(session.id, by: ada)
        #expect(try await sessions.tally(atPoll, poll: question.id) == tally, "the counts outlive the answers")
    }

    // MARK: Scenarios

    @Test func aScenarioGoesWhereMostOfTheRoomChoseUnlessTheFacilitatorFollowsAnotherChoice() async throws {
        let (sessions, _) = try runtime()
        let session = try await sessions.open(moduleIDs: [Self.overdoseID], by: ada)
        let deck = sessions.deck(for: session)
        let (index, scenario) = try scenarioIndex(deck)
        let (step, popular, popularTarget) = try jump(in: scenario)
        let question = try #require(step.question)
        let at = SlidePosition(slide: index, step: step.slug)
        // A less popular option that leads somewhere else.
        let minority = try #require(question.options.first {
            $0.letter != popular.letter && deck.next(after: at, following: $0) != deck.next(after: at, following: popular)
        })
        let minorityNext = try #require(deck.next(after: at, following: minority))

        let people = try await join(sessions, session, count: 3)
        var current = try await sessions.control(session.id, by: ada, seen: nil, .go(index))
        #expect(current.position == deck.start(of: index))
        current = try await walk(sessions, current, to: step.slug)
        try await sessions.answer(.choice(popular.letter), by: people[0], in: current, poll: question.id)
        try await sessions.answer(.choice(minority.letter), by: people[1], in: current, poll: question.id)
        try await sessions.answer(.choice(popular.letter), by: people[2], in: current, poll: question.id)
        let followedRoom = try await sessions.control(session.id, by: ada, seen: current.version, .next)
        #expect(followedRoom.position == SlidePosition(slide: index, step: popularTarget))

        // Back to the scenario's start and along to the step again: the votes still stand.
        current = try await sessions.control(session.id, by: ada, seen: followedRoom.version, .back)
        #expect(current.position == deck.start(of: index))
        current = try await walk(sessions, current, to: step.slug)
        #expect(try await sessions.tally(current, poll: question.id).count(choosing: popular.letter) == 2)
        await expectError(.unknownItem) { try await sessions.control(session.id, by: ada, seen: nil, .follow("z")) }
        let followedChoice = try await sessions.control(session.id, by: ada, seen: current.version, .follow(minority.letter))
        #expect(followedChoice.position == minorityNext)
        #expect(followedChoice.position != SlidePosition(slide: index, step: popularTarget))
    }

    @Test func aTiedRoomGoesWhereTheFirstTiedOptionLeads() async throws {
        let (sessions, _) = try runtime()
        let session = try await sessions.open(moduleIDs: [Self.overdoseID], by: ada)
        let deck = sessions.deck(for: session)
        let (index, scenario) = try scenarioIndex(deck)
        let (step, option, target) = try jump(in: scenario)
        let question = try #require(step.question)
        let at = SlidePosition(slide: index, step: step.slug)
        let later = try #require(question.options.first {
            $0.position > option.position && deck.next(after: at, following: $0) != deck.next(after: at, following: option)
        })
        let people = try await join(sessions, session, count: 2)
        var current = try await sessions.control(session.id, by: ada, seen: nil, .go(index))
        current = try await walk(sessions, current, to: step.slug)
        try await sessions.answer(.choice(later.letter), by: people[0], in: current, poll: question.id)
        try await sessions.answer(.choice(option.letter), by: people[1], in: current, poll: question.id)
        let moved = try await sessions.control(session.id, by: ada, seen: current.version, .next)
        #expect(moved.position == SlidePosition(slide: index, step: target))
    }

    // MARK: Ending and attendance

    @Test func endingCreditsLinkedParticipantsAndRetiresTheCode() async throws {
        let (sessions, _) = try runtime()
        let coursework = sessions.coursework
        let (robin, robinCode) = try await coursework.register(displayName: "Robin")
        let (kim, kimCode) = try await coursework.register(displayName: "Kim")
        let (lee, _) = try await coursework.register(displayName: "Lee")
        let session = try await sessions.open(moduleIDs: [Self.overdoseID], by: ada)
        let linked = try await sessions.join(code: session.code, nickname: nil)
        let unlinked = try await sessions.join(code: session.code, nickname: nil)
        try await sessions.link(linked.participant, to: robin)
        #expect(try await coursework.progress(of: robin).sessionsAttended == 0, "nothing counts before the end")

        let recorded = try await sessions.end(session.id, by: ada)
        #expect(recorded == [Attendance(learnerID: robin.id, sessionID: session.id, moduleIDs: [Self.overdoseID], attendedAt: start,
                                        recordedBy: ada.id, byHand: false)])
        let progress = try await coursework.progress(of: robin)
        #expect(progress.sessionsAttended == 1)
        #expect(progress.attendance.map(\.sessionID) == [session.id])
        #expect(try await coursework.progress(of: lee).sessionsAttended == 0)
        #expect(try await sessions.end(session.id, by: ada).isEmpty, "ending again records nothing more")
        #expect(try await coursework.progress(of: robin).sessionsAttended == 1)

        #expect(try await sessions.session(code: session.code) == nil)
        await expectError(.unknownSession) { try await sessions.join(code: session.code, nickname: nil) }
        #expect(try await sessions.participant(token: linked.token) == nil)
        await expectError(.sessionEnded) { try await sessions.link(unlinked.participant, to: lee) }
        #expect(try await sessions.session(id: session.id)?.status == .ended)

        // Someone without a phone, recorded by hand with their resume code.
        let byHand = try await sessions.recordAttendance(resumeCode: kimCode.description, in: session.id, by: ada)
        #expect(byHand == kim)
        let kimProgress = try await coursework.progress(of: kim)
        #expect(kimProgress.sessionsAttended == 1)
        #expect(kimProgress.attendance.first?.byHand == true && kimProgress.attendance.first?.recordedBy == ada.id)
        await expectError(.duplicate) { try await sessions.recordAttendance(resumeCode: kimCode.description, in: session.id, by: ada) }
        await expectError(.duplicate) { try await sessions.recordAttendance(resumeCode: robinCode.description, in: session.id, by: ada) }
        var rng = SeededGenerator(seed: 11)
        let stranger = ResumeCode.generate(using: &rng)
        await expectError(.unknownCode) { try await sessions.recordAttendance(resumeCode: stranger.description, in: session.id, by: ada) }
        await expectError(.malformedCode) { try await sessions.recordAttendance(resumeCode: "not a code", in: session.id, by: ada) }
        await expectError(.notAllowed) { try await sessions.recordAttendance(resumeCode: kimCode.description, in: session.id, by: cora) }
        await expectError(.unknownSession) { try await sessions.recordAttendance(resumeCode: kimCode.description, in: "nope", by: ada) }
        #expect(try await coursework.progress(of: kim).sessionsAttended == 1)
        #expect(try await coursework.progress(of: lee).sessionsAttended == 0)
    }

    @Test func aSessionLeftIdleEndsWhenLookedUpAndStillCreditsLinkedParticipants() async throws {
        let clock = ManualClock(start)
        let (sessions, store) = try runtime(clock: clock)
        let coursework = sessions.coursework
        let (robin, _) = try await coursework.register(displayName: "Robin")
        let (kim, _) = try await coursework.register(displayName: "Kim")
        let byID = try await sessions.open(moduleIDs: [Self.overdoseID], by: ada)
        let byCode = try await sessions.open(moduleIDs: [Self.overdoseID], by: ada)
        let busy = try await sessions.open(moduleIDs: [Self.overdoseID], by: ada)
        try await sessions.link(try await sessions.join(code: byID.code, nickname: nil).participant, to: robin)
        try await sessions.link(try await sessions.join(code: byCode.code, nickname: nil).participant, to: kim)

        clock.advance(by: GroupSessions.idleLimit - 1)
        #expect(try await sessions.session(id: byID.id)?.status == .open, "not idle yet")
        #expect(try await sessions.session(code: byCode.code)?.id == byCode.id)
        try await sessions.control(busy.id, by: ada, seen: nil, .next)
        clock.advance(by: 2)

        let ended = try #require(try await sessions.session(id: byID.id))
        #expect(ended.status == .ended)
        #expect(ended.endedAt == start + GroupSessions.idleLimit, "ended when it went idle, not when looked at")
        #expect(try await sessions.session(code: byID.code) == nil)
        let robinAttendance = try await coursework.progress(of: robin)
        #expect(robinAttendance.sessionsAttended == 1)
        #expect(robinAttendance.attendance.first?.attendedAt == start + GroupSessions.idleLimit)

        #expect(try await sessions.session(code: byCode.code) == nil)
        #expect(try await store.groupSession(id: byCode.id)?.status == .ended, "looking it up by code ended it")
        #expect(try await coursework.progress(of: kim).sessionsAttended == 1)
        await expectError(.unknownSession) { try await sessions.join(code: byCode.code, nickname: nil) }
        await expectError(.sessionEnded) { try await sessions.control(byID.id, by: ada, seen: nil, .next) }

        #expect(try await sessions.session(id: busy.id)?.status == .open, "a change keeps a session open")
        #expect(try await sessions.session(code: busy.code)?.id == busy.id)
    }

    // MARK: Live updates

    @Test func screensFollowingASessionHearOfEachChangeWithItsVersion() async throws {
        let (sessions, _) = try runtime()
        let session = try await sessions.open(moduleIDs: [Self.overdoseID], by: ada)
        let other = try await sessions.open(moduleIDs: [Self.overdoseID], by: ada)
        let events = await sessions.live.subscribe(sessionID: session.id)
        let elsewhere = await sessions.live.subscribe(sessionID: other.id)
        #expect(await sessions.live.subscriberCount(sessionID: session.id) == 1)

        let moved = try await sessions.control(session.id, by: ada, seen: 0, .next)
        #expect(moved.version == 1)
        var first: LiveEvent?
        for await event in events {
            first = event
            break
        }
        #expect(first == .moved(version: moved.version))

        _ = try await sessions.join(code: session.code, nickname: nil)
        try await sessions.end(session.id, by: ada)
        // Ending finishes the stream, so reading the rest stops.
        #expect(await sessions.live.subscriberCount(sessionID: session.id) == 0)
        guard await sessions.live.subscriberCount(sessionID: session.id) == 0 else { return }
        var rest: [LiveEvent] = []
        for await event in events { rest.append(event) }
        #expect(rest == [.answered, .moved(version: moved.version + 1)])
        #expect(try await sessions.session(id: session.id)?.version == moved.version + 1)

        // The other session's screen heard nothing of this one.
        #expect(await sessions.live.subscriberCount(sessionID: other.id) == 1)
        try await sessions.end(other.id, by: ada)
        var heard: [LiveEvent] = []
        for await event in elsewhere { heard.append(event) }
        #expect(heard == [.moved(version: 1)])
    }
}
