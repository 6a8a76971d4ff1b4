/// Renders course content as text for a terminal: wrapped paragraphs, headings, lists,
/// quotes and callouts, with ANSI styles (bold, italic, dim) when `styled` is on.
///
/// Like the rest of the engine it walks the flat node array without recursion, so deeply
/// nested content renders without exhausting the stack. Raw HTML is left out, as in the
/// HTML renderer's safe mode.
public struct TerminalRenderer: Sendable {
    /// Columns to wrap at.
    public var width: Int
    /// Whether to use ANSI styles.
    public var styled: Bool

    /// Creates a renderer.
    public init(width: Int = 80, styled: Bool = false) {
        self.width = max(20, width)
        self.styled = styled
    }

    /// Who is reading: learners never see facilitator notes.
    public enum Audience: Sendable {
        /// A learner on their own.
        case learner
        /// A facilitator, who sees their notes.
        case facilitator
    }

    /// Renders lesson elements (text and callouts) for `audience`, blocks separated by blank lines.
    public func render(_ elements: [Element], for audience: Audience = .learner) -> String {
        var blocks: [String] = []
        for element in elements {
            switch element {
            case let .text(content):
                let text = render(content.markdown)
                if !text.isEmpty { blocks.append(text) }
            case let .callout(kind, content):
                if kind == .facilitator && audience == .learner { continue }
                let inner = TerminalRenderer(width: width - 2, styled: styled).render(content.markdown)
                var lines = [style("▌ " + kind.label, .bold)]
                lines += inner.split(separator: "\n", omittingEmptySubsequences: false).map { "▌ " + $0 }
                blocks.append(lines.joined(separator: "\n"))
            }
        }
        return blocks.joined(separator: "\n\n")
    }

    /// Renders a Markdown document.
    public func render(_ document: MarkdownDocument) -> String {
        let nodes = document.nodes
        guard !nodes.isEmpty else { return "" }
        var out: [String] = []
        // Open containers (block quotes and list items) with the prefix of their next line.
        var containers: [Container] = []
        var i = 1
        while i < nodes.count {
            while let last = containers.last, i >= last.end { containers.removeLast() }
            let node = nodes[i]
            switch node.kind {
            case .blockQuote:
                containers.append(Container(end: node.subtreeEnd, first: "│ ", rest: "│ "))
                i += 1
            case .list:
                i += 1
            case .item:
                let marker = itemMarker(document, index: i)
                containers.append(Container(end: node.subtreeEnd, first: marker,
                                            rest: String(repeating: " ", count: marker.count)))
                i += 1
            case .paragraph, .heading, .codeBlock, .thematicBreak:
                if !out.isEmpty && !isTightItemBlock(document, index: i) {
                    out.append(trailingTrimmed(prefix(containers, first: false)))
                }
                let lines = leafLines(document, index: i, width: max(10, width - prefixWidth(containers)))
                for line in lines {
                    out.append(prefix(containers, first: true) + line)
                    markUsed(&containers)
                }
                i = node.subtreeEnd
            default:
                i = node.subtreeEnd  // raw HTML and anything unknown: left out
            }
        }
        return out.joined(separator: "\n")
    }

    private struct Container {
        var end: Int
        var first: String
        var rest: String
        var used = false
    }

    private func prefix(_ containers: [Container], first: Bool) -> String {
        var text = ""
        for container in containers {
            let piece = (first && !container.used) ? container.first : container.rest
            if text.count + piece.count > width / 2 { break }  // very deep nesting: stop indenting
            text += piece
        }
        return text
    }

    private func prefixWidth(_ containers: [Container]) -> Int { prefix(containers, first: false).count }

    private func markUsed(_ containers: inout [Container]) {
        for index in containers.indices { containers[index].used = true }
    }

    private func trailingTrimmed(_ text: String) -> String {
        var text = text
        while text.last == " " { text.removeLast() }
        return text
    }

    private func itemMarker(_ document: MarkdownDocument, index: Int) -> String {
        let parent = document.nodes[index].parent
        guard parent >= 0, case let .list(ordered, start, _, _) = document.nodes[parent].kind else { return "• " }
        guard ordered else { return "• " }
        let position = document.children(of: parent).firstIndex(of: index) ?? 0
        return "\(start + position). "
    }

    private func isTightItemBlock(_ document: MarkdownDocument, index: Int) -> Bool {
        let parent = document.nodes[index].parent
        guard parent >= 0, case .item = document.nodes[parent].kind else { return false }
        let list = document.nodes[parent].parent
        guard list >= 0, case let .list(_, _, tight, _) = document.nodes[list].kind else { return false }
        return tight
    }

    // MARK: Leaf blocks

    private func leafLines(_ document: MarkdownDocument, index: Int, width: Int) -> [String] {
        let node = document.nodes[index]
        switch node.kind {
        case .thematicBreak:
            return [String(repeating: "─", count: min(width, 40))]
        case .codeBlock:
            var literal = node.literal
            if literal.hasSuffix("\n") { literal.removeLast() }
            return literal.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + style(String($0), .dim) }
        case let .heading(level):
            let words = inlineWords(document, index: index)
            let lines = wrap(words, width: width)
            return lines.map { style($0, level <= 2 ? .boldUnderline : .bold) }
        default:
            return wrap(inlineWords(document, index: index), width: width)
        }
    }

    /// A word with its visible width; styled words carry their escape codes.
    private struct Word {
        var text: String
        var visible: Int
        var breakBefore = false
    }

    private enum Style { case bold, italic, dim, boldUnderline, code }

    private func codes(_ style: Style) -> String {
        switch style {
        case .bold: return "\u{1B}[1m"
        case .italic: return "\u{1B}[3m"
        case .dim, .code: return "\u{1B}[2m"
        case .boldUnderline: return "\u{1B}[1;4m"
        }
    }

    private func style(_ text: String, _ style: Style) -> String {
        styled && !text.isEmpty ? codes(style) + text + "\u{1B}[0m" : text
    }

    /// The inline content of a leaf block as words, styles applied word by word.
    private func inlineWords(_ document: MarkdownDocument, index: Int) -> [Word] {
        let nodes = document.nodes
        var words: [Word] = []
        var current = ""
        var currentVisible = 0
        var pendingBreak = false
        var styles: [(end: Int, style: Style)] = []

        func activeCodes() -> String { styles.map { codes($0.style) }.joined() }
        func flush() {
            if currentVisible > 0 {
                words.append(Word(text: current + (styled && !styles.isEmpty ? "\u{1B}[0m" : ""), visible: currentVisible,
                                  breakBefore: pendingBreak))
                pendingBreak = false
            }
            current = styled ? activeCodes() : ""
            currentVisible = 0
        }
        func add(_ text: String) {
            for character in text {
                if character == " " || character == "\n" || character == "\t" {
                    flush()
                } else {
                    if currentVisible == 0 && styled { current = activeCodes() }
                    current.append(character)
                    currentVisible += 1
                }
            }
        }
        var i = index + 1
        let end = nodes[index].subtreeEnd
        while i < end {
            while let last = styles.last, i >= last.end {
                styles.removeLast()
                if styled && currentVisible > 0 { current += "\u{1B}[0m" + activeCodes() }
            }
            let node = nodes[i]
            switch node.kind {
            case .text:
                add(node.literal)
            case .code:
                if styled && currentVisible > 0 { current += codes(.code) }
                styles.append((i + 1, .code))
                add(node.literal)
                styles.removeLast()
                if styled { current += "\u{1B}[0m" + activeCodes() }
            case .softBreak:
                flush()
            case .lineBreak:
                flush()
                pendingBreak = true
            case .emphasis:
                styles.append((node.subtreeEnd, .italic))
                if styled && currentVisible > 0 { current += codes(.italic) }
            case .strong:
                styles.append((node.subtreeEnd, .bold))
                if styled && currentVisible > 0 { current += codes(.bold) }
            case let .link(destination, _):
                let label = document.plainText(of: i)
                add(label)
                if !destination.isEmpty && destination != label && !destination.hasPrefix("#") {
                    add(" (\(destination))")
                }
                i = node.subtreeEnd
                continue
            case .image:
                let alt = document.plainText(of: i)
                add("[image: \(alt.isEmpty ? "no description" : alt)]")
                i = node.subtreeEnd
                continue
            default:
                break  // inline HTML is left out
            }
            i += 1
        }
        flush()
        return words
    }

    private func wrap(_ words: [Word], width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        var visible = 0
        for word in words {
            if word.breakBefore || (visible > 0 && visible + 1 + word.visible > width) {
                lines.append(line)
                line = ""
                visible = 0
            }
            if visible > 0 {
                line += " "
                visible += 1
            }
            line += word.text
            visible += word.visible
        }
        if visible > 0 || lines.isEmpty { lines.append(line) }
        return lines
    }
}
