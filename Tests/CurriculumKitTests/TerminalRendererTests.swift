import Testing
@testable import CurriculumKit

/// Course content rendered for a terminal: structure kept, facilitator notes hidden, no markup leaks.
struct TerminalRendererTests {
    func render(_ markdown: String, width: Int = 80, styled: Bool = false) -> String {
        TerminalRenderer(width: width, styled: styled).render(CommonMark.parse(markdown))
    }

    @Test func paragraphsWrapAtTheWidth() {
        let text = render(String(repeating: "word ", count: 40), width: 30)
        let lines = text.split(separator: "\n")
        #expect(lines.count > 5)
        #expect(lines.allSatisfy { $0.count <= 30 })
    }

    @Test func listsQuotesAndHeadingsKeepTheirShape() {
        let text = render("""
        # Title

        - one
        - two
          1. nested

        > quoted *text*

        Some `code` and a [link](https://example.org).

        ---
        """)
        #expect(text.contains("Title"))
        #expect(text.contains("• one\n• two\n  1. nested"))
        #expect(text.contains("│ quoted text"))
        #expect(text.contains("Some code and a link (https://example.org)."))
        #expect(text.contains("────"))
        #expect(!text.contains("*") && !text.contains("`") && !text.contains("#"))
    }

    @Test func rawHTMLIsLeftOut() {
        let text = render("<script>alert(1)</script>\n\nHello <b>there</b>.")
        #expect(!text.contains("script") && !text.contains("<b>"))
        #expect(text.contains("Hello there."))
    }

    @Test func stylesOnlyWhenAsked() {
        #expect(!render("**bold** and *it*").contains("\u{1B}["))
        let styled = render("**bold** and *it*", styled: true)
        #expect(styled.contains("\u{1B}[1mbold\u{1B}[0m"))
        #expect(styled.contains("\u{1B}[3mit\u{1B}[0m"))
    }

    @Test func calloutsAreLabelledAndFacilitatorNotesHidden() throws {
        let result = CurriculumCompiler.compile(moduleText: """
        ---
        id: m
        title: M
        ---

        ## Page

        > [!TIP]
        > Carry naloxone.

        > [!FACILITATOR]
        > Only for the facilitator.

        > [!DISCUSS]
        > What would you do?
        """)
        let section = try #require(result.curriculum?.modules.first?.sections.first)
        let renderer = TerminalRenderer()
        let learner = renderer.render(section.elements)
        #expect(learner.contains("▌ Tip\n▌ Carry naloxone."))
        #expect(learner.contains("▌ Think about it"))
        #expect(!learner.contains("Only for the facilitator"))
        #expect(renderer.render(section.elements, for: .facilitator).contains("Only for the facilitator"))
    }

    @Test func deepNestingRendersWithoutExhaustingTheStack() {
        let quotes = render(String(repeating: ">", count: 10_000) + " deep")
        #expect(quotes.contains("deep"))
        let items = render(String(repeating: "- ", count: 10_000) + "item")
        #expect(items.contains("item"))
    }
}
