import Crypto
import Foundation
import Runtime

/// A visitor's session as this request sees it.
///
/// A signed-in learner's session is stored server-side (``Runtime/Sessions``): the cookie
/// holds `s.` and a random token, so signing out ends it and an old copy of the cookie
/// signs nobody in. A visitor who isn't signed in gets a signed cookie holding only a
/// random nonce (`a.…`), which their forms' CSRF tokens come from; nothing is stored for them.
struct Session: Sendable, Equatable {
    /// The signed-in learner, if any.
    var learnerID: String?
    /// The server-side session's token, when signed in.
    var token: String?
    /// What the CSRF token is derived from: the token when signed in, else the nonce.
    var nonce: String
    /// When an anonymous cookie expires (seconds since 1970).
    var expires: Int
    /// True when an anonymous session was just made and its cookie must be sent.
    var isNew = false

    static let cookieName = "gw_session"
    static let lifetime = 60 * 60 * 24 * 30

    /// A fresh signed-out session with a new nonce.
    static func fresh(now: Date = Date()) -> Session {
        Session(learnerID: nil, token: nil, nonce: Hex.random(bytes: 16), expires: Int(now.timeIntervalSince1970) + lifetime,
                isNew: true)
    }

    /// A signed-in learner's session.
    static func signedIn(learnerID: String, token: String) -> Session {
        Session(learnerID: learnerID, token: token, nonce: "s|" + token, expires: 0)
    }
}

/// Signs and checks session cookies and CSRF tokens with a key from the data folder.
struct SessionSigner: Sendable {
    private let key: SymmetricKey
    /// Cookies already checked and tokens already derived: both are pure functions of their
    /// input, so each is worked out once (the cache is cleared when it grows large).
    private let checked = Memo<Session>(limit: 20_000)
    private let tokens = Memo<String>(limit: 20_000)

    init(key: [UInt8]) {
        // A key for this purpose only, derived from the data folder's secret.
        let derived = HMAC<SHA256>.authenticationCode(for: Data("groundwork session cookies v1".utf8),
                                                      using: SymmetricKey(data: key))
        self.key = SymmetricKey(data: Data(derived))
    }

    /// The cookie value for a session: `s.TOKEN` when signed in, else a signed `a.…` nonce.
    func encode(_ session: Session) -> String {
        if let token = session.token { return "s." + token }
        let payload = Data((session.nonce + "|" + String(session.expires)).utf8).base64URLEncoded
        return "a." + payload + "." + mac(payload)
    }

    /// The server-side token in a cookie value, if it carries one.
    static func token(in value: String) -> String? {
        value.hasPrefix("s.") ? String(value.dropFirst(2)) : nil
    }

    /// The anonymous session in a cookie value, or nil when it is malformed, forged or expired.
    func decodeAnonymous(_ value: String, now: Date = Date()) -> Session? {
        if let session = checked.stored(value) {
            return session.expires > Int(now.timeIntervalSince1970) ? session : nil
        }
        guard let session = verify(value, now: now) else { return nil }
        checked.store(value, session)
        return session
    }

    private func verify(_ value: String, now: Date) -> Session? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "a", constantTimeEqual(mac(String(parts[1])), String(parts[2])),
              let data = Data(base64URLEncoded: String(parts[1])), let text = String(data: data, encoding: .utf8) else { return nil }
        let fields = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 2, let expires = Int(fields[1]), expires > Int(now.timeIntervalSince1970), !fields[0].isEmpty else {
            return nil
        }
        return Session(learnerID: nil, token: nil, nonce: fields[0], expires: expires)
    }

    /// The CSRF token every form of this session carries.
    func csrfToken(for session: Session) -> String {
        tokens.value(session.nonce) { mac("csrf|" + session.nonce) }
    }

    /// Whether a submitted token belongs to the session.
    func checkCSRF(_ token: String?, for session: Session) -> Bool {
        guard let token else { return false }
        return constantTimeEqual(token, csrfToken(for: session))
    }

    private func mac(_ text: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

extension Data {
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
