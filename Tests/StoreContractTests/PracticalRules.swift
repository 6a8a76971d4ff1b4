import CurriculumKit
import Foundation
import Runtime
import Testing

/// What any store must keep for practical skill sign-offs.
@Suite struct PracticalRules {
    func signOff(_ learner: Learner, _ practical: String = "overdose-response/giving-nasal-naloxone", by name: String = "Ada",
                 session: String? = "s1", reason: String? = nil, at date: Date = day0) -> PracticalSignOff {
        PracticalSignOff(learnerID: learner.id, practicalID: practical, signedBy: "staff-" + name, signerName: name,
                         groupSessionID: session, reason: reason, signedAt: date)
    }

    @Test(arguments: StoreUnderTest.allCases)
    func theFirstSignOffStands(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "r")
            let first = signOff(robin)
            #expect(try await store.addSignOff(first))
            #expect(try await store.addSignOff(signOff(robin, by: "Cora", session: nil, reason: "paper checklist", at: day0 + 60)) == false,
                    "signing off again keeps the first")
            #expect(try await store.signOffs(learnerID: robin.id) == [first])
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func signOffsAreKeptInOrderWithEveryField(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner(), kai = newLearner("Kai")
            try await store.createLearner(robin, codeDigest: "r")
            try await store.createLearner(kai, codeDigest: "k")
            let later = signOff(robin, "m/second", by: "Cora", session: nil, reason: "observed at the June training", at: day0 + 120)
            let earlier = signOff(robin, "m/first", at: day0)
            try await store.addSignOff(later)
            try await store.addSignOff(earlier)
            try await store.addSignOff(signOff(kai, "m/first"))
            #expect(try await store.signOffs(learnerID: robin.id) == [earlier, later], "oldest first, every field as stored")
            #expect(try await store.signOffs(learnerID: "nobody") == [])
            let all = try await store.signedOffPracticals()
            #expect(all[robin.id] == ["m/first", "m/second"])
            #expect(all[kai.id] == ["m/first"])
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func signingOffSomeoneUnknownFails(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            await expectError(.unknownLearner) { _ = try await store.addSignOff(signOff(newLearner("Ghost"))) }
            let all = try await store.signedOffPracticals()
            #expect(all.isEmpty)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func deletingALearnerRemovesTheirSignOffs(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner(), kai = newLearner("Kai")
            try await store.createLearner(robin, codeDigest: "r")
            try await store.createLearner(kai, codeDigest: "k")
            try await store.addSignOff(signOff(robin))
            try await store.addSignOff(signOff(kai))
            #expect(try await store.export(learnerID: robin.id)?.signOffs.count == 1, "the export holds them")
            #expect(try await store.deleteLearner(id: robin.id))
            #expect(try await store.signOffs(learnerID: robin.id) == [])
            let left = try await store.signedOffPracticals()
            #expect(left[robin.id] == nil)
            #expect(try await store.signOffs(learnerID: kai.id).count == 1, "others keep theirs")
            // A new learner can't inherit them.
            #expect(try await store.addSignOff(signOff(kai, "m/other")))
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aSessionsLearnersAreItsLinkedParticipantsAndAttendees(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner("Robin"), kai = newLearner("Kai"), ada = newLearner("Ada"), other = newLearner("Zed")
            for (index, learner) in [robin, kai, ada, other].enumerated() {
                try await store.createLearner(learner, codeDigest: "d\(index)")
            }
            let session = GroupSession(id: "s1", code: "123456", facilitatorID: "ada", moduleIDs: ["m"],
                                       position: SlidePosition(slide: 0), openedAt: day0, lastActivityAt: day0)
            try await store.createGroupSession(session)
            try await store.addParticipant(Participant(id: "p1", sessionID: "s1", tokenDigest: "t1", nickname: nil, learnerID: nil, joinedAt: day0))
            try await store.addParticipant(Participant(id: "p2", sessionID: "s1", tokenDigest: "t2", nickname: "Kai", learnerID: nil, joinedAt: day0))
            try await store.addParticipant(Participant(id: "p3", sessionID: "s1", tokenDigest: "t3", nickname: nil, learnerID: nil, joinedAt: day0))
            try await store.linkParticipant(id: "p2", learnerID: kai.id)
            try await store.linkParticipant(id: "p3", learnerID: robin.id)
            try await store.addAttendance(Attendance(learnerID: ada.id, sessionID: "s1", moduleIDs: ["m"], attendedAt: day0,
                                                     recordedBy: "ada", byHand: true))
            try await store.addAttendance(Attendance(learnerID: other.id, sessionID: "elsewhere", moduleIDs: ["m"], attendedAt: day0,
                                                     recordedBy: "ada", byHand: true))
            #expect(try await store.sessionLearners(sessionID: "s1").map(\.displayName) == ["Ada", "Kai", "Robin"],
                    "linked participants and attendees, each once, by name; never an unlinked participant or another session's")
            _ = try await store.endGroupSession(id: "s1", at: day0 + 600)
            #expect(try await store.sessionLearners(sessionID: "s1").map(\.displayName) == ["Ada", "Kai", "Robin"],
                    "after the end, through their attendance")
        }
    }
}
