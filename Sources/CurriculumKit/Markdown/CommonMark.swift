import Ccmark

/// The bridge to libcmark: Markdown text to Swift values, and Swift values to HTML.
///
/// Every cmark object is created and freed inside one function call; no C pointer
/// escapes into a Swift type.
public enum CommonMark {
    /// Parses CommonMark text into a flat node tree.
    ///
    /// - Parameters:
    ///   - text: the Markdown text.
    ///   - lineOffset: added to every line number (for text that followed front matter).
    public static func parse(_ text: String, lineOffset: Int = 0) -> MarkdownDocument {
        var text = text
        return text.withUTF8 { bytes in
            parse(bytes: bytes, lineOffset: lineOffset)
        }
    }

    /// Parses part of a text (such as the body after front matter) in place, without
    /// copying it first; see ``parse(_:lineOffset:)``.
    static func parse(_ text: Substring, lineOffset: Int = 0) -> MarkdownDocument {
        text.utf8.withContiguousStorageIfAvailable { parse(bytes: $0, lineOffset: lineOffset) }
            ?? parse(String(text), lineOffset: lineOffset)
    }

    /// Parses UTF-8 bytes; see ``parse(_:lineOffset:)``.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>, lineOffset: Int = 0) -> MarkdownDocument {
        let root: OpaquePointer? = bytes.baseAddress.map { base in
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                cmark_parse_document($0, bytes.count, CMARK_OPT_DEFAULT)
            }
        } ?? cmark_parse_document("", 0, CMARK_OPT_DEFAULT)
        guard let root else {
            return MarkdownDocument(nodes: [
                MarkdownNode(kind: .document, range: nil, literal: "", parent: -1, subtreeEnd: 1, depth: 0)
            ])
        }
        defer { cmark_node_free(root) }
        guard let iterator = cmark_iter_new(root) else {
            return MarkdownDocument(nodes: [
                MarkdownNode(kind: .document, range: nil, literal: "", parent: -1, subtreeEnd: 1, depth: 0)
            ])
        }
        defer { cmark_iter_free(iterator) }

        var nodes: [MarkdownNode] = []
        nodes.reserveCapacity(max(16, bytes.count / 16))
        var open: [Int] = []
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE || event == CMARK_EVENT_NONE { break }
            guard let node = cmark_iter_get_node(iterator) else { continue }
            if event == CMARK_EVENT_EXIT {
                if let index = open.popLast() {
                    nodes[index].subtreeEnd = nodes.count
                }
                continue
            }
            let type = cmark_node_get_type(node)
            let index = nodes.count
            let isLeaf = isLeafType(type)
            nodes.append(MarkdownNode(
                kind: kind(of: node, type: type),
                range: range(of: node, lineOffset: lineOffset),
                literal: isLeaf ? literal(of: node) : "",
                parent: open.last ?? -1,
                subtreeEnd: index + 1,
                depth: open.count
            ))
            if !isLeaf { open.append(index) }
        }
        if !nodes.isEmpty { nodes[0].subtreeEnd = nodes.count }
        return MarkdownDocument(nodes: nodes)
    }

    /// Renders a document (or a ``MarkdownDocument/fragment(_:)``) to HTML with cmark's
    /// safe renderer: raw HTML is replaced by a comment and unsafe link schemes
    /// (`javascript:`, `vbscript:`, `file:`, most `data:`) are dropped.
    public static func renderHTML(_ document: MarkdownDocument) -> String {
        render(document) { cmark_render_html($0, CMARK_OPT_DEFAULT) }
    }

    /// Renders a document back to CommonMark text (cmark's own renderer, no line wrapping):
    /// parsing the result gives the same HTML.
    public static func renderCommonMark(_ document: MarkdownDocument) -> String {
        render(document) { cmark_render_commonmark($0, CMARK_OPT_DEFAULT, 0) }
    }

    /// Builds a cmark tree from the document, renders it with `renderer`, and frees both.
    private static func render(_ document: MarkdownDocument,
                               _ renderer: (OpaquePointer) -> UnsafeMutablePointer<CChar>?) -> String {
        guard !document.nodes.isEmpty, let root = cmark_node_new(CMARK_NODE_DOCUMENT) else { return "" }
        defer { cmark_node_free(root) }
        var pointers: [OpaquePointer?] = Array(repeating: nil, count: document.nodes.count)
        pointers[0] = root
        for index in 1..<document.nodes.count {
            let node = document.nodes[index]
            guard node.parent >= 0, let parent = pointers[node.parent], let made = makeNode(node) else { continue }
            if cmark_node_append_child(parent, made) == 0 {
                cmark_node_free(made)
                continue
            }
            pointers[index] = made
        }
        guard let rendered = renderer(root) else { return "" }
        defer { free(rendered) }
        return String(cString: rendered)
    }

    /// One line of Markdown (an option, a step) as safe HTML without its enclosing paragraph.
    public static func inlineHTML(markdown: String) -> String {
        var html = renderHTML(markdown: markdown).trimmed
        if html.hasPrefix("<p>") && html.hasSuffix("</p>") {
            html = String(html.dropFirst(3).dropLast(4))
        }
        return html
    }

    /// Renders Markdown text straight to safe HTML (cmark's own parser and renderer).
    public static func renderHTML(markdown: String) -> String {
        var markdown = markdown
        return markdown.withUTF8 { bytes -> String in
            guard let base = bytes.baseAddress else { return "" }
            let html = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                cmark_markdown_to_html($0, bytes.count, CMARK_OPT_DEFAULT)
            }
            guard let html else { return "" }
            defer { free(html) }
            return String(cString: html)
        }
    }

    // MARK: - Conversion helpers

    private static func isLeafType(_ type: cmark_node_type) -> Bool {
        switch type {
        case CMARK_NODE_HTML_BLOCK, CMARK_NODE_THEMATIC_BREAK, CMARK_NODE_CODE_BLOCK, CMARK_NODE_TEXT,
             CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK, CMARK_NODE_CODE, CMARK_NODE_HTML_INLINE:
            return true
        default:
            return false
        }
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }

    private static func literal(of node: OpaquePointer) -> String {
        string(cmark_node_get_literal(node))
    }

    private static func kind(of node: OpaquePointer, type: cmark_node_type) -> MarkdownNode.Kind {
        switch type {
        case CMARK_NODE_DOCUMENT: return .document
        case CMARK_NODE_BLOCK_QUOTE: return .blockQuote
        case CMARK_NODE_LIST:
            let delimiter: Character = cmark_node_get_list_delim(node) == CMARK_PAREN_DELIM ? ")" : "."
            return .list(
                ordered: cmark_node_get_list_type(node) == CMARK_ORDERED_LIST,
                start: Int(cmark_node_get_list_start(node)),
                tight: cmark_node_get_list_tight(node) != 0,
                delimiter: delimiter
            )
        case CMARK_NODE_ITEM: return .item
        case CMARK_NODE_CODE_BLOCK: return .codeBlock(info: string(cmark_node_get_fence_info(node)))
        case CMARK_NODE_HTML_BLOCK: return .htmlBlock
        case CMARK_NODE_PARAGRAPH: return .paragraph
        case CMARK_NODE_HEADING: return .heading(level: Int(cmark_node_get_heading_level(node)))
        case CMARK_NODE_THEMATIC_BREAK: return .thematicBreak
        case CMARK_NODE_TEXT: return .text
        case CMARK_NODE_SOFTBREAK: return .softBreak
        case CMARK_NODE_LINEBREAK: return .lineBreak
        case CMARK_NODE_CODE: return .code
        case CMARK_NODE_HTML_INLINE: return .htmlInline
        case CMARK_NODE_EMPH: return .emphasis
        case CMARK_NODE_STRONG: return .strong
        case CMARK_NODE_LINK:
            return .link(destination: string(cmark_node_get_url(node)), title: string(cmark_node_get_title(node)))
        case CMARK_NODE_IMAGE:
            return .image(source: string(cmark_node_get_url(node)), title: string(cmark_node_get_title(node)))
        default: return .other
        }
    }

    /// cmark reports 0 for "no position"; a list followed by a blank line can end at
    /// column 0 of the next line, which we read as the end of the previous line.
    private static func range(of node: OpaquePointer, lineOffset: Int) -> SourceRange? {
        let startLine = Int(cmark_node_get_start_line(node))
        let startColumn = Int(cmark_node_get_start_column(node))
        guard startLine > 0, startColumn > 0 else { return nil }
        var endLine = Int(cmark_node_get_end_line(node))
        var endColumn = Int(cmark_node_get_end_column(node))
        if endLine <= 0 { endLine = startLine; endColumn = startColumn }
        if endColumn <= 0 {
            endLine = max(startLine, endLine - 1)
            endColumn = Int.max / 2
        }
        return SourceRange(
            start: SourcePosition(line: startLine + lineOffset, column: startColumn),
            end: SourcePosition(line: endLine + lineOffset, column: endColumn)
        )
    }

    private static func makeNode(_ node: MarkdownNode) -> OpaquePointer? {
        let made: OpaquePointer?
        switch node.kind {
        case .document, .other: return nil
        case .blockQuote: made = cmark_node_new(CMARK_NODE_BLOCK_QUOTE)
        case let .list(ordered, start, tight, delimiter):
            made = cmark_node_new(CMARK_NODE_LIST)
            if let made {
                cmark_node_set_list_type(made, ordered ? CMARK_ORDERED_LIST : CMARK_BULLET_LIST)
                if ordered {
                    cmark_node_set_list_start(made, Int32(clamping: start))
                    cmark_node_set_list_delim(made, delimiter == ")" ? CMARK_PAREN_DELIM : CMARK_PERIOD_DELIM)
                }
                cmark_node_set_list_tight(made, tight ? 1 : 0)
            }
        case .item: made = cmark_node_new(CMARK_NODE_ITEM)
        case let .codeBlock(info):
            made = cmark_node_new(CMARK_NODE_CODE_BLOCK)
            if let made, !info.isEmpty { cmark_node_set_fence_info(made, info) }
        case .htmlBlock: made = cmark_node_new(CMARK_NODE_HTML_BLOCK)
        case .paragraph: made = cmark_node_new(CMARK_NODE_PARAGRAPH)
        case let .heading(level):
            made = cmark_node_new(CMARK_NODE_HEADING)
            if let made { cmark_node_set_heading_level(made, Int32(clamping: level)) }
        case .thematicBreak: made = cmark_node_new(CMARK_NODE_THEMATIC_BREAK)
        case .text: made = cmark_node_new(CMARK_NODE_TEXT)
        case .softBreak: made = cmark_node_new(CMARK_NODE_SOFTBREAK)
        case .lineBreak: made = cmark_node_new(CMARK_NODE_LINEBREAK)
        case .code: made = cmark_node_new(CMARK_NODE_CODE)
        case .htmlInline: made = cmark_node_new(CMARK_NODE_HTML_INLINE)
        case .emphasis: made = cmark_node_new(CMARK_NODE_EMPH)
        case .strong: made = cmark_node_new(CMARK_NODE_STRONG)
        case let .link(destination, title):
            made = cmark_node_new(CMARK_NODE_LINK)
            if let made {
                cmark_node_set_url(made, destination)
                cmark_node_set_title(made, title)
            }
        case let .image(source, title):
            made = cmark_node_new(CMARK_NODE_IMAGE)
            if let made {
                cmark_node_set_url(made, source)
                cmark_node_set_title(made, title)
            }
        }
        if let made {
            switch node.kind {
            case .text, .code, .htmlInline, .htmlBlock, .codeBlock:
                cmark_node_set_literal(made, node.literal)
            default: break
            }
        }
        return made
    }
}
