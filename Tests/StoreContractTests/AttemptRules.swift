import CurriculumKit
import Foundation
import Runtime
import Testing

/// What any store must keep for attempts and answers.
@Suite struct AttemptRules {
    @Test(arguments: StoreUnderTest.allCases)
    func attemptsAreNumberedPerModule(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "d")
            let first = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: .max, moduleHash: "h", at: day0)
            #expect(first.number == 1)
            #expect(first.seed == .max, "the full 64-bit seed survives")
            #expect(first.status == .open)
            try await store.close(attemptID: first.id, result: AttemptResult(score: Score(3, over: 4), passed: false), at: day0)
            let second = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 2, moduleHash: "h", at: day0)
            let other = try await store.startAttempt(learnerID: robin.id, moduleID: "n", seed: 3, moduleHash: "h", at: day0)
            #expect(second.number == 2)
            #expect(other.number == 1)
            let stored = try await store.attempts(learnerID: robin.id, moduleID: "m")
            #expect(stored.map(\.number) == [1, 2])
            #expect(stored[0].status == .finished)
            #expect(stored[0].score == Score(3, over: 4))
            #expect(stored[0].passed == false)
            #expect(stored[0].seed == .max)
            #expect(try await store.attempts(learnerID: robin.id, moduleID: nil).count == 3)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func oneOpenAttemptPerModuleAndAnotherDeviceIsTold(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "d")
            _ = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: day0)
            // The signal Coursework retries on: "another device got there first".
            await expectError(.attemptAlreadyOpen) {
                _ = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 2, moduleHash: "h", at: day0)
            }
            #expect(try await store.attempts(learnerID: robin.id, moduleID: "m").count == 1)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func twoDevicesStartingAtOnceGetOneAttempt(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "d")
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for seed in 0..<8 {
                    group.addTask {
                        (try? await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: UInt64(seed), moduleHash: "h", at: day0)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await store.attempts(learnerID: robin.id, moduleID: "m").count == 1)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func anItemIsAnsweredOnceAndAnswersKeepTheirOrder(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "d")
            let attempt = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: day0)
            let responses: [(String, String?, Response)] = [
                ("q2", nil, .selection(["c", "a"])), ("q1", nil, .order(["b", "a", "c"])),
                ("story", "start", .choice("b")), ("story", "next", .choice("a")), ("q3", nil, .text("naloxone")),
            ]
            for (item, step, response) in responses {
                let stored = try await store.record(answer(attempt, item, step: step, response), finishing: nil)
                #expect(stored.itemID == item)
            }
            await expectError(.alreadyAnswered) { try await store.record(answer(attempt, "q2"), finishing: nil) }
            await expectError(.alreadyAnswered) { try await store.record(answer(attempt, "story", step: "start"), finishing: nil) }
            let stored = try await store.responses(attemptID: attempt.id)
            #expect(stored.map(\.itemID) == ["q2", "q1", "story", "story", "q3"])
            #expect(stored.map(\.step) == [nil, nil, "start", "next", nil])
            #expect(stored.map(\.sequence) == [1, 2, 3, 4, 5], "the store numbers answers in the order given")
            #expect(stored.map(\.response) == responses.map(\.2), "every kind of answer reads back as given")
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aClosedAttemptTakesNoAnswers(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "d")
            let attempt = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: day0)
            try await store.record(answer(attempt, "q1"), finishing: AttemptResult(score: .full, passed: true))
            #expect(try await store.attempts(learnerID: robin.id, moduleID: "m").first?.status == .finished,
                    "the last answer and the result are written together")
            await expectError(.attemptClosed) { try await store.record(answer(attempt, "q2"), finishing: nil) }
            await expectError(.attemptClosed) { try await store.close(attemptID: attempt.id, result: nil, at: day0) }
            await expectError(.attemptClosed) { try await store.record(answer(attempt, "q3"), finishing: nil) }
            var missing = attempt
            missing.id = 999_999
            await expectError(.attemptClosed) { try await store.record(answer(missing, "q1"), finishing: nil) }
            #expect(try await store.responses(attemptID: attempt.id).count == 1)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aSupersededAttemptHasNoResult(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "d")
            let attempt = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: day0)
            try await store.close(attemptID: attempt.id, result: nil, at: day0 + 60)
            let stored = try #require(try await store.attempts(learnerID: robin.id, moduleID: "m").first)
            #expect(stored.status == .superseded)
            #expect(stored.score == nil)
            #expect(stored.passed == nil)
            #expect(stored.finishedAt == day0 + 60)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func moduleRecordsReadTheLearnerAttemptsAndOpenAnswers(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "d")
            let first = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: day0)
            try await store.record(answer(first, "q1"), finishing: AttemptResult(score: .zero, passed: false))
            let second = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 2, moduleHash: "h", at: day0)
            try await store.record(answer(second, "q1", .choice("b")), finishing: nil)
            let records = try #require(try await store.moduleRecords(learnerID: robin.id, moduleID: "m"))
            #expect(records.learner == robin)
            #expect(records.attempts.map(\.number) == [1, 2])
            #expect(records.openResponses.map(\.response) == [.choice("b")], "only the open attempt's answers")
            #expect(try await store.moduleRecords(learnerID: "nobody", moduleID: "m") == nil)
        }
    }

    /// A store may read a module's records in one go (PostgreSQL does, as JSON): what it
    /// reads must be exactly what the single reads give, to the microsecond and the last bit.
    @Test(arguments: StoreUnderTest.allCases)
    func moduleRecordsAgreeWithTheSingleReadsExactly(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner("Robin \"Rob\" O'Neil ✓")
            try await store.createLearner(robin, codeDigest: "d")
            let odd = day0 + 0.123456
            let first = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: UInt64.max - 6, moduleHash: "h", at: odd)
            var scored = answer(first, "q1", .selection(["a", "c"]))
            scored.answeredAt = odd + 1.000001
            scored.score = Score(1, over: 3)
            try await store.record(scored, finishing: AttemptResult(score: Score(1, over: 3), passed: false))
            let second = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1 << 63, moduleHash: "h2", at: odd + 2)
            var step = answer(second, "story", step: "start", .choice("b"))
            step.answeredAt = odd + 2.5
            step.isCritical = true
            try await store.record(step, finishing: nil)
            var text = answer(second, "q2", .text("naloxone \"nasal\" \\ spray"))
            text.answeredAt = odd + 3.999999
            try await store.record(text, finishing: nil)
            let adjustment = ModuleAdjustment(learnerID: robin.id, moduleID: "m", kind: .completeByException, at: odd + 4,
                                              recordedBy: "Cora", reason: "covered in person, \"in full\"")
            try await store.addAdjustment(adjustment)
            var revoked = CertificateRules.certificate(learnerID: robin.id, index: 3, issued: odd, until: nil)
            revoked.revokedAt = odd + 5
            revoked.revokeReason = "issued in error"
            revoked.reissueAllowed = true
            revoked.renews = nil
            try await store.addCertificate(revoked)
            try await store.addCertificate(CertificateRules.certificate(learnerID: robin.id, index: 4, issued: odd + 6))

            let records = try #require(try await store.moduleRecords(learnerID: robin.id, moduleID: "m"))
            #expect(records.learner == robin)
            #expect(records.attempts == (try await store.attempts(learnerID: robin.id, moduleID: "m")))
            #expect(records.attempts.map(\.seed) == [UInt64.max - 6, 1 << 63])
            // (SQLite keeps milliseconds, PostgreSQL microseconds: the reads must agree either way.)
            #expect(abs((records.attempts.first?.startedAt ?? day0).timeIntervalSince(odd)) < 0.001)
            #expect(records.openResponses == (try await store.responses(attemptID: second.id)))
            #expect(zip(records.openResponses.map(\.answeredAt), [odd + 2.5, odd + 3.999999]).allSatisfy { abs($0.timeIntervalSince($1)) < 0.001 })
            #expect(records.openResponses.map(\.isCritical) == [true, false])
            #expect(records.adjustments == (try await store.adjustments(learnerID: robin.id)))
            #expect(records.adjustments.map(\.reason) == [adjustment.reason])
            #expect(records.certificates == (try await store.certificates(learnerID: robin.id)))
            #expect(records.certificates.count == 2 && records.certificates.first?.revokeReason == "issued in error")
        }
    }
}
