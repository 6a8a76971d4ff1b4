import Hummingbird

/// Where people reach this server, for the links it prints (join slides, sign-in links,
/// certificate addresses) and for whether its cookies are marked `Secure`.
///
/// The `--base-url` decides when it is given. Otherwise the request's own `Host` is used,
/// with `https` only when a proxy named with `--trusted-proxy` says so in
/// `X-Forwarded-Proto` (anyone else could claim it).
struct PublicOrigin: Sendable, Equatable {
    /// The scheme, host and port, without a trailing slash: `https://training.example.org`.
    var base: String
    /// Whether people reach the server over HTTPS, so its cookies must say `Secure`.
    var isSecure: Bool

    /// The origin before any request is read: plain HTTP on this machine.
    static let local = PublicOrigin(base: "http://127.0.0.1:8080", isSecure: false)

    /// The origin for a request from `peer`, given the configured `--base-url`.
    static func of(host: String?, forwardedProto: String?, peer: String?, baseURL: String?, trustedProxies: Set<String>) -> PublicOrigin {
        if let baseURL {
            let trimmed = String(baseURL.reversed().drop { $0 == "/" }.reversed())
            return PublicOrigin(base: trimmed, isSecure: trimmed.lowercased().hasPrefix("https://"))
        }
        var scheme = "http"
        if let peer, trustedProxies.contains(ClientAddress.normalise(peer)),
           // A proxy chain may list several; the first is what the client used.
           let claimed = forwardedProto?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased(),
           claimed == "https" || claimed == "http" {
            scheme = claimed
        }
        let authority = host.flatMap { Self.plausible($0) ? $0 : nil } ?? "127.0.0.1:8080"
        return PublicOrigin(base: scheme + "://" + authority, isSecure: scheme == "https")
    }

    /// The cookie attributes that depend on the origin: `; Secure` over HTTPS.
    var cookieSuffix: String { isSecure ? "; Secure" : "" }

    /// A host header that can go into a link as it is: letters, digits and `.-:[]` only.
    private static func plausible(_ host: String) -> Bool {
        !host.isEmpty && host.count <= 255
            && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }
    }
}
