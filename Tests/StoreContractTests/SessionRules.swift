import Foundation
import Runtime
import Testing

/// What any store must keep for server-side web sessions.
@Suite struct SessionRules {
    func session(_ digest: String, _ kind: WebSession.Kind = .learner, subject: String = "robin",
                 flash: Data? = nil, verified: Bool = true) -> WebSession {
        WebSession(digest: digest, kind: kind, subjectID: subject, createdAt: day0, lastSeen: day0,
                   expiresAt: day0 + 3600, verified: verified, flash: flash)
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aFlashCanBeLeftOnALiveSessionAndIsTakenOnce(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            try await store.createSession(WebSession(digest: "staff-1", kind: .staff, subjectID: "ada", createdAt: day0,
                                                     lastSeen: day0, expiresAt: day0 + 3600, verified: true))
            #expect(try await store.setFlash(digest: "staff-1", flash: Data("first".utf8)))
            #expect(try await store.setFlash(digest: "staff-1", flash: Data("second".utf8)), "a new flash replaces the old")
            #expect(try await store.takeFlash(digest: "staff-1") == Data("second".utf8))
            #expect(try await store.takeFlash(digest: "staff-1") == nil)
            #expect(try await store.setFlash(digest: "nobody", flash: Data("x".utf8)) == false)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aSessionReadsBackAsStored(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let stored = session("s1", .staff, subject: "ada", flash: Data([1, 2, 3]), verified: false)
            try await store.createSession(stored)
            #expect(try await store.session(digest: "s1") == stored)
            #expect(try await store.session(digest: "s2") == nil)
            await expectError(.duplicate) { try await store.createSession(session("s1")) }
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func touchingAndVerifyingAreKept(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            try await store.createSession(session("s1", .staff, verified: false))
            try await store.touchSession(digest: "s1", lastSeen: day0 + 60, expiresAt: day0 + 7200)
            try await store.verifySession(digest: "s1")
            let read = try #require(try await store.session(digest: "s1"))
            #expect(read.lastSeen == day0 + 60)
            #expect(read.expiresAt == day0 + 7200)
            #expect(read.verified)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aFlashIsTakenOnce(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            try await store.createSession(session("s1", flash: Data("sealed".utf8)))
            #expect(try await store.takeFlash(digest: "s1") == Data("sealed".utf8))
            #expect(try await store.takeFlash(digest: "s1") == nil)
            #expect(try await store.session(digest: "s1")?.flash == nil)
            #expect(try await store.takeFlash(digest: "none") == nil)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func sessionsEndOneByOneByPersonOrByExpiry(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            try await store.createSession(session("a", subject: "robin"))
            try await store.createSession(session("b", subject: "robin"))
            try await store.createSession(session("c", .staff, subject: "robin"))
            try await store.createSession(session("d", subject: "sam"))
            try await store.deleteSession(digest: "a")
            #expect(try await store.session(digest: "a") == nil)
            #expect(try await store.deleteSessions(kind: .learner, subjectID: "robin") == 1)
            #expect(try await store.session(digest: "b") == nil)
            #expect(try await store.session(digest: "c") != nil, "a staff session with the same id is another person's")
            #expect(try await store.deleteExpiredSessions(before: day0 + 3601) == 2)
            #expect(try await store.session(digest: "d") == nil)
        }
    }
}
