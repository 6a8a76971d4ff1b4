import CurriculumKit
import Foundation
import PostgresStore
import Runtime
import SQLiteStore
import Stores
import Testing

/// `groundwork migrate --to`: a data folder copied into PostgreSQL reads back the same, keeps
/// resume codes and certificates working, and a second copy changes nothing.
@Suite(.enabled(if: StoreUnderTest.postgresURL != nil, "needs PostgreSQL (GROUNDWORK_TEST_POSTGRES); make test starts it"))
struct MigrationTests {
    /// A data folder with something in every table.
    func filledFolder() async throws -> (folder: String, store: SQLiteStore, hasher: ResumeCodeHasher, learner: Learner, code: ResumeCode) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-migrate-\(UUID().uuidString)").path
        let (store, hasher) = try DataFolder(path: folder).open()
        let code = ResumeCode.generate()
        let robin = newLearner("Robin")
        try await store.createLearner(robin, codeDigest: hasher.digest(code))
        try await store.createLearner(newLearner("Sam"), codeDigest: "sam")
        let first = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: .max, moduleHash: "h", at: day0)
        try await store.record(answer(first, "q1", .text("a private answer")), finishing: nil)
        try await store.record(answer(first, "s1", step: "start", .choice("b")), finishing: AttemptResult(score: Score(1, over: 2), passed: false))
        _ = try await store.startAttempt(learnerID: robin.id, moduleID: "m", seed: 7, moduleHash: "h", at: day0 + 60)
        let ada = StaffMember(id: "ada", name: "Ada", roles: [.coordinator], createdAt: day0)
        try await store.addStaff(ada)
        try await store.addToken(StaffToken(digest: "token", staffID: ada.id, expiresAt: day0 + 3600))
        try await store.appendAudit(AuditEntry(at: day0, actorID: ada.id, actorName: ada.name, action: "staff added", detail: "Ada"))
        try await store.createSession(WebSession(digest: "robin-phone", kind: .learner, subjectID: robin.id, createdAt: day0,
                                                 lastSeen: day0, expiresAt: day0 + 3600, flash: Data("a flash".utf8)))
        try await store.createGroupSession(GroupSession(id: "g1", code: "123456", facilitatorID: ada.id, moduleIDs: ["m"],
                                                        position: SlidePosition(slide: 2), openedAt: day0, lastActivityAt: day0))
        try await store.addParticipant(Participant(id: "p1", sessionID: "g1", tokenDigest: "d1", nickname: "Sky", learnerID: nil, joinedAt: day0))
        try await store.linkParticipant(id: "p1", learnerID: robin.id)
        try await store.recordPollAnswer(PollAnswer(sessionID: "g1", pollKey: "m/q", participantID: "p1", response: .choice("a"),
                                                    answeredAt: day0), at: SlidePosition(slide: 2))
        _ = try await store.endGroupSession(id: "g1", at: day0 + 600)
        try await store.createGroupSession(GroupSession(id: "g2", code: "654321", facilitatorID: ada.id, moduleIDs: ["m"],
                                                        position: SlidePosition(slide: 1), openedAt: day0, lastActivityAt: day0))
        try await store.addParticipant(Participant(id: "p2", sessionID: "g2", tokenDigest: "d2", nickname: nil, learnerID: nil, joinedAt: day0))
        try await store.recordPollAnswer(PollAnswer(sessionID: "g2", pollKey: "m/q", participantID: "p2", response: .choice("b"),
                                                    answeredAt: day0), at: SlidePosition(slide: 1))
        let march = Cohort(id: "march", name: "March", joinKey: "0123456789abcdef", createdAt: day0)
        try await store.createCohort(march)
        try await store.setCohort(learnerID: robin.id, cohortID: march.id)
        try await store.addAdjustment(ModuleAdjustment(learnerID: robin.id, moduleID: "m", kind: .extraAttempt, at: day0,
                                                       recordedBy: "Ada", reason: "unwell"))
        try await store.addCertificate(CertificateRules.certificate(learnerID: robin.id, index: 0))
        try await store.addSignOff(PracticalSignOff(learnerID: robin.id, practicalID: "m/giving-nasal-naloxone", signedBy: "s1",
                                                    signerName: "Ada", groupSessionID: nil, reason: "paper checklist", signedAt: day0))
        _ = try await store.storeIssuerKey("the issuer's key")
        return (folder, store, hasher, robin, code)
    }

    func database() -> (url: String, schema: String) {
        let schema = "migrate_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return ((StoreUnderTest.postgresURL ?? "") + "?schema=" + schema, schema)
    }

    @Test func everyRowArrivesAndReadsBackTheSame() async throws {
        let (folder, source, _, robin, code) = try await filledFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (url, schema) = database()
        let reports = try await Migration.copy(dataFolder: folder, to: url)
        let opened = try await StoreFactory.open(.database(url))
        let target = opened.store
        defer { Task { try? await (target as? PostgresStore)?.dropSchema(schema) } }
        #expect(reports.count == RecordTables.all.count - 1)
        for report in reports {
            #expect(report.source == report.target && report.copied == report.source, "\(report.table)")
        }
        let empty = reports.filter { $0.source == 0 }.map(\.table)
        #expect(empty.isEmpty, "the fixture fills every table, but not \(empty)")

        // Resume codes still work: the installation's secret came along.
        #expect(try await target.learner(resumeCode: code.description, hasher: opened.hasher) == robin)
        #expect(try await target.export(learnerID: robin.id) == (try await source.export(learnerID: robin.id)))
        let roster = { (records: [RosterRecord]) in records.sorted { $0.learner.id < $1.learner.id } }
        #expect(roster(try await target.roster()) == roster(try await source.roster()))
        #expect(try await target.auditLog(limit: 10) == (try await source.auditLog(limit: 10)))
        #expect(try await target.issuerKey() == "the issuer's key")
        #expect(try await target.tally(sessionID: "g1", pollKey: "m/q") == (try await source.tally(sessionID: "g1", pollKey: "m/q")))
        #expect(try await target.takeFlash(digest: "robin-phone") == Data("a flash".utf8))
        #expect(try await target.openGroupSession(code: "654321")?.id == "g2")

        // New rows get new ids after the copied ones.
        let sam = try #require(try await target.learner(codeDigest: "sam"))
        let next = try await target.startAttempt(learnerID: sam.id, moduleID: "m", seed: 1, moduleHash: "h", at: day0)
        #expect(next.id > (try await source.attempts(learnerID: robin.id, moduleID: nil).map(\.id).max() ?? 0))
        let entry = try await target.appendAudit(AuditEntry(at: day0, actorID: nil, actorName: "command line", action: "a", detail: "b"))
        #expect((entry.id ?? 0) > 1)

        // A second copy finds everything there already.
        let again = try await Migration.copy(dataFolder: folder, to: url)
        #expect(again.allSatisfy { $0.copied == 0 }, "\(again.filter { $0.copied > 0 }.map(\.table))")
    }

    @Test func aDatabaseHoldingAnotherInstallationsLearnersIsRefused() async throws {
        let (first, _, _, _, _) = try await filledFolder()
        let (second, _, _, _, _) = try await filledFolder()
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        let (url, schema) = database()
        _ = try await Migration.copy(dataFolder: first, to: url)
        await expectError(.notAllowed) { _ = try await Migration.copy(dataFolder: second, to: url) }
        let store = try await PostgresStore.connect(try PostgresStore.Address(url: url))
        try? await store.dropSchema(schema)
        store.close()
    }

    /// A server that answers but won't take Groundwork's tables is told apart from one that
    /// can't be reached: the hint says which right is missing, not to check the password.
    @Test func aUserWhoMayNotCreateTablesIsToldWhichRightIsMissing() async throws {
        let url = try #require(StoreUnderTest.postgresURL)
        // information_schema belongs to PostgreSQL's own superuser: nobody else may add tables to it.
        let address = try PostgresStore.Address(url: url + (url.contains("?") ? "&" : "?") + "schema=information_schema")
        do {
            _ = try await PostgresStore.connect(address)
            Issue.record("connecting with a schema the user may not write to should fail")
        } catch let error as RecordsError {
            #expect(error.kind == .storage)
            #expect(error.message.contains("up to date") && error.message.contains("permission denied"), "\(error.message)")
            #expect(error.hint?.contains("GRANT CREATE") == true && error.hint?.contains("password") == false, "\(error.hint ?? "")")
        }
    }

    @Test func anEmptyFolderIsSaidPlainly() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-empty-\(UUID().uuidString)").path
        await expectError(.noRecords) { _ = try await Migration.copy(dataFolder: folder, to: database().url) }
    }
}
