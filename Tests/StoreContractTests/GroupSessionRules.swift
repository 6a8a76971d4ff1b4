import CurriculumKit
import Foundation
import Runtime
import Testing

/// What any store must keep for group sessions: one answer per person per poll, tallies
/// counted from the rows, answers taken only while their poll is open, and an end that
/// records attendance and reduces answers to counts in one step.
@Suite struct GroupSessionRules {
    func groupSession(_ id: String = "g1", code: String = "123456", slide: Int = 3) -> GroupSession {
        GroupSession(id: id, code: code, facilitatorID: "ada", moduleIDs: ["signs", "response"],
                     position: SlidePosition(slide: slide), openedAt: day0, lastActivityAt: day0)
    }

    func participant(_ id: String, in session: String = "g1", learner: String? = nil) -> Participant {
        Participant(id: id, sessionID: session, tokenDigest: "digest-\(id)", nickname: nil, learnerID: learner, joinedAt: day0)
    }

    func vote(_ participant: String, _ response: Response, poll: String = "signs/q1", in session: String = "g1") -> PollAnswer {
        PollAnswer(sessionID: session, pollKey: poll, participantID: participant, response: response, answeredAt: day0)
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aSessionReadsBackAndItsCodeIsUniqueWhileOpen(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let stored = groupSession()
            try await store.createGroupSession(stored)
            #expect(try await store.groupSession(id: "g1") == stored)
            #expect(try await store.openGroupSession(code: "123456") == stored)
            #expect(try await store.openGroupSession(code: "654321") == nil)
            await expectError(.duplicate) { try await store.createGroupSession(groupSession("g2")) }
            _ = try await store.endGroupSession(id: "g1", at: day0 + 60)
            #expect(try await store.openGroupSession(code: "123456") == nil, "an ended session's code stops working")
            try await store.createGroupSession(groupSession("g2"))
            #expect(try await store.openGroupSession(code: "123456")?.id == "g2", "a code is free again once its session ends")
            #expect(try await store.groupSessions(facilitatorID: "ada").map(\.id).sorted() == ["g1", "g2"])
            #expect(try await store.groupSessions(facilitatorID: "sam").isEmpty)
        }
    }

    /// A live screen's read: the session and both counts agree with the single reads, the
    /// poll is the one the session's position picks, and an ended session counts from its
    /// stored counts.
    @Test(arguments: StoreUnderTest.allCases)
    func aLiveSnapshotAgreesWithTheSingleReads(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            try await store.createGroupSession(groupSession())
            try await store.createGroupSession(groupSession("g2", code: "654321"))
            for id in ["p1", "p2", "p3"] { try await store.addParticipant(participant(id)) }
            try await store.addParticipant(participant("elsewhere", in: "g2"))
            let here = SlidePosition(slide: 3)
            try await store.recordPollAnswer(vote("p1", .choice("a")), at: here)
            try await store.recordPollAnswer(vote("p2", .choice("b")), at: here)
            try await store.recordPollAnswer(vote("p3", .choice("a"), poll: "signs/q2"), at: here)
            try await store.recordPollAnswer(vote("elsewhere", .choice("a"), in: "g2"), at: here)
            let pickQ1: @Sendable (GroupSession) -> String? = { $0.position.slide == 3 ? "signs/q1" : nil }

            let live = try #require(try await store.liveSnapshot(sessionID: "g1", pollKey: pickQ1))
            let session = try await store.groupSession(id: "g1")
            let people = try await store.participantCount(sessionID: "g1")
            let answered = try await store.answerCount(sessionID: "g1", pollKey: "signs/q1")
            #expect(live.session == session)
            #expect(live.participants == 3 && people == 3)
            #expect(live.answers == 2 && answered == 2, "only that poll's answers, only this session's")
            let noPoll = try #require(try await store.liveSnapshot(sessionID: "g1") { _ in nil })
            #expect(noPoll.answers == nil && noPoll.participants == 3, "a slide without a poll counts no answers")
            #expect(try await store.liveSnapshot(sessionID: "none", pollKey: pickQ1) == nil)

            _ = try await store.endGroupSession(id: "g1", at: day0 + 60)
            let ended = try #require(try await store.liveSnapshot(sessionID: "g1", pollKey: pickQ1))
            let endedPeople = try await store.participantCount(sessionID: "g1")
            let endedAnswers = try await store.answerCount(sessionID: "g1", pollKey: "signs/q1")
            #expect(ended.session.status == .ended)
            #expect(ended.participants == endedPeople)
            #expect(ended.answers == 2 && endedAnswers == 2, "once ended, from the stored counts")
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func anUpdateNeedsTheVersionItWasMadeFrom(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            var session = groupSession()
            try await store.createGroupSession(session)
            session.position = SlidePosition(slide: 4, step: "arrive")
            session.revealed = true
            session.blanked = true
            session.showNicknames = true
            session.version = 1
            session.lastActivityAt = day0 + 30
            try await store.updateGroupSession(session, expectedVersion: 0)
            #expect(try await store.groupSession(id: "g1") == session)
            await expectError(.sessionMoved) { try await store.updateGroupSession(session, expectedVersion: 0) }
            _ = try await store.endGroupSession(id: "g1", at: day0 + 60)
            session.version = 2
            await expectError(.sessionEnded) { try await store.updateGroupSession(session, expectedVersion: 2) }
            await expectError(.unknownSession) {
                var other = session
                other.id = "none"
                try await store.updateGroupSession(other, expectedVersion: 0)
            }
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func answeringAgainReplacesTheAnswerAndTalliesCountRows(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            try await store.createGroupSession(groupSession())
            for id in ["p1", "p2", "p3"] { try await store.addParticipant(participant(id)) }
            let here = SlidePosition(slide: 3)
            try await store.recordPollAnswer(vote("p1", .choice("a")), at: here)
            try await store.recordPollAnswer(vote("p2", .choice("b")), at: here)
            try await store.recordPollAnswer(vote("p2", .choice("b")), at: here)  // a replay
            try await store.recordPollAnswer(vote("p3", .choice("b")), at: here)
            try await store.recordPollAnswer(vote("p3", .choice("a")), at: here)  // a change of mind
            let tally = try await store.tally(sessionID: "g1", pollKey: "signs/q1")
            #expect(tally.counts == [.choice("a"): 2, .choice("b"): 1])
            #expect(try await store.answerCount(sessionID: "g1", pollKey: "signs/q1") == 3)
            #expect(try await store.pollAnswer(sessionID: "g1", pollKey: "signs/q1", participantID: "p3") == .choice("a"))
            #expect(try await store.pollAnswer(sessionID: "g1", pollKey: "signs/q2", participantID: "p3") == nil)
            #expect(try await store.tally(sessionID: "g1", pollKey: "signs/q2").total == 0)
            #expect(try await store.participantCount(sessionID: "g1") == 3)
            #expect(try await store.nicknames(sessionID: "g1").isEmpty, "nobody gave one")
            var named = participant("p4")
            named.nickname = "Sky"
            named.joinedAt = day0 + 5
            try await store.addParticipant(named)
            #expect(try await store.nicknames(sessionID: "g1") == ["Sky"])
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func manyAnsweringAtOnceLoseNothingAndCountNothingTwice(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            try await store.createGroupSession(groupSession())
            let people = (0..<40).map { "p\($0)" }
            for id in people { try await store.addParticipant(participant(id)) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in people.enumerated() {
                    for _ in 0..<3 {  // each person's answer arrives three times
                        group.addTask {
                            try await store.recordPollAnswer(vote(id, .choice(index % 4 == 0 ? "a" : "b")), at: SlidePosition(slide: 3))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let tally = try await store.tally(sessionID: "g1", pollKey: "signs/q1")
            #expect(tally.counts == [.choice("a"): 10, .choice("b"): 30])
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func anAnswerIsTakenOnlyWhileItsPollIsCurrentAndUnrevealed(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            var session = groupSession()
            try await store.createGroupSession(session)
            try await store.addParticipant(participant("p1"))
            await expectError(.pollClosed) { try await store.recordPollAnswer(vote("p1", .choice("a")), at: SlidePosition(slide: 2)) }
            await expectError(.pollClosed) {
                try await store.recordPollAnswer(vote("p1", .choice("a")), at: SlidePosition(slide: 3, step: "arrive"))
            }
            session.revealed = true
            session.version = 1
            try await store.updateGroupSession(session, expectedVersion: 0)
            await expectError(.pollClosed) { try await store.recordPollAnswer(vote("p1", .choice("a")), at: SlidePosition(slide: 3)) }
            #expect(try await store.tally(sessionID: "g1", pollKey: "signs/q1").total == 0)
            await expectError(.pollClosed) {
                try await store.recordPollAnswer(vote("p1", .choice("a"), in: "none"), at: SlidePosition(slide: 3))
            }
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func endingRecordsAttendanceAndReducesAnswersToTheSameCounts(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner("Robin")
            let sam = newLearner("Sam")
            try await store.createLearner(robin, codeDigest: "robin")
            try await store.createLearner(sam, codeDigest: "sam")
            try await store.createGroupSession(groupSession())
            try await store.addParticipant(participant("p1"))
            try await store.addParticipant(participant("p2"))
            try await store.addParticipant(participant("p3"))
            try await store.linkParticipant(id: "p1", learnerID: robin.id)
            try await store.linkParticipant(id: "p2", learnerID: robin.id)  // the same person on two devices
            try await store.recordPollAnswer(vote("p1", .selection(["a", "c"])), at: SlidePosition(slide: 3))
            try await store.recordPollAnswer(vote("p3", .selection(["a", "c"])), at: SlidePosition(slide: 3))
            let before = try await store.tally(sessionID: "g1", pollKey: "signs/q1")

            let recorded = try await store.endGroupSession(id: "g1", at: day0 + 3600)
            #expect(recorded == [Attendance(learnerID: robin.id, sessionID: "g1", moduleIDs: ["signs", "response"],
                                            attendedAt: day0 + 3600, recordedBy: "ada", byHand: false)])
            #expect(try await store.attendance(learnerID: robin.id) == recorded)
            #expect(try await store.attendance(learnerID: sam.id).isEmpty)
            #expect(try await store.tally(sessionID: "g1", pollKey: "signs/q1") == before, "the counts equal the rows they replace")
            #expect(try await store.pollAnswer(sessionID: "g1", pollKey: "signs/q1", participantID: "p1") == nil,
                    "no per-person answer is kept")
            #expect(try await store.participant(tokenDigest: "digest-p1") == nil)
            #expect(try await store.groupSession(id: "g1")?.status == .ended)
            #expect(try await store.groupSession(id: "g1")?.endedAt == day0 + 3600)
            await expectError(.sessionEnded) { _ = try await store.endGroupSession(id: "g1", at: day0 + 7200) }
            await expectError(.sessionEnded) { try await store.addParticipant(participant("p4")) }
            await expectError(.unknownSession) { _ = try await store.endGroupSession(id: "none", at: day0) }
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func attendanceByHandIsRecordedOnceAndGoesWithTheLearner(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner("Robin")
            try await store.createLearner(robin, codeDigest: "robin")
            try await store.createGroupSession(groupSession())
            try await store.addParticipant(participant("p1"))
            try await store.linkParticipant(id: "p1", learnerID: robin.id)
            let byHand = Attendance(learnerID: robin.id, sessionID: "g1", moduleIDs: ["signs"], attendedAt: day0 + 10,
                                    recordedBy: "ada", byHand: true)
            try await store.addAttendance(byHand)
            await expectError(.duplicate) { try await store.addAttendance(byHand) }
            #expect(try await store.endGroupSession(id: "g1", at: day0 + 60).isEmpty, "already recorded by hand")
            #expect(try await store.attendance(learnerID: robin.id) == [byHand])
            #expect(try await store.export(learnerID: robin.id)?.attendance == [byHand])

            #expect(try await store.deleteLearner(id: robin.id))
            #expect(try await store.attendance(learnerID: robin.id).isEmpty)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func deletingALearnerUnlinksTheirDevice(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner("Robin")
            try await store.createLearner(robin, codeDigest: "robin")
            try await store.createGroupSession(groupSession())
            try await store.addParticipant(participant("p1"))
            try await store.linkParticipant(id: "p1", learnerID: robin.id)
            #expect(try await store.deleteLearner(id: robin.id))
            #expect(try await store.participant(tokenDigest: "digest-p1")?.learnerID == nil)
            #expect(try await store.endGroupSession(id: "g1", at: day0 + 60).isEmpty)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func idleSessionsAreFoundByTheirLastActivity(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            try await store.createGroupSession(groupSession("g1", code: "111111"))
            var busy = groupSession("g2", code: "222222")
            busy.lastActivityAt = day0 + 7200
            try await store.createGroupSession(busy)
            try await store.addParticipant(participant("p1", in: "g1"))
            #expect(try await store.idleGroupSessions(before: day0 + 3600).map(\.id) == ["g1"])
            _ = try await store.endGroupSession(id: "g1", at: day0 + 3600)
            #expect(try await store.idleGroupSessions(before: day0 + 3600).isEmpty, "ended sessions aren't idle")
        }
    }
}
