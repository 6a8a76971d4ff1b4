import Crypto
import Foundation

/// Begins, finds and ends server-side web sessions. The browser gets a random token (256
/// bits); the store keeps only its SHA-256 digest, so a copy of the database signs nobody in.
///
/// - A learner's session lasts 30 days from its last use.
/// - A staff member's session ends after 8 hours without use.
/// - Signing out ends the session in the store: an old copy of the cookie no longer works.
public struct Sessions: Sendable {
    private let store: any SessionStore
    private let now: @Sendable () -> Date

    /// How long a session lasts without use.
    public static func idleLimit(_ kind: WebSession.Kind) -> TimeInterval {
        switch kind {
        case .learner: return 30 * 24 * 3600
        case .staff: return 8 * 3600
        }
    }

    /// Uses closer together than this don't rewrite the session (so pages stay reads).
    static let touchInterval: TimeInterval = 60

    /// Creates sessions over a store.
    public init(store: any SessionStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
    }

    /// Begins a session and returns the token for the cookie. `flash` (a new learner's resume
    /// code) is sealed with a key derived from the token and can be read once with ``takeFlash(token:)``.
    public func begin(_ kind: WebSession.Kind, subjectID: String, verified: Bool = true, flash: String? = nil) async throws -> String {
        let token = Self.newToken()
        let date = now()
        let sealed = try flash.map { try Self.seal($0, token: token) }
        try await store.createSession(WebSession(digest: Self.digest(token), kind: kind, subjectID: subjectID, createdAt: date,
                                                 lastSeen: date, expiresAt: date + Self.idleLimit(kind), verified: verified,
                                                 flash: sealed))
        return token
    }

    /// The live session of `kind` for a cookie's token; nil when there is none, it is of the
    /// other kind, or it has expired (an expired one is removed). A use is recorded at most
    /// once a minute.
    public func find(token: String, kind: WebSession.Kind) async throws -> WebSession? {
        guard Self.isWellFormed(token) else { return nil }
        let digest = Self.digest(token)
        guard var session = try await store.session(digest: digest), session.kind == kind else { return nil }
        let date = now()
        guard session.expiresAt > date else {
            try await store.deleteSession(digest: digest)
            return nil
        }
        if date.timeIntervalSince(session.lastSeen) >= Self.touchInterval {
            session.lastSeen = date
            session.expiresAt = date + Self.idleLimit(kind)
            try await store.touchSession(digest: digest, lastSeen: date, expiresAt: session.expiresAt)
        }
        return session
    }

    /// Leaves a one-time message on a live session (a new resume code to show a coordinator
    /// once, after a redirect), sealed like ``begin(_:subjectID:verified:flash:)``'s.
    public func setFlash(token: String, _ text: String) async throws {
        guard Self.isWellFormed(token) else { return }
        _ = try await store.setFlash(digest: Self.digest(token), flash: try Self.seal(text, token: token))
    }

    /// Reads and removes the session's flash; nil when there is none or it was read already.
    public func takeFlash(token: String) async throws -> String? {
        guard Self.isWellFormed(token), let sealed = try await store.takeFlash(digest: Self.digest(token)) else { return nil }
        return Self.open(sealed, token: token)
    }

    /// Marks a staff session's second step done.
    public func verify(token: String) async throws {
        try await store.verifySession(digest: Self.digest(token))
    }

    /// Ends one session (signing out).
    public func end(token: String) async throws {
        guard Self.isWellFormed(token) else { return }
        try await store.deleteSession(digest: Self.digest(token))
    }

    /// Ends every session of a person.
    public func endAll(_ kind: WebSession.Kind, subjectID: String) async throws {
        try await store.deleteSessions(kind: kind, subjectID: subjectID)
    }

    /// Removes expired sessions (run now and then).
    @discardableResult
    public func sweep() async throws -> Int {
        try await store.deleteExpiredSessions(before: now())
    }

    // MARK: Tokens

    /// 32 random bytes, as 64 hex digits.
    static func newToken() -> String { Hex.random(bytes: 32) }

    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 64 && token.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// SHA-256 of a token, hex: what the store keeps.
    public static func digest(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }

    private static func key(for token: String) -> SymmetricKey {
        SymmetricKey(data: Data(SHA256.hash(data: Data(("groundwork flash v1|" + token).utf8))))
    }

    private static func seal(_ text: String, token: String) throws -> Data {
        do {
            return try ChaChaPoly.seal(Data(text.utf8), using: key(for: token)).combined
        } catch {
            throw RecordsError(.storage, "couldn't seal a message for the session: \(error)", hint: "try again")
        }
    }

    private static func open(_ sealed: Data, token: String) -> String? {
        guard let box = try? ChaChaPoly.SealedBox(combined: sealed),
              let data = try? ChaChaPoly.open(box, using: key(for: token)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
