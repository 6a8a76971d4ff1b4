import Crypto
import Foundation
import Runtime

/// A visitor's session, kept in a signed cookie: who is signed in (if anyone), a random
/// nonce the CSRF token is derived from, when it expires, and a resume code to show once.
///
/// The cookie is signed with HMAC-SHA256, not encrypted: it holds only an opaque learner
/// id, and is HttpOnly and SameSite=Lax.
struct Session: Sendable, Equatable {
    var learnerID: String?
    var nonce: String
    var expires: Int
    /// A new learner's resume code, shown once on the welcome page, then dropped.
    var flashCode: String?
    /// True when the session was just made and its cookie must be sent.
    var isNew = false

    static let cookieName = "gw_session"
    static let lifetime = 60 * 60 * 24 * 30

    /// A fresh session (signed out, or for `learnerID`) with a new nonce.
    static func fresh(learnerID: String? = nil, flashCode: String? = nil, now: Date = Date()) -> Session {
        Session(learnerID: learnerID, nonce: Hex.random(bytes: 16), expires: Int(now.timeIntervalSince1970) + lifetime,
                flashCode: flashCode, isNew: true)
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

    /// The cookie value for a session.
    func encode(_ session: Session) -> String {
        let fields = [session.learnerID ?? "", session.nonce, String(session.expires), session.flashCode ?? ""]
        let payload = Data(fields.joined(separator: "|").utf8).base64URLEncoded
        return payload + "." + mac(payload)
    }

    /// The session in a cookie value, or nil when it is malformed, forged or expired.
    func decode(_ value: String, now: Date = Date()) -> Session? {
        if let session = checked.stored(value) {
            return session.expires > Int(now.timeIntervalSince1970) ? session : nil
        }
        guard let session = verify(value, now: now) else { return nil }
        checked.store(value, session)
        return session
    }

    private func verify(_ value: String, now: Date) -> Session? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, constantTimeEqual(mac(String(parts[0])), String(parts[1])),
              let data = Data(base64URLEncoded: String(parts[0])), let text = String(data: data, encoding: .utf8) else { return nil }
        let fields = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4, let expires = Int(fields[2]), expires > Int(now.timeIntervalSince1970), !fields[1].isEmpty else {
            return nil
        }
        return Session(learnerID: fields[0].isEmpty ? nil : fields[0], nonce: fields[1], expires: expires,
                       flashCode: fields[3].isEmpty ? nil : fields[3])
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
