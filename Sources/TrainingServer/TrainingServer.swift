import Credentials
import CurriculumKit
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Runtime

/// The web app: server-rendered pages for learners over ``Coursework``, and the staff area
/// over ``StaffAccounts``.
public enum TrainingServer {
    /// Where and what to serve.
    public struct Configuration: Sendable {
        /// The address to listen on.
        public var host: String
        /// The port.
        public var port: Int
        /// The folder of Mustache templates and the stylesheet.
        public var templates: String
        /// Wrong resume codes allowed per client in 15 minutes.
        public var resumeFailuresPer15Minutes: Int
        /// Wrong resume codes allowed across the whole site in 15 minutes.
        public var siteResumeFailuresPer15Minutes: Int
        /// Failed staff sign-ins allowed per account in 15 minutes.
        public var signInFailuresPerAccount: Int
        /// Failed staff sign-ins allowed per client in 15 minutes.
        public var signInFailuresPerClient: Int
        /// Addresses of reverse proxies whose `X-Forwarded-For` is believed.
        public var trustedProxies: Set<String>
        /// Coordinators must turn on two-step sign-in before using the staff area.
        public var requireTwoStepForCoordinators: Bool
        /// Connections one client address may hold open at once.
        public var connectionsPerClient: Int
        /// How long a request's head may take to arrive, and a kept-alive connection may sit idle.
        public var requestTimeout: TimeAmount
        /// bcrypt's cost for staff passwords (tests lower it).
        public var bcryptCost: UInt8
        /// The public address links (sign-in links, join slides, certificates) start with; an
        /// `https` one also marks cookies `Secure`. Nil to use the request's Host, with
        /// `X-Forwarded-Proto` from a trusted proxy.
        public var baseURL: String?
        /// Wrong join codes allowed per client in 15 minutes (a whole room may share one address).
        public var joinFailuresPer15Minutes: Int
        /// Where group-session changes are published (tests share one to watch them).
        public var live: LiveUpdates
        /// The organisation certificates name as their issuer.
        public var issuerName: String

        /// Creates a configuration.
        public init(host: String = "127.0.0.1", port: Int = 8080, templates: String = "Templates",
                    resumeFailuresPer15Minutes: Int = 10, siteResumeFailuresPer15Minutes: Int = 500,
                    signInFailuresPerAccount: Int = 5, signInFailuresPerClient: Int = 20,
                    trustedProxies: Set<String> = [], requireTwoStepForCoordinators: Bool = false,
                    connectionsPerClient: Int = 64, requestTimeout: TimeAmount = .seconds(10),
                    bcryptCost: UInt8 = StaffAccounts.defaultBcryptCost, baseURL: String? = nil,
                    joinFailuresPer15Minutes: Int = 30, live: LiveUpdates = LiveUpdates(),
                    issuerName: String = "Groundwork training") {
            self.issuerName = issuerName
            self.host = host
            self.port = port
            self.templates = templates
            self.resumeFailuresPer15Minutes = resumeFailuresPer15Minutes
            self.siteResumeFailuresPer15Minutes = siteResumeFailuresPer15Minutes
            self.signInFailuresPerAccount = signInFailuresPerAccount
            self.signInFailuresPerClient = signInFailuresPerClient
            self.trustedProxies = Set(trustedProxies.map(ClientAddress.normalise))
            self.requireTwoStepForCoordinators = requireTwoStepForCoordinators
            self.connectionsPerClient = connectionsPerClient
            self.requestTimeout = requestTimeout
            self.bcryptCost = bcryptCost
            self.baseURL = baseURL
            self.joinFailuresPer15Minutes = joinFailuresPer15Minutes
            self.live = live
        }
    }

    /// The router with every route and middleware, for serving or for tests.
    public static func router(coursework: Coursework, store: any RecordStore, secretKey: [UInt8],
                              configuration: Configuration) async throws -> Router<WebContext> {
        let signer = SessionSigner(key: secretKey)
        let pages = try await Pages.load(directory: configuration.templates, curriculum: coursework.curriculum, signer: signer)
        let sessions = Sessions(store: store)
        // Sessions otherwise go only when someone comes back with them: clear the expired ones.
        try await sessions.sweep()
        let router = Router(context: WebContext.self, options: .autoGenerateHeadEndpoints)
        // A HEAD response never carries a body, whatever answered it.
        router.add(middleware: HeadBodyStripMiddleware())
        // The session first, so error pages keep it (and don't sign anyone out).
        router.add(middleware: SessionMiddleware(signer: signer, sessions: sessions, trustedProxies: configuration.trustedProxies,
                                                 baseURL: configuration.baseURL, pages: pages))
        router.add(middleware: SafetyMiddleware(pages: pages))
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: RedirectMiddleware())
        let window: TimeInterval = 15 * 60
        let accounts = StaffAccounts(store: store, bcryptCost: configuration.bcryptCost)
        let coordination = Coordination(coursework: coursework, accounts: accounts,
                                        records: LearnerRecords(store: store, hasher: coursework.hasher))
        let certificates = try await Certificates.open(coursework: coursework, accounts: accounts, issuerName: configuration.issuerName)
        Routes(coursework: coursework, pages: pages, sessions: sessions,
               resumeLimiter: FailureLimiter(perKey: configuration.resumeFailuresPer15Minutes,
                                             siteWide: configuration.siteResumeFailuresPer15Minutes, window: window,
                                             scope: "resume", store: store),
               coordination: coordination, certificates: certificates)
            .register(on: router)
        let staff = StaffRoutes(accounts: accounts, sessions: sessions, pages: pages,
                                accountLimiter: FailureLimiter(perKey: configuration.signInFailuresPerAccount, siteWide: .max, window: window,
                                                               scope: "staff-account", store: store),
                                clientLimiter: FailureLimiter(perKey: configuration.signInFailuresPerClient, siteWide: .max, window: window,
                                                              scope: "staff-client", store: store),
                                requireTwoStep: configuration.requireTwoStepForCoordinators)
        staff.register(on: router)
        let groups = GroupSessions(coursework: coursework, live: configuration.live)
        // Sessions left open while the server was down are closed now, with their attendance.
        try await groups.closeIdleSessions()
        GroupRoutes(groups: groups, staff: staff, pages: pages,
                    joinLimiter: FailureLimiter(perKey: configuration.joinFailuresPer15Minutes, siteWide: .max, window: window,
                                                scope: "join", store: store),
                    resumeLimiter: FailureLimiter(perKey: configuration.resumeFailuresPer15Minutes,
                                                  siteWide: configuration.siteResumeFailuresPer15Minutes, window: window,
                                                  scope: "resume", store: store))
            .register(on: router)
        CoordinatorRoutes(coordination: coordination, certificates: certificates, staff: staff, pages: pages)
            .register(on: router)
        CertificateRoutes(certificates: certificates, coursework: coursework, pages: pages)
            .register(on: router)
        return router
    }

    /// The application: the router on an HTTP/1.1 server with per-client connection caps,
    /// request timeouts and security headers on every response. Run it with `runService()`,
    /// which stops gracefully on SIGTERM or SIGINT, finishing requests in flight.
    public static func application(coursework: Coursework, store: any RecordStore, secretKey: [UInt8],
                                   configuration: Configuration, logger: Logger) async throws -> some ApplicationProtocol {
        let router = try await router(coursework: coursework, store: store, secretKey: secretKey, configuration: configuration)
        return Application(
            router: router,
            server: .hardenedHTTP1(
                configuration: .init(idleTimeout: configuration.requestTimeout),
                limiter: PerIPConnectionLimiter(maxPerAddress: configuration.connectionsPerClient,
                                                 exempt: configuration.trustedProxies),
                requestHeadTimeout: configuration.requestTimeout,
                defaultHeaders: SafetyMiddleware.securityHeaders),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Groundwork"),
            onServerRunning: { channel in
                logger.info("serving", metadata: ["address": .string(channel.localAddress?.description ?? "?"),
                                                   "course": .string(coursework.curriculum.settings.id)])
            },
            logger: logger
        )
    }
}
