import CurriculumKit
import Foundation
import Hummingbird
import Logging
import Runtime

/// The learner web app: server-rendered pages over ``Coursework``.
public enum TrainingServer {
    /// Where and what to serve.
    public struct Configuration: Sendable {
        /// The address to listen on.
        public var host: String
        /// The port.
        public var port: Int
        /// The folder of Mustache templates and the stylesheet.
        public var templates: String
        /// Resume-code tries allowed per client address in 15 minutes.
        public var resumeTriesPer15Minutes: Int

        /// Creates a configuration.
        public init(host: String = "127.0.0.1", port: Int = 8080, templates: String = "Templates",
                    resumeTriesPer15Minutes: Int = 10) {
            self.host = host
            self.port = port
            self.templates = templates
            self.resumeTriesPer15Minutes = resumeTriesPer15Minutes
        }
    }

    /// The router with every route and middleware, for serving or for tests.
    public static func router(coursework: Coursework, secretKey: [UInt8], configuration: Configuration) async throws
        -> Router<WebContext>
    {
        let signer = SessionSigner(key: secretKey)
        let pages = try await Pages.load(directory: configuration.templates, curriculum: coursework.curriculum, signer: signer)
        let router = Router(context: WebContext.self)
        // The session first, so error pages keep it (and don't sign anyone out).
        router.add(middleware: SessionMiddleware(signer: signer))
        router.add(middleware: SafetyMiddleware(pages: pages))
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: RedirectMiddleware())
        Routes(coursework: coursework, pages: pages,
               resumeLimiter: RateLimiter(limit: configuration.resumeTriesPer15Minutes, window: 15 * 60))
            .register(on: router)
        return router
    }

    /// The application: the router on an HTTP/1.1 server. Run it with `runService()`, which
    /// stops gracefully on SIGTERM or SIGINT, finishing requests in flight.
    public static func application(coursework: Coursework, secretKey: [UInt8], configuration: Configuration,
                                   logger: Logger) async throws -> some ApplicationProtocol {
        let router = try await router(coursework: coursework, secretKey: secretKey, configuration: configuration)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Groundwork"),
            onServerRunning: { channel in
                logger.info("serving", metadata: ["address": .string(channel.localAddress?.description ?? "?"),
                                                   "course": .string(coursework.curriculum.settings.id)])
            },
            logger: logger
        )
    }
}
