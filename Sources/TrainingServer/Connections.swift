// Connection-level defences, in front of Hummingbird's HTTP/1 decoder: a cap on open
// connections per client address, a deadline for a request's head (a half-sent request is
// closed, however slowly it trickles in), and the security headers on every response,
// including the bare 400 Hummingbird writes itself when the HTTP parser rejects a request.
// Built on Hummingbird 2.28's HTTP1Channel (HummingbirdCore/Server/HTTP/HTTP1Channel.swift)
// and HTTPChannelHandler.swift.
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes

// MARK: - Per-IP connection cap

/// Counts open connections per client IP address. One instance is shared by every connection.
final class PerIPConnectionLimiter: Sendable {
    /// Most connections one address may hold open at once.
    let maxPerAddress: Int
    /// Addresses never capped: the reverse proxies every client comes through.
    let exempt: Set<String>
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    init(maxPerAddress: Int, exempt: Set<String> = []) {
        self.maxPerAddress = maxPerAddress
        self.exempt = exempt
    }

    /// The key a connection is counted under: its IP address (no port). `nil` (not limited)
    /// for Unix-domain sockets or an unknown address.
    static func key(for address: SocketAddress?) -> String? {
        guard let address else { return nil }
        switch address {
        case .v4, .v6: return address.ipAddress
        default: return nil
        }
    }

    /// Counts a new connection under `key`; `false` (and not counted) when the address is at its cap.
    func acquire(_ key: String) -> Bool {
        if self.exempt.contains(ClientAddress.normalise(key)) { return true }
        return self.counts.withLockedValue { counts in
            let current = counts[key, default: 0]
            guard current < self.maxPerAddress else { return false }
            counts[key] = current + 1
            return true
        }
    }

    /// Uncounts a connection that `acquire` counted.
    func release(_ key: String) {
        self.counts.withLockedValue { counts in
            guard let current = counts[key] else { return }
            counts[key] = current > 1 ? current - 1 : nil
        }
    }

    /// Open connections counted for `key` (for tests and metrics).
    func openConnections(for key: String) -> Int {
        self.counts.withLockedValue { $0[key, default: 0] }
    }
}

/// First handler in the pipeline: closes a connection whose address already holds
/// `maxPerAddress` connections, before a single byte of it is read or parsed.
final class PerIPConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let limiter: PerIPConnectionLimiter
    private let logger: Logger
    private var checked = false
    private var countedKey: String?

    init(limiter: PerIPConnectionLimiter, logger: Logger) {
        self.limiter = limiter
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Hummingbird's setup runs before the child channel is registered, so this is normally
        // false and channelActive does the check; handle both orders anyway.
        if context.channel.isActive {
            self.admit(context: context)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        // Closing here, inside channelActive, happens before NIO issues the first read.
        self.admit(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.releaseIfCounted()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.releaseIfCounted()
    }

    private func admit(context: ChannelHandlerContext) {
        guard !self.checked else { return }
        self.checked = true
        guard let key = PerIPConnectionLimiter.key(for: context.channel.remoteAddress) else { return }
        if self.limiter.acquire(key) {
            self.countedKey = key
        } else {
            self.logger.notice(
                "too many connections from one address, closing",
                metadata: ["address": .string(key), "limit": .stringConvertible(self.limiter.maxPerAddress)]
            )
            context.close(promise: nil)
        }
    }

    private func releaseIfCounted() {
        if let key = self.countedKey {
            self.countedKey = nil
            self.limiter.release(key)
        }
    }
}

// MARK: - Request-head timeout

/// State shared by the two handlers of one connection that enforce the request-head timeout.
/// Lives on the connection's event loop only.
final class RequestHeadDeadline {
    let timeout: TimeAmount
    let logger: Logger
    /// True from connection start, and again once every response has been written, until the
    /// next request's head has been fully parsed.
    var awaitingHead = true
    /// Request heads read whose response hasn't ended yet.
    var requestsInFlight = 0
    /// A request head was read and its `.end` hasn't been yet (the body is still arriving).
    var requestBeingRead = false
    private var task: Scheduled<Void>?

    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    /// Starts the countdown unless one is already running; never extends a running one.
    func arm(channel: any Channel) {
        guard self.task == nil else { return }
        self.task = channel.eventLoop.assumeIsolated().scheduleTask(in: self.timeout) {
            self.task = nil
            if self.awaitingHead {
                self.logger.debug("request head not complete in time, closing connection")
                channel.close(promise: nil)
            }
        }
    }

    func cancel() {
        self.task?.cancel()
        self.task = nil
    }
}

/// Raw-byte side (first in the pipeline, before the HTTP decoder): starts the countdown when
/// the connection opens and when the first byte of a new request arrives on a kept-alive
/// connection. Later bytes never extend it, so trickling a header a byte at a time doesn't help.
final class RequestHeadTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let deadline: RequestHeadDeadline

    init(deadline: RequestHeadDeadline) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            self.deadline.arm(channel: context.channel)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        // A connection that sends nothing at all is closed after `timeout` too.
        self.deadline.arm(channel: context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.deadline.awaitingHead {
            self.deadline.arm(channel: context.channel)
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.deadline.cancel()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.deadline.cancel()
    }
}

/// HTTP-part side (after Hummingbird's HTTP1ToHTTPServerCodec): stops the countdown when a
/// complete request head has been parsed, and re-enables it when the last response ends.
final class RequestHeadProgressHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let deadline: RequestHeadDeadline

    init(deadline: RequestHeadDeadline) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head:
            self.deadline.requestsInFlight += 1
            self.deadline.requestBeingRead = true
            self.deadline.awaitingHead = false
            self.deadline.cancel()
        case .end:
            self.deadline.requestBeingRead = false
            self.updateAwaitingHead()
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = Self.unwrapOutboundIn(data) {
            self.deadline.requestsInFlight = max(0, self.deadline.requestsInFlight - 1)
            self.updateAwaitingHead()
        }
        context.write(data, promise: promise)
    }

    /// Idle again once the request has been read to its end and every response has ended: the
    /// next request's first byte starts a new countdown. (The idle time before that byte is
    /// limited by Hummingbird's `idleTimeout`.)
    private func updateAwaitingHead() {
        if self.deadline.requestsInFlight == 0, !self.deadline.requestBeingRead {
            self.deadline.awaitingHead = true
        }
    }
}

// MARK: - Headers on every response, including Hummingbird's own 400

/// Adds `fields` to every final response head that doesn't already carry them. Sits after the
/// HTTP codec, so it also sees the bare `400 Bad Request` that Hummingbird writes itself
/// (HTTPChannelHandler.swift) when the HTTP parser rejects a request.
final class DefaultResponseHeadersHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let fields: HTTPFields

    init(fields: HTTPFields) {
        self.fields = fields
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = Self.unwrapOutboundIn(data), head.status.kind != .informational else {
            context.write(data, promise: promise)
            return
        }
        for field in self.fields where head.headerFields[field.name] == nil {
            head.headerFields.append(field)
        }
        context.write(Self.wrapOutboundOut(.head(head)), promise: promise)
    }
}

// MARK: - The HTTP/1 child channel with all of the above

/// Hummingbird's `HTTP1Channel` with a per-IP connection cap and a request-head timeout in
/// front of the HTTP decoder, and default headers on every response.
struct HardenedHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value

    let responder: HTTPChannelHandler.Responder
    let configuration: HTTP1Channel.Configuration
    let limiter: PerIPConnectionLimiter?
    let requestHeadTimeout: TimeAmount?
    let defaultHeaders: HTTPFields

    init(
        responder: @escaping HTTPChannelHandler.Responder,
        configuration: HTTP1Channel.Configuration,
        limiter: PerIPConnectionLimiter?,
        requestHeadTimeout: TimeAmount?,
        defaultHeaders: HTTPFields
    ) {
        self.responder = responder
        self.configuration = configuration
        self.limiter = limiter
        self.requestHeadTimeout = requestHeadTimeout
        self.defaultHeaders = defaultHeaders
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Runs on the child channel's event loop (NIO's bind calls it via `channel.eventLoop.flatSubmit`).
        let deadline = self.requestHeadTimeout.map {
            NIOLoopBound(RequestHeadDeadline(timeout: $0, logger: logger), eventLoop: channel.eventLoop)
        }
        var configuration = self.configuration
        let userHandlers = configuration.additionalChannelHandlers
        let defaultHeaders = self.defaultHeaders
        // Called synchronously inside HTTP1Channel.setup, on the same event loop.
        configuration.additionalChannelHandlers = {
            var handlers: [any RemovableChannelHandler] = []
            if let deadline {
                handlers.append(RequestHeadProgressHandler(deadline: deadline.value))
            }
            handlers.append(DefaultResponseHeadersHandler(fields: defaultHeaders))
            return handlers + userHandlers()
        }
        do {
            let pipeline = channel.pipeline.syncOperations
            if let deadline {
                try pipeline.addHandler(RequestHeadTimeoutHandler(deadline: deadline.value), position: .first)
            }
            if let limiter = self.limiter {
                // Added last at .first, so it ends up the very first handler.
                try pipeline.addHandler(PerIPConnectionLimitHandler(limiter: limiter, logger: logger), position: .first)
            }
        } catch {
            // Don't leave an accepted socket behind: NIOAsyncChannelHandler drops a failed
            // initializer without closing the channel.
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
        return HTTP1Channel(responder: self.responder, configuration: configuration)
            .setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await self.handleHTTP(asyncChannel: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with a per-IP connection cap, a request-head timeout and default response headers.
    ///
    /// - Parameters:
    ///   - configuration: Hummingbird's HTTP/1 configuration; set `idleTimeout` (keep-alive idle
    ///     and body-stall limit) here.
    ///   - limiter: Per-address connection cap, or `nil` for none.
    ///   - requestHeadTimeout: Time from connection start, or from the first byte of a later
    ///     request, until its head must be complete; `nil` for none.
    ///   - defaultHeaders: Headers added to every response head that lacks them.
    static func hardenedHTTP1(
        configuration: HTTP1Channel.Configuration = .init(),
        limiter: PerIPConnectionLimiter? = nil,
        requestHeadTimeout: TimeAmount? = nil,
        defaultHeaders: HTTPFields = [:]
    ) -> HTTPServerBuilder {
        .init { responder in
            HardenedHTTP1Channel(
                responder: responder,
                configuration: configuration,
                limiter: limiter,
                requestHeadTimeout: requestHeadTimeout,
                defaultHeaders: defaultHeaders
            )
        }
    }
}

// MARK: - HEAD

/// Outermost router middleware: a HEAD response never carries a body, whichever responder
/// (auto-generated HEAD endpoint, not-found page, error page) produced it.
struct HeadBodyStripMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        return request.method == .head ? response.createHeadResponse() : response
    }
}
