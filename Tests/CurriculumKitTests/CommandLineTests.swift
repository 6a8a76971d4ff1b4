import CurriculumKit
import Foundation
import Testing

/// `groundwork check` and `groundwork compile` end to end, as a subprocess.
struct CommandLineTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: URL {
        Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("groundwork")
    }

    func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    @Test func checkExitsOneOnErrorsWithCompilerStyleOutput() throws {
        let path = Fixtures.path("diagnostics/single-two-answers.md")
        let r = try run(["check", path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(path):11:1: error: this single-choice question has more than one option marked (x)"))
        #expect(r.stderr.contains("  hint: "))
        #expect(r.stderr.contains("Checked 1 file: 1 error, 0 warnings."))
    }

    @Test func warningsPassUnlessStrict() throws {
        let path = Fixtures.path("diagnostics/scenario-unreachable.md")
        #expect(try run(["check", path]).status == 0)
        #expect(try run(["check", "--strict", path]).status == 1)
    }

    @Test func jsonFormatForEditors() throws {
        let r = try run(["check", "--format", "json", Fixtures.path("diagnostics/wrong-type.md")])
        #expect(r.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let first = (object?["diagnostics"] as? [[String: Any]])?.first
        #expect(first?["line"] as? Int == 4)
        #expect(first?["column"] as? Int == 10)
        #expect(first?["severity"] as? String == "error")
        #expect(object?["errors"] as? Int == 1)
    }

    @Test func compilePrintsTheCourseAsJSON() throws {
        let r = try run(["compile", Fixtures.path("courses/ordered")])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((object?["modules"] as? [Any])?.count == 2)
        let failing = try run(["compile", Fixtures.path("diagnostics/scenario-cycle.md")])
        #expect(failing.status == 1)
        #expect(failing.stdout.isEmpty)
    }

    @Test func compiledJSONDecodesBackIntoTheSameCurriculum() throws {
        let r = try run(["compile", Fixtures.repository.appendingPathComponent("Curriculum").path])
        #expect(r.status == 0)
        let decoded = try JSONDecoder().decode(Curriculum.self, from: Data(r.stdout.utf8))
        // Encoded again, the decoded course is the same JSON, byte for byte.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let again = String(decoding: try encoder.encode(decoded), as: UTF8.self) + "\n"
        #expect(again == r.stdout)
        // Check-line responses are written as records write them: {"choice":"b"}, not {"choice":{"_0":"b"}}.
        #expect(!r.stdout.contains(#""_0""#))
        #expect(r.stdout.contains(#""response" : {"#))
    }

    @Test func answerKeyChecksRunEndToEnd() throws {
        let passing = try run(["check", "--strict", Fixtures.path("example-module.md")])
        #expect(passing.status == 0, "\(passing.stderr)")
        #expect(passing.stderr.contains("5 questions, 1 scenario; 0 errors, 0 warnings."))
        let path = Fixtures.path("diagnostics/check-mismatch.md")
        let failing = try run(["check", path])
        #expect(failing.status == 1)
        #expect(failing.stderr.contains("\(path):16:1: error: check `c` expects 40% but the evaluator gives 50%"))
        #expect(failing.stderr.contains("\(path):17:3: error: check `b` expects 0% critical but the evaluator gives 0%"))
    }

    @Test func versionAndHelp() throws {
        #expect(try run(["--version"]).stdout.contains("0."))
        #expect(try run(["--help"]).stdout.contains("check"))
    }

    @Test func missingPathIsADiagnosticNotACrash() throws {
        let r = try run(["check", "/no/such/course"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("/no/such/course:1:1: error: no such file or folder"))
    }
}
