import Foundation
import Logging
import PostgresNIO
import Runtime

/// Live group-session events between servers on one database, through PostgreSQL's
/// `LISTEN`/`NOTIFY` on the channel `groundwork_live`.
public struct PostgresLiveRelay: LiveRelay {
    let store: PostgresStore
    static let channel = "groundwork_live"

    /// A relay over the store's connections.
    public init(store: PostgresStore) {
        self.store = store
    }

    public func broadcast(_ message: String) async {
        do {
            try await store.liveClient.query("SELECT pg_notify(\(Self.channel), \(message))", logger: store.logger)
        } catch {
            store.logger.warning("a live update couldn't reach the other servers", metadata: ["error": "\(PostgresStore.describe(error))"])
        }
    }

    public func listen(_ receive: @escaping @Sendable (String) async -> Void) async {
        while !Task.isCancelled {
            do {
                try await store.liveClient.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        for try await notification in notifications {
                            await receive(notification.payload)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                store.logger.warning("listening for other servers' live updates stopped; trying again",
                                     metadata: ["error": "\(PostgresStore.describe(error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
