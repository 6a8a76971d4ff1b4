/// A position in a source file: 1-based line, 1-based column counted in UTF-8 bytes.
public struct SourcePosition: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The 1-based line.
    public var line: Int
    /// The 1-based column, in UTF-8 bytes.
    public var column: Int

    /// Creates a position.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A span of source text, start and end inclusive, as cmark reports it.
public struct SourceRange: Hashable, Sendable, Codable {
    /// Where the span starts.
    public var start: SourcePosition
    /// Where the span ends (inclusive).
    public var end: SourcePosition

    /// Creates a range.
    public init(start: SourcePosition, end: SourcePosition) {
        self.start = start
        self.end = end
    }
}

/// One node of a parsed Markdown document.
///
/// Nodes live in ``MarkdownDocument/nodes`` in document order (pre-order). A node's
/// descendants are the nodes after it up to, not including, ``subtreeEnd``, so the
/// tree can be walked without recursion however deeply it nests.
public struct MarkdownNode: Sendable, Equatable {
    /// What kind of node this is.
    public enum Kind: Sendable, Equatable {
        case document
        case blockQuote
        // Payloads of the rarer kinds are boxed (`indirect`), which keeps every node small.
        indirect case list(ordered: Bool, start: Int, tight: Bool, delimiter: Character)
        case item
        indirect case codeBlock(info: String)
        case htmlBlock
        case paragraph
        case heading(level: Int)
        case thematicBreak
        case text
        case softBreak
        case lineBreak
        case code
        case htmlInline
        case emphasis
        case strong
        indirect case link(destination: String, title: String)
        indirect case image(source: String, title: String)
        case other

        /// The kind without its payload.
        var tag: Tag {
            switch self {
            case .document: return .document
            case .blockQuote: return .blockQuote
            case .list: return .list
            case .item: return .item
            case .codeBlock: return .codeBlock
            case .htmlBlock: return .htmlBlock
            case .paragraph: return .paragraph
            case .heading: return .heading
            case .thematicBreak: return .thematicBreak
            case .text: return .text
            case .softBreak: return .softBreak
            case .lineBreak: return .lineBreak
            case .code: return .code
            case .htmlInline: return .htmlInline
            case .emphasis: return .emphasis
            case .strong: return .strong
            case .link: return .link
            case .image: return .image
            case .other: return .other
            }
        }

        /// Whether this kind is a block (as opposed to inline content).
        public var isBlock: Bool {
            switch self {
            case .document, .blockQuote, .list, .item, .codeBlock, .htmlBlock, .paragraph, .heading, .thematicBreak:
                return true
            default:
                return false
            }
        }
    }

    /// A ``Kind`` without its payload, for cheap comparisons.
    enum Tag {
        case document, blockQuote, list, item, codeBlock, htmlBlock, paragraph, heading, thematicBreak
        case text, softBreak, lineBreak, code, htmlInline, emphasis, strong, link, image, other
    }

    /// What kind of node this is.
    public var kind: Kind
    /// Where the node is in its file; `nil` when cmark gives no position (most inline nodes).
    public var range: SourceRange?
    /// Text of a text, code, HTML or code block node; empty otherwise.
    public var literal: String
    /// Index of the parent node, or -1 for the document.
    public var parent: Int
    /// Index one past this node's last descendant.
    public var subtreeEnd: Int
    /// Nesting depth (the document is 0).
    public var depth: Int
}

/// A Markdown document as Swift values: a flat, pre-order array of nodes.
///
/// No C pointer survives parsing, so a document is `Sendable` and can be kept in the
/// compiled curriculum.
public struct MarkdownDocument: Sendable, Equatable {
    /// All nodes in document order; index 0 is the document node.
    public var nodes: [MarkdownNode]

    /// Creates a document from nodes in pre-order.
    public init(nodes: [MarkdownNode]) {
        self.nodes = nodes
    }

    /// Indices of the direct children of the node at `index`, in order.
    public func children(of index: Int) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(childCount(of: index))
        var child = index + 1
        let end = subtreeEnd(of: index)
        while child < end {
            result.append(child)
            child = subtreeEnd(of: child)
        }
        return result
    }

    /// Number of direct children of the node at `index`.
    func childCount(of index: Int) -> Int {
        var count = 0
        var child = index + 1
        let end = subtreeEnd(of: index)
        while child < end {
            count += 1
            child = subtreeEnd(of: child)
        }
        return count
    }

    // MARK: - Reading nodes in place

    /// Reads the node at `index` where it is stored: copying a node out of the array
    /// would retain and release its strings.
    @inline(__always)
    func withNode<R>(_ index: Int, _ read: (borrowing MarkdownNode) -> R) -> R {
        nodes.withUnsafeBufferPointer { buffer in
            precondition(index >= 0 && index < buffer.count, "node index out of range")
            return read(buffer[index])
        }
    }

    /// Index one past the last descendant of the node at `index`.
    @inline(__always) func subtreeEnd(of index: Int) -> Int { withNode(index) { $0.subtreeEnd } }

    /// Index of the parent of the node at `index` (-1 for the document).
    @inline(__always) func parent(of index: Int) -> Int { withNode(index) { $0.parent } }

    /// Where the node at `index` is, if cmark gave it a position.
    @inline(__always) func range(of index: Int) -> SourceRange? { withNode(index) { $0.range } }

    /// The kind of the node at `index`, without its payload.
    @inline(__always) func tag(of index: Int) -> MarkdownNode.Tag { withNode(index) { $0.kind.tag } }

    /// The plain text of the node at `index` and its descendants: text and code
    /// literals, with line breaks as spaces. Raw HTML is left out.
    public func plainText(of index: Int) -> String {
        var out = ""
        var i = index
        let end = nodes[index].subtreeEnd
        while i < end {
            withNode(i) { node in
                switch node.kind {
                case .text, .code:
                    out += node.literal
                case .softBreak, .lineBreak:
                    out += " "
                case .paragraph, .heading, .codeBlock:
                    if i != index && !out.isEmpty && out.last != " " { out += " " }
                    if case .codeBlock = node.kind { out += node.literal }
                default:
                    break
                }
            }
            i += 1
        }
        return out
    }

    /// A document made of the subtrees at `indices` (each with its descendants), under
    /// a new document node: the shape the HTML renderer takes.
    public func fragment(_ indices: [Int]) -> MarkdownDocument {
        var out: [MarkdownNode] = [MarkdownNode(kind: .document, range: nil, literal: "", parent: -1, subtreeEnd: 0, depth: 0)]
        for root in indices {
            let base = out.count
            let offset = root - base
            let depthShift = nodes[root].depth - 1
            for i in root..<nodes[root].subtreeEnd {
                var node = nodes[i]
                node.parent = i == root ? 0 : node.parent - offset
                node.subtreeEnd -= offset
                node.depth -= depthShift
                out.append(node)
            }
        }
        out[0].subtreeEnd = out.count
        return MarkdownDocument(nodes: out)
    }
}
