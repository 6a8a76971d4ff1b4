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

    /// Patterns grouped by the hash of their first token (a single-word term also under
    /// its plural), longest first within a group.
    private var groups: [[Pattern]] = []
    /// Open-addressing table from a first-token hash to its group: one probe for most words.
    private var slotHashes: [UInt64] = []
    private var slotGroups: [Int] = []

    @inline(__always) static func hash<C: Collection<UInt8>>(_ bytes: C) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(lower(b))) &* 0x100_0000_01b3 }
        return h
    }

    init(guide: LanguageGuide) {
        var byFirstToken: [UInt64: [Pattern]] = [:]
        for term in guide.terms {
            let tokens = Self.tokens(of: term.avoid)
            guard let first = tokens.first else { continue }
            let pattern = Pattern(tokens: tokens, term: term, key: Self.key(tokens))
            byFirstToken[Self.hash(first), default: []].append(pattern)
            if tokens.count == 1 { byFirstToken[Self.hash(first + [UInt8(ascii: "s")]), default: []].append(pattern) }
        }
        for key in byFirstToken.keys { byFirstToken[key]?.sort { $0.tokens.count > $1.tokens.count } }
        guard !byFirstToken.isEmpty else { return }
        var size = 16
        while size < byFirstToken.count * 4 { size *= 2 }
        slotHashes = Array(repeating: 0, count: size)
        slotGroups = Array(repeating: -1, count: size)
        for (hash, patterns) in byFirstToken {
            var slot = Int(truncatingIfNeeded: hash) & (size - 1)
            while slotGroups[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            slotHashes[slot] = hash
            slotGroups[slot] = groups.count
            groups.append(patterns)
        }
    }

    /// The group of patterns whose first token has this hash.
    @inline(__always) private func group(_ hash: UInt64) -> Int? {
        let mask = slotGroups.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let group = slotGroups[slot]
            if group < 0 { return nil }
            if slotHashes[slot] == hash { return group }
            slot = (slot + 1) & mask
        }
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
        guard !groups.isEmpty else { return }
        var text = file.text
        var tokens: [Token] = []
        text.withUTF8 { bytes in
            for range in blocks {
                let startLine = range.start.line, endLine = min(range.end.line, file.lineCount)
                guard startLine >= 1, startLine <= endLine else { continue }
                let begin = file.lineStarts[startLine - 1] + max(0, range.start.column - 1)
                let end = endLine < file.lineCount ? file.lineStarts[endLine] : bytes.count
                guard begin < end else { continue }
                tokens.removeAll(keepingCapacity: true)
                Self.tokenize(bytes, from: begin, to: end, line: startLine, lineStart: file.lineStarts[startLine - 1], into: &tokens)
                var t = 0
                while t < tokens.count {
                    guard let group = group(tokens[t].hash),
                          let pattern = groups[group].first(where: { Self.matches($0, at: t, tokens, bytes) }) else {
                        t += 1
                        continue
                    }
                    let n = pattern.tokens.count
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

    /// The words of `bytes[begin..<end]`, with their lines and columns and hashes, leaving out
    /// comments, link destinations, code spans and URLs.
    private static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, from begin: Int, to end: Int, line startLine: Int,
                                 lineStart firstLineStart: Int, into tokens: inout [Token]) {
        byteClasses.withUnsafeBufferPointer { classes in
            var i = begin
            var line = startLine
            var lineStart = firstLineStart
            while i < end {
                let b = bytes[i]
                let kind = classes[Int(b)]
                if kind == wordClass {
                    let start = i
                    var h: UInt64 = 0xcbf2_9ce4_8422_2325
                    while i < end, classes[Int(bytes[i])] == wordClass {
                        h = (h ^ UInt64(lower(bytes[i]))) &* 0x100_0000_01b3
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
                if kind == markupClass {
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
                }
                i += 1
            }
        }
    }

    private static let wordClass: UInt8 = 1, markupClass: UInt8 = 2

    /// Word bytes, and the bytes that may start markup the scan skips (line feed, `<`, `]`, `` ` ``).
    private static let byteClasses: [UInt8] = (0...255).map { (b: Int) -> UInt8 in
        if isWordByte(UInt8(b)) { return wordClass }
        return b == 10 || b == 60 || b == 93 || b == 96 ? markupClass : 0
    }

    /// Whether the tokens from `t` spell `pattern` (case-insensitive; its last word may
    /// take a plural `s`).
    private static func matches(_ pattern: Pattern, at t: Int, _ tokens: [Token], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = pattern.tokens.count
        guard t + n <= tokens.count else { return false }
        for k in 0..<n {
            let token = tokens[t + k], word = pattern.tokens[k]
            let length = token.end - token.start
            let plural = k == n - 1 && length == word.count + 1 && lower(bytes[token.end - 1]) == UInt8(ascii: "s")
            guard length == word.count || plural else { return false }
            for j in 0..<word.count where lower(bytes[token.start + j]) != word[j] { return false }
        }
        return true
    }
}

extension LanguageCheck {
    /// Leaf blocks to check and the scopes of `<!-- allow: … -->` comments in a document.
    static func scan(_ document: MarkdownDocument) -> (blocks: [SourceRange], allowed: [(lines: ClosedRange<Int>, term: String)]) {
        var blocks: [SourceRange] = []
        var allowed: [(lines: ClosedRange<Int>, term: String)] = []
        for index in document.nodes.indices {
            switch document.tag(of: index) {
            case .paragraph, .heading:
                if let range = document.range(of: index) { blocks.append(range) }
            case .htmlInline, .htmlBlock:
                let literal = document.nodes[index].literal
                guard literal.contains("allow:") else { continue }
                let terms = allowTerms(literal)
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
