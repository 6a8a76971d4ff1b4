import Hummingbird
import NIOCore

/// The request context every route sees: the client's address (for rate limiting) and
/// the session the session middleware read from the cookie.
public struct WebContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The client's address.
    public let remoteAddress: SocketAddress?
    /// The visitor's session; the session middleware always sets it (a fresh one when no
    /// valid cookie came in). Until then it is an empty placeholder that signs no one in.
    var session = Session(learnerID: nil, token: nil, nonce: "", expires: 0)
    /// The signed-in staff member on `/staff` pages (set by the staff middleware).
    var staff: StaffSignIn?
    /// The key rate limits count this client under (set by the session middleware).
    var clientKey = "unknown"
    /// Where the visitor reached this server (set by the session middleware).
    var origin = PublicOrigin.local

    /// Creates the context for a request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Request bodies are forms of a few fields: 64 KB is plenty.
    public var maxUploadSize: Int { 64 * 1024 }
}
