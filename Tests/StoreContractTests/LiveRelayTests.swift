import Foundation
import PostgresStore
@testable import Runtime
import Testing

/// Live group-session events between two servers on one PostgreSQL database: what one
/// server publishes reaches the screens following the session on the other.
@Suite(.enabled(if: StoreUnderTest.postgresURL != nil, "needs PostgreSQL (GROUNDWORK_TEST_POSTGRES); make test starts it"))
struct LiveRelayTests {
    /// Two stores (two servers' connection pools) on one schema.
    func twoServers() async throws -> (PostgresStore, PostgresStore, String) {
        let schema = "live_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var address = try PostgresStore.Address(url: try #require(StoreUnderTest.postgresURL))
        address.schema = schema
        return (try await PostgresStore.connect(address), try await PostgresStore.connect(address), schema)
    }

    /// Publishes on `from` until `stream` yields (the other server's LISTEN may not be in
    /// place yet), giving up after ten seconds.
    func deliver(_ event: LiveEvent, sessionID: String, from hub: LiveUpdates, to stream: AsyncStream<LiveEvent>) async -> LiveEvent? {
        await withTaskGroup(of: LiveEvent?.self) { group in
            group.addTask {
                for await received in stream { return received }
                return nil
            }
            group.addTask {
                for _ in 0..<100 {
                    await hub.publish(event, sessionID: sessionID)
                    try? await Task.sleep(for: .milliseconds(100))
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test func anEventOnOneServerReachesTheOthersScreens() async throws {
        let (a, b, schema) = try await twoServers()
        let hubA = LiveUpdates(relay: PostgresLiveRelay(store: a)), hubB = LiveUpdates(relay: PostgresLiveRelay(store: b))
        let listening = [Task { await hubA.run() }, Task { await hubB.run() }]
        defer {
            listening.forEach { $0.cancel() }
            Task { try? await a.dropSchema(schema); a.close(); b.close() }
        }
        let projectorOnB = await hubB.subscribe(sessionID: "s1", answers: true)
        #expect(await deliver(.moved(version: 7), sessionID: "s1", from: hubA, to: projectorOnB) == .moved(version: 7))

        let phoneOnA = await hubA.subscribe(sessionID: "s1", answers: false)
        let controlOnA = await hubA.subscribe(sessionID: "s1", answers: true)
        #expect(await deliver(.answered, sessionID: "s1", from: hubB, to: controlOnA) == .answered, "answers reach the control view")
        // The phone doesn't follow answers; a move reaches it, and ending closes its stream.
        #expect(await deliver(.moved(version: 8), sessionID: "s1", from: hubB, to: phoneOnA) == .moved(version: 8))
        let otherSession = await hubA.subscribe(sessionID: "s2")
        await hubB.finish(sessionID: "s2")
        var ended = true
        for await _ in otherSession { ended = false }
        #expect(ended, "ending a session on one server ends its screens' streams on the other")
    }
}
