import Foundation
import Yams

/// Terms to avoid in course text, each with what to say instead (`Curriculum/language.yml`).
public struct LanguageGuide: Sendable, Equatable, Codable {
    /// One term.
    public struct Term: Sendable, Equatable, Codable {
        /// The word or phrase to avoid.
        public var avoid: String
        /// What to say instead.
        public var prefer: String
    }

    /// The terms.
    public var terms: [Term]

    /// Creates a guide.
    public init(terms: [Term]) { self.terms = terms }

    /// The built-in guide, used when a course has no `language.yml` and for a lone module.
    public static let builtIn = LanguageGuide(terms: [
        ("addict", "person who uses drugs"), ("former addict", "person in recovery"), ("junkie", "person who uses drugs"),
        ("crackhead", "person who uses crack cocaine"), ("user", "person who uses drugs"),
        ("drug user", "person who uses drugs"), ("IV drug user", "person who injects drugs"),
        ("substance abuser", "person who uses drugs"), ("abuser", "person who uses drugs"), ("drug abuse", "drug use"),
        ("substance abuse", "substance use"), ("abuse", "use"), ("alcoholic", "person with alcohol use disorder"),
        ("clean", "not currently using; negative (a test); new or sterile (supplies)"),
        ("dirty", "actively using; positive (a test); used (supplies)"), ("relapse", "return to use, or recurrence"),
        ("born addicted", "newborn exposed to substances"),
        ("replacement therapy", "medications for opioid use disorder (MOUD)"),
        ("substitution therapy", "medications for opioid use disorder (MOUD)"),
        ("MAT", "medications for opioid use disorder (MOUD)"), ("needle exchange", "syringe services program (SSP)"),
        ("safe injection site", "overdose prevention center"), ("in denial", "not ready yet"),
        ("noncompliant", "has other priorities"), ("overdose victim", "person who overdosed"),
    ].map { Term(avoid: $0.0, prefer: $0.1) })

    /// Reads `language.yml`: `terms:` with `avoid:` and `prefer:` under each item.
    static func load(_ file: SourceFile, sink: inout DiagnosticSink) -> LanguageGuide? {
        let fake = FrontMatter(yaml: file.text, firstLine: 1, bodyLineOffset: 0, body: "")
        var reader = SettingsReader(file: file, frontMatter: fake, sink: sink)
        defer { sink = reader.sink }
        guard let root = reader.compose(file.text) else {
            if !reader.sink.hasErrors { return LanguageGuide(terms: []) }
            return nil
        }
        guard let top = reader.mapping(root, known: ["terms"], what: "language.yml"),
              let entry = top["terms"] else {
            reader.sink.error("language.no-terms", at: SourcePosition(line: 1, column: 1), "language.yml has no `terms:` list",
                              hint: "write `terms:` and under it items like `- avoid: addict` with `prefer: person who uses drugs`")
            return nil
        }
        guard case let .sequence(items) = entry.value else {
            reader.sink.error("front-matter.type", at: reader.position(entry.value), "`terms` must be a list",
                              hint: "write each term as `- avoid: …` with `prefer: …` on the next line")
            return nil
        }
        var terms: [Term] = []
        for item in items {
            guard let fields = reader.mapping(item, known: ["avoid", "prefer", "why"], what: "a term") else { continue }
            guard let avoid = reader.string(fields["avoid"], "avoid"), let prefer = reader.string(fields["prefer"], "prefer") else {
                if fields["avoid"] == nil || fields["prefer"] == nil {
                    reader.sink.error("language.term", at: reader.position(item), "each term needs both `avoid:` and `prefer:`",
                                      hint: "add the missing line")
                }
                continue
            }
            terms.append(Term(avoid: avoid, prefer: prefer))
        }
        return LanguageGuide(terms: terms)
    }
}

/// Finds avoided terms in a module's text: whole words, case-insensitive, plural `s` included.
struct LanguageCheck {
    private struct Pattern {
        var tokens: [[UInt8]]
        var term: LanguageGuide.Term
        var key: String
    }

    private var byFirstToken: [UInt64: [Pattern]] = [:]

    @inline(__always) static func hash<C: Collection<UInt8>>(_ bytes: C) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(lower(b))) &* 0x100_0000_01b3 }
        return h
    }

    init(guide: LanguageGuide) {
        for term in guide.terms {
            let tokens = Self.tokens(of: term.avoid)
            guard let first = tokens.first else { continue }
            let pattern = Pattern(tokens: tokens, term: term, key: Self.key(tokens))
            byFirstToken[Self.hash(first), default: []].append(pattern)
            if tokens.count == 1 { byFirstToken[Self.hash(first + [UInt8(ascii: "s")]), default: []].append(pattern) }
        }
        for key in byFirstToken.keys { byFirstToken[key]?.sort { $0.tokens.count > $1.tokens.count } }
    }

    static func key(_ tokens: [[UInt8]]) -> String {
        tokens.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    static func tokens(of text: String) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in text.utf8 {
            if isWordByte(byte) {
                current.append(lower(byte))
            } else if !current.isEmpty {
                result.append(current)
                current = []
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 39 || b >= 0x80
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }

    private struct Token {
        var start: Int
        var end: Int
        var line: Int
        var column: Int
        var hash: UInt64
    }

    /// Checks the lines of `file` in `ranges` (each a leaf block), skipping comments, URLs,
    /// link destinations and code spans.
    func check(file: SourceFile, blocks: [SourceRange], allowed: [(lines: ClosedRange<Int>, term: String)],
               sink: inout DiagnosticSink) {
        guard !byFirstToken.isEmpty else { return }
        var text = file.text
        text.withUTF8 { bytes in
            for range in blocks {
                let startLine = range.start.line, endLine = min(range.end.line, file.lineCount)
                guard startLine >= 1, startLine <= endLine else { continue }
                let begin = file.lineStarts[startLine - 1] + max(0, range.start.column - 1)
                let end = endLine < file.lineCount ? file.lineStarts[endLine] : bytes.count
                guard begin < end else { continue }
                var tokens: [Token] = []
                var i = begin
                var line = startLine
                var lineStart = file.lineStarts[startLine - 1]
                while i < end {
                    let b = bytes[i]
                    if b == 10 {
                        line += 1
                        lineStart = i + 1
                        i += 1
                        continue
                    }
                    if b == 60, i + 3 < end, bytes[i + 1] == 33, bytes[i + 2] == 45, bytes[i + 3] == 45 { // <!--
                        i += 4
                        while i < end, !(bytes[i] == 45 && i + 2 < end && bytes[i + 1] == 45 && bytes[i + 2] == 62) {
                            if bytes[i] == 10 { line += 1; lineStart = i + 1 }
                            i += 1
                        }
                        i += 3
                        continue
                    }
                    if b == 93, i + 1 < end, bytes[i + 1] == 40 { // ]( link destination
                        i += 2
                        while i < end, bytes[i] != 41, bytes[i] != 10 { i += 1 }
                        continue
                    }
                    if b == 96 { // `code`
                        var j = i + 1
                        while j < end, bytes[j] != 96, bytes[j] != 10 { j += 1 }
                        if j < end, bytes[j] == 96 { i = j + 1; continue }
                    }
                    if Self.isWordByte(b) {
                        let start = i
                        var h: UInt64 = 0xcbf2_9ce4_8422_2325
                        while i < end, Self.isWordByte(bytes[i]) {
                            h = (h ^ UInt64(Self.lower(bytes[i]))) &* 0x100_0000_01b3
                            i += 1
                        }
                        // URLs: skip to the next space.
                        if i + 2 < end, bytes[i] == 58, bytes[i + 1] == 47, bytes[i + 2] == 47 {
                            while i < end, bytes[i] != 32, bytes[i] != 10, bytes[i] != 41 { i += 1 }
                            continue
                        }
                        tokens.append(Token(start: start, end: i, line: line, column: start - lineStart + 1, hash: h))
                        continue
                    }
                    i += 1
                }
                var t = 0
                while t < tokens.count {
                    guard let candidates = byFirstToken[tokens[t].hash] else { t += 1; continue }
                    var matched: (Pattern, Int)?
                    for pattern in candidates {
                        let n = pattern.tokens.count
                        guard t + n <= tokens.count else { continue }
                        var ok = true
                        for k in 0..<n {
                            let word = Array(bytes[tokens[t + k].start..<tokens[t + k].end]).map(Self.lower)
                            if word != pattern.tokens[k] && !(k == n - 1 && word == pattern.tokens[k] + [UInt8(ascii: "s")]) {
                                ok = false
                                break
                            }
                        }
                        if ok { matched = (pattern, n); break }
                    }
                    guard let (pattern, n) = matched else { t += 1; continue }
                    let hit = tokens[t]
                    let isAllowed = allowed.contains { $0.lines.contains(hit.line) && $0.term == pattern.key }
                    if !isAllowed {
                        sink.warning("language.term", at: SourcePosition(line: hit.line, column: hit.column),
                                     "'\(String(decoding: bytes[hit.start..<tokens[t + n - 1].end], as: UTF8.self).split(whereSeparator: \.isWhitespace).joined(separator: " "))': prefer \(pattern.term.prefer)",
                                     hint: "rephrase with person-first words; to quote someone, put <!-- allow: \(pattern.term.avoid) --> in the same block")
                    }
                    t += n
                }
            }
        }
    }
}

extension LanguageCheck {
    /// Leaf blocks to check and the scopes of `<!-- allow: … -->` comments in a document.
    static func scan(_ document: MarkdownDocument) -> (blocks: [SourceRange], allowed: [(lines: ClosedRange<Int>, term: String)]) {
        var blocks: [SourceRange] = []
        var allowed: [(lines: ClosedRange<Int>, term: String)] = []
        for (index, node) in document.nodes.enumerated() {
            switch node.kind {
            case .paragraph, .heading:
                if let range = node.range { blocks.append(range) }
            case .htmlInline, .htmlBlock:
                guard node.literal.contains("allow:") else { continue }
                let terms = allowTerms(node.literal)
                guard !terms.isEmpty, let scope = allowScope(document, index) else { continue }
                for term in terms { allowed.append((scope, term)) }
            default:
                break
            }
        }
        return (blocks, allowed)
    }

    /// `<!-- allow: junkie, in denial -->` → ["junkie", "in denial"] (normalised).
    static func allowTerms(_ html: String) -> [String] {
        var result: [String] = []
        var rest = Substring(html)
        while let open = rest.range(of: "<!--") {
            guard let close = rest.range(of: "-->", range: open.upperBound..<rest.endIndex) else { break }
            let inner = rest[open.upperBound..<close.lowerBound].trimmed
            if inner.lowercased().hasPrefix("allow:") {
                for part in inner.dropFirst("allow:".count).split(separator: ",") {
                    let tokens = Self.tokens(of: String(part))
                    if !tokens.isEmpty { result.append(key(tokens)) }
                }
            }
            rest = rest[close.upperBound...]
        }
        return result
    }

    /// An allow comment covers its nearest list item or block quote; failing that, its
    /// paragraph or heading; an HTML block alone covers the block after it.
    static func allowScope(_ document: MarkdownDocument, _ index: Int) -> ClosedRange<Int>? {
        var i = document.nodes[index].parent
        var leaf: Int?
        while i > 0 {
            switch document.nodes[i].kind {
            case .item, .blockQuote:
                if let range = document.nodes[i].range { return range.start.line...max(range.start.line, range.end.line) }
            case .paragraph, .heading:
                if leaf == nil { leaf = i }
            default: break
            }
            i = document.nodes[i].parent
        }
        if let leaf, let range = document.nodes[leaf].range { return range.start.line...max(range.start.line, range.end.line) }
        if case .htmlBlock = document.nodes[index].kind, let range = document.nodes[index].range {
            let nextIndex = document.nodes[index].subtreeEnd
            if nextIndex < document.nodes.count, document.nodes[nextIndex].parent == document.nodes[index].parent,
               let next = document.nodes[nextIndex].range {
                return range.start.line...max(range.start.line, next.end.line)
            }
            return range.start.line...max(range.start.line, range.end.line)
        }
        return nil
    }
}
