import Testing
@testable import CurriculumKit

/// The cmark bridge: value tree, positions, safe HTML, deep nesting.
struct MarkdownBridgeTests {
    @Test func convertsTheTreeWithPositions() {
        let doc = CommonMark.parse("# Title\n\nSome *emphasis* here.\n\n- one\n- two\n", lineOffset: 10)
        #expect(doc.nodes[0].kind == .document)
        let blocks = doc.children(of: 0)
        #expect(blocks.count == 3)
        #expect(doc.nodes[blocks[0]].kind == .heading(level: 1))
        #expect(doc.nodes[blocks[1]].range?.start == SourcePosition(line: 13, column: 1))
        #expect(doc.plainText(of: blocks[1]) == "Some emphasis here.")
        #expect(doc.children(of: blocks[2]).count == 2)
    }

    @Test func rendersSafeHTML() {
        let doc = CommonMark.parse("<script>alert(1)</script>\n\n[x](javascript:alert(1)) and <b>bold</b>\n")
        let html = CommonMark.renderHTML(doc)
        #expect(!html.contains("<script>"))
        #expect(!html.contains("javascript:"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("raw HTML omitted"))
    }

    @Test func fragmentsRenderTheSameAsTheirSource() {
        let doc = CommonMark.parse("Intro.\n\n> A *quote*\n\n1. a\n2. b\n")
        let roots = doc.children(of: 0)
        #expect(CommonMark.renderHTML(doc.fragment([roots[1]])) == "<blockquote>\n<p>A <em>quote</em></p>\n</blockquote>\n")
        #expect(CommonMark.renderHTML(doc.fragment(roots)) == CommonMark.renderHTML(markdown: "Intro.\n\n> A *quote*\n\n1. a\n2. b\n"))
    }

    @Test func tenThousandNestedQuotesDoNotOverflowTheStack() {
        let depth = 10_000
        let quotes = String(repeating: ">", count: depth) + " deep\n"
        let doc = CommonMark.parse(quotes)
        #expect(doc.nodes.count >= depth)
        #expect(doc.nodes.map(\.depth).max() ?? 0 >= depth)
        let html = CommonMark.renderHTML(doc)
        #expect(html.contains("deep"))
    }

    @Test func tenThousandNestedListItemsDoNotOverflowTheStack() {
        var text = ""
        for level in 0..<10_000 { text += String(repeating: "  ", count: level) + "- item\n" }
        let result = CurriculumCompiler.compile(moduleText: "---\nid: m\ntitle: M\n---\n\n## Lesson\n\n" + text)
        #expect(result.errorCount == 0)
        #expect(result.curriculum?.modules.first?.sections.first?.elements.isEmpty == false)
    }

    @Test func slugsFollowGitHub() {
        #expect(Slug.make("He opens up") == "he-opens-up")
        #expect(Slug.make("What's next? (Part 2)") == "whats-next-part-2")
        #expect(Slug.splitCustomID("Which response fits? {#weighing}") == ("Which response fits?", "weighing"))
    }
}
