import Foundation
import Testing
@testable import CurriculumKit

/// No input crashes or hangs the compiler: each gives a diagnostic.
struct MalformedInputTests {
    func temporaryFile(_ data: Data, name: String = "input.md") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    @Test func emptyFile() throws {
        let result = CurriculumCompiler.compile(path: try temporaryFile(Data()))
        #expect(result.diagnostics.map(\.code) == ["front-matter.missing"])
    }

    @Test func binaryBytes() throws {
        let result = CurriculumCompiler.compile(path: try temporaryFile(Data([0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01, 0xFF])))
        #expect(result.diagnostics.first?.code == "file.binary")
        #expect(result.diagnostics.first?.column == 5)
    }

    @Test func invalidUTF8PointsAtTheByte() throws {
        let result = CurriculumCompiler.compile(path: try temporaryFile(Data("---\nid: m\ntitle: caf".utf8) + Data([0xE9]) + Data("\n---\n".utf8)))
        let d = try #require(result.diagnostics.first)
        #expect(d.code == "file.encoding")
        #expect((d.line, d.column) == (3, 11))
    }

    @Test func missingPath() {
        let result = CurriculumCompiler.compile(path: "/nonexistent/groundwork/course")
        #expect(result.diagnostics.first?.code == "path.missing")
        #expect(result.curriculum == nil)
    }

    @Test func unreadableFile() throws {
        guard getuid() != 0 else { return } // root reads everything; nothing to test
        let path = try temporaryFile(Data("x".utf8))
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
        #expect(CurriculumCompiler.compile(path: path).diagnostics.first?.code == "file.unreadable")
    }

    @Test func aTwentyMegabyteModuleCompiles() throws {
        let question = """
        ### Question NUMBER

        A prompt with *some* text for question NUMBER.

        - ( ) A wrong answer
          > Feedback that explains.
        - (x) The right answer
          > Yes.

        ```check
        b -> 100%
        ```

        """
        var body = "---\nid: big\ntitle: Big\n---\n\n## Quiz\n\n"
        var n = 0
        while body.utf8.count < 20_000_000 {
            body += question.replacingOccurrences(of: "NUMBER", with: String(n))
            n += 1
        }
        let result = CurriculumCompiler.compile(path: try temporaryFile(Data(body.utf8)))
        #expect(result.errorCount == 0)
        #expect(result.curriculum?.modules.first?.questions.count == n)
    }

    @Test func billionLaughsIsBounded() {
        let result = CurriculumCompiler.compile(path: Fixtures.path("diagnostics/billion-laughs.md"))
        #expect(result.errorCount == 1)
    }

    @Test func deepNestingInsideAQuestion() {
        let nested = String(repeating: "> ", count: 5_000) + "quote"
        let result = compileModule("\n## Quiz\n\n### Q\n\n\(nested)\n\n- (x) A\n- ( ) B\n")
        #expect(result.errorCount == 0)
    }

    @Test func garbageMarkdownNeverCrashes() {
        var rng = SeededGenerator(seed: 7)
        let pieces = ["###", "##", "- (x)", "- [ ]", "- ( !)", "1.", "->", "[a](#b)", "```check\n", "```", "> [!TIP]", "\n", " ", "=", "(50%)", "`", "<!--", "-->", "{#", "}"]
        for _ in 0..<300 {
            var text = "---\nid: g\ntitle: G\n---\n"
            for _ in 0..<60 { text += pieces[Int(rng.next() % UInt64(pieces.count))] + (rng.next() % 3 == 0 ? "\n" : " ") }
            _ = CurriculumCompiler.compile(moduleText: text)
        }
    }
}
