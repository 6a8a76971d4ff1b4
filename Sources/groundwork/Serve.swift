import ArgumentParser
import CurriculumKit
import Foundation
import Hummingbird
import Logging
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
            let opened = try StoreFactory.open(dataOptions.location)
            let coursework = Coursework(curriculum: curriculum, store: opened.store, hasher: opened.hasher)
            let app = try await TrainingServer.application(
                coursework: coursework, secretKey: opened.secretKey,
                configuration: .init(host: host, port: port, templates: templates), logger: logger)
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
