import Foundation
import Runtime
import Testing

/// What any store must keep for staff accounts, sign-in links and the audit log.
@Suite struct StaffRules {
    func member(_ name: String, _ roles: Set<StaffRole> = [.facilitator]) -> StaffMember {
        StaffMember(id: UUID().uuidString, name: name, roles: roles, createdAt: day0)
    }

    @Test(arguments: StoreUnderTest.allCases)
    func staffAreFoundByIDAndByNameIgnoringCase(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let ada = member("Ada Lovelace", [.coordinator, .facilitator])
            try await store.addStaff(ada)
            #expect(try await store.staff(id: ada.id) == ada)
            #expect(try await store.staff(name: "ada lovelace") == ada)
            #expect(try await store.staff(name: "Ada") == nil)
            #expect(try await store.staff(id: "nobody") == nil)
            try await store.addStaff(member("bea"))
            #expect(try await store.allStaff().map(\.name) == ["Ada Lovelace", "bea"], "listed by name")
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aNameBelongsToOnePerson(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            try await store.addStaff(member("Ada"))
            await expectError(.duplicate) { try await store.addStaff(member("ADA", [.coordinator])) }
            #expect(try await store.allStaff().count == 1)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func rolesPasswordAndSecondStepAreUpdated(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            var ada = member("Ada")
            try await store.addStaff(ada)
            ada.roles = [.coordinator, .facilitator]
            ada.passwordHash = "$2b$04$hash"
            ada.totpSecret = "SECRET"
            try await store.updateStaff(ada)
            #expect(try await store.staff(id: ada.id) == ada)
            ada.totpSecret = nil
            try await store.updateStaff(ada)
            #expect(try await store.staff(id: ada.id)?.totpSecret == nil)
            await expectError(.unknownStaff) { try await store.updateStaff(member("Nobody")) }
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func removingSomeoneEndsTheirSessionsAndLinks(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let ada = member("Ada"), bea = member("Bea")
            try await store.addStaff(ada)
            try await store.addStaff(bea)
            try await store.addToken(StaffToken(digest: "ada-link", staffID: ada.id, expiresAt: day0 + 3600))
            for (digest, person) in [("ada-1", ada), ("ada-2", ada), ("bea-1", bea)] {
                try await store.createSession(WebSession(digest: digest, kind: .staff, subjectID: person.id,
                                                         createdAt: day0, lastSeen: day0, expiresAt: day0 + 3600))
            }
            #expect(try await store.removeStaff(id: ada.id))
            #expect(try await store.staff(id: ada.id) == nil)
            #expect(try await store.session(digest: "ada-1") == nil)
            #expect(try await store.session(digest: "ada-2") == nil)
            #expect(try await store.consumeToken(digest: "ada-link", at: day0) == nil)
            #expect(try await store.session(digest: "bea-1") != nil, "nobody else is signed out")
            #expect(try await store.removeStaff(id: ada.id) == false)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aSignInLinkWorksOnceAndNotAfterItExpires(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let ada = member("Ada")
            try await store.addStaff(ada)
            let link = StaffToken(digest: "link", staffID: ada.id, expiresAt: day0 + 3600)
            try await store.addToken(link)
            #expect(try await store.token(digest: "link") == link, "looking doesn't use it")
            #expect(try await store.token(digest: "link") == link)
            try await store.addToken(StaffToken(digest: "old", staffID: ada.id, expiresAt: day0 - 1))
            #expect(try await store.consumeToken(digest: "link", at: day0) == link)
            #expect(try await store.consumeToken(digest: "link", at: day0) == nil, "used once")
            #expect(try await store.consumeToken(digest: "old", at: day0) == nil, "expired")
            #expect(try await store.consumeToken(digest: "unknown", at: day0) == nil)
            try await store.addToken(StaffToken(digest: "again", staffID: ada.id, expiresAt: day0 + 3600))
            try await store.removeTokens(staffID: ada.id)
            #expect(try await store.consumeToken(digest: "again", at: day0) == nil)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func twoUsesOfOneLinkAtOnceLetOneThrough(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let ada = member("Ada")
            try await store.addStaff(ada)
            try await store.addToken(StaffToken(digest: "link", staffID: ada.id, expiresAt: day0 + 3600))
            let got = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 { group.addTask { (try? await store.consumeToken(digest: "link", at: day0)) != nil } }
                return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(got == 1)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func theAuditLogReadsNewestFirst(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            for index in 1...5 {
                let entry = try await store.appendAudit(AuditEntry(at: day0 + Double(index), actorID: index == 1 ? nil : "a",
                                                                   actorName: index == 1 ? "command line" : "Ada",
                                                                   action: "action \(index)", detail: "detail \(index)"))
                #expect(entry.id > 0)
            }
            let log = try await store.auditLog(limit: 3)
            #expect(log.map(\.action) == ["action 5", "action 4", "action 3"])
            #expect(log[0].at == day0 + 5)
            #expect(log[0].actorName == "Ada")
            let all = try await store.auditLog(limit: 100)
            #expect(all.count == 5)
            #expect(all.last?.actorID == nil)
            #expect(all.map(\.id) == all.map(\.id).sorted(by: >))
        }
    }
}
