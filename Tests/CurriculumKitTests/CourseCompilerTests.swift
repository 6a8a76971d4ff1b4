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
}
