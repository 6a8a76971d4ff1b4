import Foundation
import Testing
@testable import CurriculumKit

/// Course folders: settings, module order, cross-module checks, hashes.
struct CourseCompilerTests {
    @Test func readsSettingsAndFollowsTheModuleOrder() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("courses/ordered"))
        let course = try #require(result.curriculum, "\(result.diagnostics)")
        #expect(course.modules.map(\.id) == ["second", "first"])
        #expect(course.settings.completion.pass == 75)
        #expect(course.settings.completion.attendance == 1)
        #expect(course.settings.certificate?.validFor == Validity(count: 24, unit: .months))
        #expect(course.settings.readingGrade == 12)
        #expect(course.modules[0].pass == 75, "modules inherit the course pass mark")
        #expect(course.welcome.isEmpty == false)
    }

    @Test func aListedModuleWithNoFileIsAnErrorAtItsListItem() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("courses/missing-module"))
        let d = try #require(result.diagnostics.first { $0.code == "course.missing-module" })
        #expect(d.path.hasSuffix("course.md"))
        #expect((d.line, d.column) == (4, 18))
        #expect(d.hint == "did you mean 'first'?")
    }

    @Test func completionModulesAreCheckedWithoutAModulesList() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("courses/completion-unknown"))
        let d = try #require(result.diagnostics.first { $0.code == "course.missing-module" })
        #expect((d.line, d.column) == (7, 7))
        #expect(result.curriculum == nil)
    }

    @Test func moduleIDsAreUniqueAcrossTheCourse() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("courses/duplicate-ids"))
        let d = try #require(result.diagnostics.first { $0.code == "module.duplicate-id" })
        #expect(d.path.hasSuffix("c-first-again.md"))
        #expect((d.line, d.column) == (2, 5))
    }

    @Test func aFolderWithoutCourseMdIsReported() {
        let result = CurriculumCompiler.compile(path: Fixtures.path("courses/no-course"))
        #expect(result.diagnostics.contains { $0.code == "course.missing" && $0.line == 1 })
    }

    /// A course-level diagnostic: the fixture folder, the file it is reported in, and where.
    struct Expected: CustomTestStringConvertible, Sendable {
        var folder: String
        var file: String
        var code: String
        var severity: Diagnostic.Severity
        var line: Int
        var column: Int
        var testDescription: String { "\(folder)/\(file) → \(code) at \(line):\(column)" }
    }

    static let cases: [Expected] = [
        Expected(folder: "no-course", file: "course.md", code: "course.missing", severity: .error, line: 1, column: 1),
        Expected(folder: "no-front-matter", file: "course.md", code: "front-matter.missing", severity: .error, line: 1, column: 1),
        Expected(folder: "no-id", file: "course.md", code: "course.no-id", severity: .error, line: 2, column: 1),
        Expected(folder: "no-title", file: "course.md", code: "course.no-title", severity: .error, line: 2, column: 1),
        Expected(folder: "no-modules", file: "course.md", code: "course.no-modules", severity: .error, line: 1, column: 1),
        Expected(folder: "duplicate-module", file: "course.md", code: "course.duplicate-module", severity: .error, line: 4, column: 26),
        Expected(folder: "missing-module", file: "course.md", code: "course.missing-module", severity: .error, line: 4, column: 18),
        Expected(folder: "completion-unknown", file: "course.md", code: "course.missing-module", severity: .error, line: 7, column: 7),
        Expected(folder: "reading-grade-type", file: "course.md", code: "front-matter.type", severity: .error, line: 4, column: 16),
        Expected(folder: "unlisted-module", file: "b-second.md", code: "course.unlisted-module", severity: .warning, line: 2, column: 5),
        Expected(folder: "duplicate-ids", file: "c-first-again.md", code: "module.duplicate-id", severity: .error, line: 2, column: 5),
        Expected(folder: "facilitator-welcome", file: "course.md", code: "course.facilitator-text", severity: .warning, line: 15, column: 1),
        // language.yml
        Expected(folder: "language-no-terms", file: "language.yml", code: "front-matter.unknown-key", severity: .warning, line: 2, column: 1),
        Expected(folder: "language-no-terms", file: "language.yml", code: "language.no-terms", severity: .error, line: 1, column: 1),
        Expected(folder: "language-terms-not-list", file: "language.yml", code: "front-matter.type", severity: .error, line: 1, column: 8),
        Expected(folder: "language-term-incomplete", file: "language.yml", code: "language.term", severity: .error, line: 4, column: 5),
        Expected(folder: "language-term-not-mapping", file: "language.yml", code: "front-matter.type", severity: .error, line: 4, column: 5),
        Expected(folder: "language-bad-yaml", file: "language.yml", code: "front-matter.yaml", severity: .error, line: 3, column: 19),
        Expected(folder: "language-unclosed-bracket", file: "language.yml", code: "front-matter.yaml", severity: .error, line: 3, column: 13),
    ]

    @Test(arguments: cases)
    func reportsCourseProblemsAtLineAndColumn(_ expected: Expected) {
        let result = CurriculumCompiler.compile(path: Fixtures.path("courses/" + expected.folder))
        let sameCode = result.diagnostics.filter { $0.code == expected.code && $0.path.hasSuffix("/" + expected.file) }
        #expect(!sameCode.isEmpty, "got: \(result.diagnostics.map(\.description))")
        for d in sameCode {
            #expect(d.severity == expected.severity)
            #expect(d.hint?.isEmpty == false, "every diagnostic says how to fix it")
        }
        if expected.severity == .error { #expect(result.curriculum == nil) }
        let match = sameCode.first { $0.line == expected.line }
        #expect(match != nil, "got: \(sameCode.map(\.description))")
        #expect(match?.column == expected.column)
    }

    @Test func anUnlistedModuleIsLeftOutButTheCourseStillCompiles() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("courses/unlisted-module"))
        let course = try #require(result.curriculum, "\(result.diagnostics)")
        #expect(course.modules.map(\.id) == ["first"])
    }

    @Test func aMissingPathIsReportedAtItsStart() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-no-such-\(UUID().uuidString)").path
        let result = CurriculumCompiler.compile(path: path)
        let d = try #require(result.diagnostics.first { $0.code == "path.missing" })
        #expect(d.path == path)
        #expect((d.line, d.column) == (1, 1))
        #expect(d.severity == .error)
        #expect(d.hint?.isEmpty == false)
    }

    @Test func aFileThatCannotBeReadIsReportedAtItsStart() throws {
        // A folder named course.md can't be read as a file, even by root (unlike a chmod 000 file).
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("course.md"), withIntermediateDirectories: false)
        try Data("---\nid: m\ntitle: M\n---\n".utf8).write(to: folder.appendingPathComponent("a.md"))
        let result = CurriculumCompiler.compile(path: folder.path)
        let d = try #require(result.diagnostics.first { $0.code == "file.unreadable" }, "\(result.diagnostics)")
        #expect(d.path.hasSuffix("/course.md"))
        #expect((d.line, d.column) == (1, 1))
        #expect(d.severity == .error)
        #expect(d.hint?.isEmpty == false)
        #expect(result.curriculum == nil)
    }

    @Test func aFileOverTheSizeLimitIsRefusedBeforeReading() throws {
        // A sparse file one byte over the limit: instant to make, no disk or memory used.
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("huge.md").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("---\n".utf8)))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(SourceReader.maximumFileSize + 1))
        try handle.close()
        let result = CurriculumCompiler.compile(path: path)
        let d = try #require(result.diagnostics.first { $0.code == "file.too-large" }, "\(result.diagnostics)")
        #expect(d.path == path)
        #expect((d.line, d.column) == (1, 1))
        #expect(d.severity == .error)
        #expect(d.hint?.isEmpty == false)
        #expect(result.diagnostics.count == 1)
        #expect(result.curriculum == nil)
    }

    private func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-course-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func hashesChangeWithContentAndOnlyThen() throws {
        let text = "---\nid: m\ntitle: M\n---\n\n## Q\n\n### One\n\n- (x) A\n- ( ) B\n\n### Two\n\n- (x) C\n- ( ) D\n"
        let a = try #require(CurriculumCompiler.compile(moduleText: text).curriculum)
        let b = try #require(CurriculumCompiler.compile(moduleText: text).curriculum)
        let c = try #require(CurriculumCompiler.compile(moduleText: text.replacingOccurrences(of: "- ( ) D", with: "- ( ) E")).curriculum)
        #expect(a.hash == b.hash)
        #expect(a.hash != c.hash)
        #expect(a.modules[0].questions[0].hash == c.modules[0].questions[0].hash, "an unchanged question keeps its hash")
        #expect(a.modules[0].questions[1].hash != c.modules[0].questions[1].hash)
        #expect(a.modules[0].hash.count == 64)
    }

    @Test func theExampleModuleFromTheFormatSpecCompilesCleanly() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("example-module.md"))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let module = try #require(result.curriculum?.modules.first)
        #expect(module.questions.map(\.kind) == [.singleChoice, .selectAll, .ordering, .matching, .shortAnswer])
        #expect(module.questions[0].id == "example-every-construct/weighing")
        #expect(module.questions[0].options[3].isCritical)
        #expect(module.questions[0].options[0].feedback.isEmpty == false)
        #expect(module.questions[0].explanation.isEmpty == false)
        #expect(module.scenarios.first?.bestPathPoints == 200)
        let callouts = module.sections[0].elements.compactMap { element -> CalloutKind? in
            if case let .callout(kind, _) = element { return kind }
            return nil
        }
        #expect(callouts == [.tip, .facilitator, .discuss])
        #expect(module.questions[2].checks.count == 2)
    }

    @Test func compiledJSONHasTheDocumentedShape() throws {
        let course = try #require(CurriculumCompiler.compile(path: Fixtures.path("example-module.md")).curriculum)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try #require(String(data: try encoder.encode(course), encoding: .utf8))
        for key in ["\"modules\"", "\"sections\"", "\"questions\"", "\"kind\":\"single-choice\"", "\"critical\":true",
                    "\"weight\":50", "\"feedback\"", "\"bestPathPoints\":200", "\"hash\"", "\"next\":\"he-opens-up\""] {
            #expect(json.contains(key), "missing \(key)")
        }
    }

    @Test func theWelcomeHasCalloutsAndKeepsFacilitatorNotesApart() throws {
        let result = CurriculumCompiler.compile(path: Fixtures.path("courses/facilitator-welcome"))
        let curriculum = try #require(result.curriculum)
        let kinds = curriculum.welcome.compactMap { element -> CalloutKind? in
            if case let .callout(kind, _) = element { return kind }
            return nil
        }
        #expect(kinds == [.tip, .facilitator], "callouts in course.md are callouts, not quoted [!TIP] text")
        let text = curriculum.welcome.compactMap { element -> String? in
            if case let .text(content) = element { return content.plainText }
            return nil
        }.joined(separator: " ")
        #expect(!text.contains("[!"))
        #expect(!text.contains("Only facilitators read this"))
    }
}
