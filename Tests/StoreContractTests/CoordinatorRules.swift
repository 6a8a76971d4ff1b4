import CurriculumKit
import Foundation
import Runtime
import Testing

/// What any store must keep for cohorts, coordinators' adjustments, new resume codes and
/// the completion report's bulk read.
@Suite struct CoordinatorRules {
    func cohort(_ name: String, key: String? = nil) -> Cohort {
        Cohort(id: UUID().uuidString, name: name, joinKey: key ?? UUID().uuidString, createdAt: day0)
    }

    @Test(arguments: StoreUnderTest.allCases)
    func cohortNamesAndKeysAreUniqueAndListedByName(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let march = cohort("March volunteers", key: "k1")
            try await store.createCohort(march)
            try await store.createCohort(cohort("april"))
            await expectError(.duplicate) { try await store.createCohort(cohort("MARCH VOLUNTEERS")) }
            await expectError(.duplicate) { try await store.createCohort(cohort("May", key: "k1")) }
            #expect(try await store.cohorts().map(\.name) == ["april", "March volunteers"])
            #expect(try await store.cohort(joinKey: "k1") == march)
            #expect(try await store.cohort(joinKey: "nope") == nil)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aLearnerIsInOneCohortAtMost(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "r")
            let march = cohort("March"), april = cohort("April")
            try await store.createCohort(march)
            try await store.createCohort(april)
            #expect(try await store.cohortID(learnerID: robin.id) == nil)
            try await store.setCohort(learnerID: robin.id, cohortID: march.id)
            try await store.setCohort(learnerID: robin.id, cohortID: april.id)
            #expect(try await store.cohortID(learnerID: robin.id) == april.id, "moving replaces the cohort")
            try await store.setCohort(learnerID: robin.id, cohortID: nil)
            #expect(try await store.cohortID(learnerID: robin.id) == nil)
            await expectError(.unknownLearner) { try await store.setCohort(learnerID: "nobody", cohortID: march.id) }
            await expectError(.unknownItem) { try await store.setCohort(learnerID: robin.id, cohortID: "no-such-cohort") }
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func adjustmentsAreKeptInOrderForKnownLearnersOnly(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "r")
            let first = ModuleAdjustment(learnerID: robin.id, moduleID: "m", kind: .extraAttempt, at: day0, recordedBy: "Cora",
                                         reason: "was unwell during the second try")
            let second = ModuleAdjustment(learnerID: robin.id, moduleID: "n", kind: .completeByException, at: day0 + 60,
                                          recordedBy: "Cora", reason: "covered in a group session")
            try await store.addAdjustment(first)
            try await store.addAdjustment(second)
            #expect(try await store.adjustments(learnerID: robin.id) == [first, second])
            await expectError(.unknownLearner) {
                try await store.addAdjustment(ModuleAdjustment(learnerID: "nobody", moduleID: "m", kind: .extraAttempt, at: day0,
                                                               recordedBy: "Cora", reason: "x"))
            }
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aNewResumeCodeReplacesTheOldOneAndSignsTheLearnerOut(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner(), sam = newLearner("Sam")
            try await store.createLearner(robin, codeDigest: "old")
            try await store.createLearner(sam, codeDigest: "sams")
            try await store.createSession(WebSession(digest: "robin-phone", kind: .learner, subjectID: robin.id,
                                                     createdAt: day0, lastSeen: day0, expiresAt: day0 + 3600))
            #expect(try await store.replaceResumeCode(learnerID: robin.id, codeDigest: "new"))
            #expect(try await store.learner(codeDigest: "old") == nil, "the old code finds nobody")
            #expect(try await store.learner(codeDigest: "new") == robin)
            #expect(try await store.session(digest: "robin-phone") == nil, "their devices are signed out")
            await expectError(.duplicate) { _ = try await store.replaceResumeCode(learnerID: robin.id, codeDigest: "sams") }
            #expect(try await store.learner(codeDigest: "sams") == sam, "another learner's code is never taken over")
            #expect(try await store.replaceResumeCode(learnerID: "nobody", codeDigest: "x") == false)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func theRosterSumsUpAttemptsAttendanceAdjustmentsAndCertificates(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner(), sam = newLearner("Sam")
            try await store.createLearner(robin, codeDigest: "r")
            try await store.createLearner(sam, codeDigest: "s")
            let march = cohort("March")
            try await store.createCohort(march)
            try await store.setCohort(learnerID: robin.id, cohortID: march.id)
            let first = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 1, moduleHash: "h", at: day0)
            try await store.close(attemptID: first.id, result: AttemptResult(score: Score(1, over: 2), passed: false), at: day0 + 100)
            let second = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 2, moduleHash: "h", at: day0 + 200)
            try await store.close(attemptID: second.id, result: AttemptResult(score: Score(9, over: 10), passed: true), at: day0 + 300)
            _ = try await store.startAttempt(learnerID: robin.id, moduleID: "n", seed: 3, moduleHash: "h", at: day0 + 400)
            let superseded = try await store.startAttempt(learnerID: sam.id, moduleID: "m", seed: 4, moduleHash: "h", at: day0)
            try await store.close(attemptID: superseded.id, result: nil, at: day0 + 10)
            try await store.addAttendance(Attendance(learnerID: robin.id, sessionID: "g1", moduleIDs: ["m"], attendedAt: day0,
                                                     recordedBy: "Bea", byHand: false))
            let adjustment = ModuleAdjustment(learnerID: robin.id, moduleID: "n", kind: .extraAttempt, at: day0, recordedBy: "Cora", reason: "r")
            try await store.addAdjustment(adjustment)
            let certificate = CertificateRules.certificate(learnerID: robin.id, index: 0)
            try await store.addCertificate(certificate)

            let roster = try await store.roster()
            #expect(roster.count == 2)
            let r = try #require(roster.first { $0.learner.id == robin.id })
            #expect(r.learner == robin && r.cohortID == march.id && r.sessionsAttended == 1)
            #expect(r.adjustments == [adjustment] && r.certificates == [certificate])
            let m = try #require(r.modules.first { $0.moduleID == "m" })
            #expect(m.attemptsFinished == 2 && m.passed && !m.hasOpenAttempt)
            #expect(abs((m.bestScore ?? 0) - 0.9) < 0.0001)
            #expect(m.firstStartedAt == day0 && m.lastFinishedAt == day0 + 300 && m.passedAt == day0 + 300)
            let n = try #require(r.modules.first { $0.moduleID == "n" })
            #expect(n.hasOpenAttempt && n.attemptsFinished == 0 && !n.passed && n.bestScore == nil)
            let s = try #require(roster.first { $0.learner.id == sam.id })
            #expect(s.cohortID == nil && s.sessionsAttended == 0 && s.certificates.isEmpty)
            #expect(s.modules.first?.attemptsFinished == 0, "a superseded attempt isn't a finished one")
            #expect(s.modules == [ModuleSummary(moduleID: "m", attemptsFinished: 0, hasOpenAttempt: false, passed: false, bestScore: nil,
                                               firstStartedAt: day0, lastFinishedAt: nil, passedAt: nil)])
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func deletingALearnerRemovesTheirCohortPlaceAndAdjustments(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "r")
            let march = cohort("March")
            try await store.createCohort(march)
            try await store.setCohort(learnerID: robin.id, cohortID: march.id)
            try await store.addAdjustment(ModuleAdjustment(learnerID: robin.id, moduleID: "m", kind: .extraAttempt, at: day0,
                                                           recordedBy: "Cora", reason: "r"))
            #expect(try await store.deleteLearner(id: robin.id))
            #expect(try await store.cohortID(learnerID: robin.id) == nil)
            #expect(try await store.adjustments(learnerID: robin.id).isEmpty)
            #expect(try await store.roster().isEmpty)
            #expect(try await store.cohorts() == [march], "the cohort itself stays")
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aModulesRecordsCarryItsAdjustmentsAndTheLearnersCertificates(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner(), kai = newLearner("Kai")
            try await store.createLearner(robin, codeDigest: "r")
            try await store.createLearner(kai, codeDigest: "k")
            let here = ModuleAdjustment(learnerID: robin.id, moduleID: "m", kind: .extraAttempt, at: day0, recordedBy: "Cora", reason: "unwell")
            try await store.addAdjustment(here)
            try await store.addAdjustment(ModuleAdjustment(learnerID: robin.id, moduleID: "other", kind: .completeByException, at: day0,
                                                           recordedBy: "Cora", reason: "covered in person"))
            try await store.addAdjustment(ModuleAdjustment(learnerID: kai.id, moduleID: "m", kind: .extraAttempt, at: day0,
                                                           recordedBy: "Cora", reason: "x"))
            let certificate = CertificateRules.certificate(learnerID: robin.id, index: 7)
            try await store.addCertificate(certificate)
            let records = try #require(try await store.moduleRecords(learnerID: robin.id, moduleID: "m"))
            #expect(records.adjustments == [here], "only this module's, only this learner's")
            #expect(records.certificates == [certificate])
            let kais = try #require(try await store.moduleRecords(learnerID: kai.id, moduleID: "m"))
            #expect(kais.certificates.isEmpty)
        }
    }
}
