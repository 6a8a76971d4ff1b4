import Foundation
import Runtime
import Testing

/// What any store must keep for rate limits: failures counted per key and per scope within
/// the window, and forgotten once out of it.
@Suite struct RateLimitRules {
    @Test(arguments: StoreUnderTest.allCases)
    func failuresCountPerKeyAndPerScopeFromADate(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let window = day0 - 900
            for second in [1.0, 2, 3] {
                try await store.recordFailure(scope: "resume", key: "10.0.0.1", at: day0 + second, forgetBefore: window)
            }
            try await store.recordFailure(scope: "resume", key: "10.0.0.2", at: day0 + 4, forgetBefore: window)
            try await store.recordFailure(scope: "join", key: "10.0.0.1", at: day0 + 5, forgetBefore: window)
            let counts = try await store.failureCounts(scope: "resume", key: "10.0.0.1", since: day0)
            #expect(counts.key == 3 && counts.scope == 4)
            let later = try await store.failureCounts(scope: "resume", key: "10.0.0.1", since: day0 + 2)
            #expect(later.key == 1 && later.scope == 2, "only failures after the date count")
            let other = try await store.failureCounts(scope: "join", key: "10.0.0.9", since: day0)
            #expect(other.key == 0 && other.scope == 1, "scopes are counted apart")
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func recordingForgetsTheScopesOldFailures(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            try await store.recordFailure(scope: "resume", key: "old", at: day0, forgetBefore: day0 - 900)
            try await store.recordFailure(scope: "join", key: "old", at: day0, forgetBefore: day0 - 900)
            try await store.recordFailure(scope: "resume", key: "new", at: day0 + 1000, forgetBefore: day0 + 100)
            let resume = try await store.failureCounts(scope: "resume", key: "old", since: .distantPast)
            #expect(resume.key == 0 && resume.scope == 1, "the old failure is gone, the new one stays")
            let join = try await store.failureCounts(scope: "join", key: "old", since: .distantPast)
            #expect(join.key == 1, "another scope's failures are its own to forget")
        }
    }
}
