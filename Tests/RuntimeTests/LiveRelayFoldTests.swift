import Foundation
@testable import Runtime
import Testing

/// How a server tells the others of answers: a burst folds into a few messages, and the
/// last one always leaves after the last answer, so no screen misses one.
@Suite struct LiveRelayFoldTests {
    /// A relay whose first message waits until the test lets it go, counting what it sends
    /// and how many answers had been published when each message left.
    actor GatedRelay: LiveRelay {
        private(set) var sent: [(message: String, answersBefore: Int)] = []
        private var answers = 0
        private var gate: CheckedContinuation<Void, Never>?
        private var held = false
        private var opened = false
        private var waiters: [CheckedContinuation<Void, Never>] = []

        func answered() { answers += 1 }

        func broadcast(_ message: String) async {
            if !opened && !held {
                held = true
                waiters.forEach { $0.resume() }
                waiters = []
                await withCheckedContinuation { gate = $0 }
            }
            sent.append((message, answers))
        }

        nonisolated func listen(_ receive: @escaping @Sendable (String) async -> Void) async {}

        /// Waits until the first message is being held.
        func firstHeld() async {
            if held { return }
            await withCheckedContinuation { waiters.append($0) }
        }

        func open() {
            opened = true
            gate?.resume()
            gate = nil
        }

        var count: Int { sent.count }
    }

    /// Waits (at most ten seconds) until the relay has sent `count` messages.
    func waitFor(_ count: Int, on relay: GatedRelay) async -> Bool {
        for _ in 0..<1000 {
            if await relay.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test func aBurstOfAnswersFoldsIntoOneMoreMessage() async throws {
        let relay = GatedRelay()
        let hub = LiveUpdates(relay: relay)
        await relay.answered()
        await hub.publish(.answered, sessionID: "s1")
        await relay.firstHeld()
        for _ in 0..<199 {
            await relay.answered()
            await hub.publish(.answered, sessionID: "s1")
        }
        await relay.open()
        #expect(await waitFor(2, on: relay))
        // Nothing else is coming: the hub sent one more message for the 199 and stopped.
        let sent = await relay.sent
        #expect(sent.count == 2)
        #expect(sent.last?.answersBefore == 200, "the last message leaves after the last answer")
        #expect(sent.allSatisfy { $0.message.hasSuffix("|s1|answered|") })
    }

    @Test func answersAfterAQuietSpellSendAgain() async throws {
        let relay = GatedRelay()
        await relay.open()
        let hub = LiveUpdates(relay: relay)
        await relay.answered()
        await hub.publish(.answered, sessionID: "s1")
        #expect(await waitFor(1, on: relay))
        await relay.answered()
        await hub.publish(.answered, sessionID: "s1")
        #expect(await waitFor(2, on: relay), "a new answer after the last message went is sent too")
        #expect(await relay.sent.last?.answersBefore == 2)
    }

    @Test func sessionsFoldApartAndMovesAreNeverFolded() async throws {
        let relay = GatedRelay()
        await relay.open()
        let hub = LiveUpdates(relay: relay)
        await hub.publish(.answered, sessionID: "s1")
        await hub.publish(.answered, sessionID: "s2")
        await hub.publish(.moved(version: 3), sessionID: "s1")
        await hub.publish(.moved(version: 4), sessionID: "s1")
        #expect(await waitFor(4, on: relay))
        let messages = Set(await relay.sent.map { $0.message.split(separator: "|", omittingEmptySubsequences: false).dropFirst().joined(separator: "|") })
        #expect(messages == ["s1|answered|", "s2|answered|", "s1|moved|3", "s1|moved|4"])
    }
}
