import ArgumentParser
import CurriculumKit
import Foundation
import Hummingbird
import Logging
import PostgresStore
import Runtime
import Stores
import TrainingServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the course to learners in a web browser (http://127.0.0.1:8080 by default).",
        discussion: """
        Learners pick a name, get a resume code, read the lessons and answer the questions; \
        they can come back on any device with the code, including to a module started with \
        `groundwork learn`. Stops gracefully on Ctrl-C or SIGTERM. A course with errors doesn't start.
        """
    )

    @ArgumentParser.Option(help: "The address to listen on. Use 0.0.0.0 to serve the local network.")
    var host = "127.0.0.1"

    @ArgumentParser.Option(help: "The port to listen on.")
    var port = 8080

    @ArgumentParser.Option(help: "The course: a folder with course.md, or one module file.")
    var course = "Curriculum"

    @ArgumentParser.Option(help: "The folder of page templates (*.mustache) and style.css.")
    var templates = "Templates"

    @ArgumentParser.Option(help: "Log level: trace, debug, info, notice, warning, error or critical. Requests are logged at debug.")
    var logLevel: Logger.Level = .info

    @ArgumentParser.Option(name: .customLong("trusted-proxy"),
                           help: "The address of a reverse proxy whose X-Forwarded-For header is believed (repeat for several).")
    var trustedProxies: [String] = []

    @Flag(name: .customLong("require-2fa"), help: "Coordinators must turn on two-step sign-in before using the staff area.")
    var requireTwoStep = false

    @ArgumentParser.Option(help: "The public address staff sign-in links, join links and certificates start with, like https://training.example.org.")
    var baseURL: String?

    @ArgumentParser.Option(help: "The organisation certificates name as their issuer (also $GROUNDWORK_ISSUER_NAME).")
    var issuerName: String?

    @ArgumentParser.Option(help: "Seconds a request's headers may take to arrive, and a kept-alive connection may stay idle.")
    var requestTimeout = 10

    @ArgumentParser.Option(help: "Connections one client address may hold open at once (proxies named with --trusted-proxy are exempt).")
    var connectionsPerClient = 64

    func validate() throws {
        guard (1...600).contains(requestTimeout) else { throw ValidationError("--request-timeout takes 1 to 600 seconds") }
        guard connectionsPerClient >= 1 else { throw ValidationError("--connections-per-client takes a number from 1 up") }
    }

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        let result = CurriculumCompiler.compile(path: course)
        guard let curriculum = result.curriculum else {
            DiagnosticPrinter(stream: .standardError).print(result)
            reportError("the course has errors, so the server didn't start", hint: "fix the errors above; groundwork check shows them too")
            throw ExitCode(1)
        }
        var logger = Logger(label: "groundwork")
        logger.logLevel = logLevel
        do {
            let opened = try await StoreFactory.open(dataOptions.location)
            let coursework = Coursework(curriculum: curriculum, store: opened.store, hasher: opened.hasher)
            // On PostgreSQL, other servers may share the records: live group-session updates
            // travel between them through LISTEN/NOTIFY.
            let live = LiveUpdates(relay: (opened.store as? PostgresStore).map { PostgresLiveRelay(store: $0) })
            let listening = Task { await live.run() }
            defer { listening.cancel() }
            let app = try await TrainingServer.application(
                coursework: coursework, store: opened.store, secretKey: opened.secretKey,
                configuration: .init(host: host, port: port, templates: templates, trustedProxies: Set(trustedProxies),
                                     requireTwoStepForCoordinators: requireTwoStep,
                                     connectionsPerClient: connectionsPerClient, requestTimeout: .seconds(Int64(requestTimeout)),
                                     baseURL: baseURL, live: live,
                                     issuerName: issuerName ?? ProcessInfo.processInfo.environment["GROUNDWORK_ISSUER_NAME"]
                                        ?? "Groundwork training"),
                logger: logger)
            try await app.runService()
            logger.info("stopped")
        } catch let error as RecordsError {
            reportError(error.message, hint: error.hint)
            throw ExitCode(1)
        } catch let error as ServerError {
            reportError(error.message, hint: error.hint)
            throw ExitCode(1)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
