/// A run of Markdown blocks from a module: lesson text, a prompt, feedback, an explanation.
///
/// It shares the module's parsed document (no copy) and renders to HTML on demand
/// through cmark's safe renderer.
public struct Content: Sendable, Equatable, Codable {
    let document: MarkdownDocument
    /// Indices of the top-level blocks of this content in the shared document.
    let roots: [Int]

    init(document: MarkdownDocument, roots: [Int]) {
        self.document = document
        self.roots = roots
    }

    /// Empty content.
    public static let empty = Content(document: MarkdownDocument(nodes: []), roots: [])

    /// Whether there are no blocks.
    public var isEmpty: Bool { roots.isEmpty }

    /// The blocks as a standalone Markdown document.
    public var markdown: MarkdownDocument { document.fragment(roots) }

    /// The content cut before each heading and at each thematic break (the break itself
    /// dropped): the parts a group session shows one slide at a time.
    public var slideParts: [Content] {
        var parts: [[Int]] = [[]]
        for root in roots {
            switch document.nodes[root].kind {
            case .thematicBreak: parts.append([])
            case .heading: parts.append([root])
            default: parts[parts.count - 1].append(root)
            }
        }
        return parts.filter { !$0.isEmpty }.map { Content(document: document, roots: $0) }
    }

    /// Safe HTML (raw HTML and unsafe links dropped), rendered by cmark.
    public var html: String { roots.isEmpty ? "" : CommonMark.renderHTML(markdown) }

    /// Plain text, blocks separated by blank lines.
    public var plainText: String {
        roots.map { document.plainText(of: $0) }.joined(separator: "\n\n")
    }

    public static func == (lhs: Content, rhs: Content) -> Bool {
        lhs.markdown == rhs.markdown
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let markdown = try container.decode(String.self, forKey: .markdown)
        let document = CommonMark.parse(markdown)
        self.init(document: document, roots: document.nodes.isEmpty ? [] : document.children(of: 0))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(html, forKey: .html)
        try container.encode(plainText, forKey: .text)
        try container.encode(roots.isEmpty ? "" : CommonMark.renderCommonMark(markdown), forKey: .markdown)
    }

    private enum CodingKeys: String, CodingKey { case html, text, markdown }
}

/// The kinds of callout, written `> [!KIND]`.
public enum CalloutKind: String, Sendable, Codable, CaseIterable {
    case note = "NOTE"
    case tip = "TIP"
    case important = "IMPORTANT"
    case warning = "WARNING"
    case caution = "CAUTION"
    /// Shown only in the facilitator's view.
    case facilitator = "FACILITATOR"
    /// A discussion prompt: a slide in a group, a private reflection when self-paced.
    case discuss = "DISCUSS"

    /// Whether learners working alone see it (everything but facilitator notes).
    public var isVisibleToLearners: Bool { self != .facilitator }

    /// The heading a callout of this kind is shown under.
    public var label: String {
        switch self {
        case .note: return "Note"
        case .tip: return "Tip"
        case .important: return "Important"
        case .warning: return "Warning"
        case .caution: return "Caution"
        case .facilitator: return "Facilitator note"
        case .discuss: return "Think about it"
        }
    }
}

/// A part of a lesson: Markdown text or a callout.
public enum Element: Sendable, Equatable, Codable {
    /// Ordinary Markdown blocks.
    case text(Content)
    /// A callout box.
    case callout(CalloutKind, Content)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .text(content):
            try container.encode("text", forKey: .type)
            try container.encode(content, forKey: .content)
        case let .callout(kind, content):
            try container.encode("callout", forKey: .type)
            try container.encode(kind, forKey: .kind)
            try container.encode(content, forKey: .content)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let content = try container.decode(Content.self, forKey: .content)
        if let kind = try container.decodeIfPresent(CalloutKind.self, forKey: .kind) {
            self = .callout(kind, content)
        } else {
            self = .text(content)
        }
    }

    private enum CodingKeys: String, CodingKey { case type, kind, content }
}
