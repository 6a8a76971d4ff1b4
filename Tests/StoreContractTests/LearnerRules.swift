import CurriculumKit
import Foundation
import Runtime
import Testing

/// What any store must keep for learners.
@Suite struct LearnerRules {
    @Test(arguments: StoreUnderTest.allCases)
    func aLearnerIsFoundByCodeDigestAndByID(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "d1")
            #expect(try await store.learner(codeDigest: "d1") == robin)
            #expect(try await store.learner(id: robin.id) == robin)
            #expect(try await store.learner(codeDigest: "d2") == nil)
            #expect(try await store.learner(id: "nobody") == nil)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aCodeDigestBelongsToOneLearner(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            try await store.createLearner(newLearner("Robin"), codeDigest: "same")
            await expectError(.duplicate) { try await store.createLearner(newLearner("Sam"), codeDigest: "same") }
            #expect(try await store.learner(codeDigest: "same")?.displayName == "Robin", "the first learner keeps the code")
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func exportHoldsEveryAttemptAndAnswer(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "d")
            let first = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: day0)
            try await store.record(answer(first, "q1", .matches(["a": 2, "b": 1])), finishing: nil)
            let export = try #require(try await store.export(learnerID: robin.id))
            #expect(export.learner == robin)
            #expect(export.attempts.count == 1)
            #expect(export.attempts[0].responses.map(\.response) == [.matches(["a": 2, "b": 1])])
            #expect(try await store.export(learnerID: "nobody") == nil)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func deleteRemovesEveryTrace(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner(), sam = newLearner("Sam")
            try await store.createLearner(robin, codeDigest: "r")
            try await store.createLearner(sam, codeDigest: "s")
            let attempt = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: day0)
            try await store.record(answer(attempt, "q1", .text("a private answer")), finishing: nil)
            let samsAttempt = try await store.startAttempt(learnerID: sam.id, moduleID: "m", seed: 1, moduleHash: "h", at: day0)
            try await store.record(answer(samsAttempt, "q1"), finishing: nil)
            try await store.createSession(WebSession(digest: "robin-session", kind: .learner, subjectID: robin.id,
                                                     createdAt: day0, lastSeen: day0, expiresAt: day0 + 3600))

            #expect(try await store.deleteLearner(id: robin.id))
            #expect(try await store.learner(id: robin.id) == nil)
            #expect(try await store.learner(codeDigest: "r") == nil)
            #expect(try await store.attempts(learnerID: robin.id, moduleID: nil).isEmpty)
            #expect(try await store.responses(attemptID: attempt.id).isEmpty)
            #expect(try await store.session(digest: "robin-session") == nil, "their sessions end with them")
            #expect(try await store.export(learnerID: robin.id) == nil)
            #expect(try await store.deleteLearner(id: robin.id) == false, "a second delete finds nothing")
            // Nobody else is touched.
            #expect(try await store.learner(id: sam.id) == sam)
            #expect(try await store.responses(attemptID: samsAttempt.id).count == 1)
        }
    }
}
