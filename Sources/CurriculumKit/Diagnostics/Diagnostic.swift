/// A problem found in a course, reported like a compiler does: where, what, and how to fix it.
public struct Diagnostic: Sendable, Codable, Equatable, CustomStringConvertible {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Codable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    /// Error or warning.
    public var severity: Severity
    /// The file's path as the author gave it.
    public var path: String
    /// 1-based line in the file (front matter counted).
    public var line: Int
    /// 1-based column, in UTF-8 bytes.
    public var column: Int
    /// One sentence: what is wrong.
    public var message: String
    /// One sentence: how to fix it.
    public var hint: String?
    /// A stable identifier for the kind of problem, for editors and tests (for example `question.no-answer`).
    public var code: String

    /// Creates a diagnostic.
    public init(_ severity: Severity, _ code: String, path: String, at position: SourcePosition,
                _ message: String, hint: String? = nil) {
        self.severity = severity
        self.code = code
        self.path = path
        self.line = max(1, position.line)
        self.column = max(1, position.column)
        self.message = message
        self.hint = hint
    }

    /// `path:line:column: severity: message`.
    public var description: String {
        "\(path):\(line):\(column): \(severity.rawValue): \(message)"
    }

    /// Orders diagnostics by file, then line, then column.
    public static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            let l = a.element, r = b.element
            if l.path != r.path { return l.path < r.path }
            if l.line != r.line { return l.line < r.line }
            if l.column != r.column { return l.column < r.column }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// Collects diagnostics for one file.
struct DiagnosticSink {
    let path: String
    var diagnostics: [Diagnostic] = []

    mutating func error(_ code: String, at position: SourcePosition, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, code, path: path, at: position, message, hint: hint))
    }

    mutating func warning(_ code: String, at position: SourcePosition, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.warning, code, path: path, at: position, message, hint: hint))
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Suggests the closest of `candidates` to `word` (edit distance), for "did you mean" hints.
func closestMatch(to word: String, in candidates: [String]) -> String? {
    let word = Array(word.lowercased())
    var best: (String, Int)?
    for candidate in candidates {
        let c = Array(candidate.lowercased())
        var previous = Array(0...c.count)
        for (i, a) in word.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: c.count)
            for (j, b) in c.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (a == b ? 0 : 1))
            }
            previous = current
        }
        let distance = previous[c.count]
        if distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
    }
    guard let best, best.1 <= max(1, word.count / 3), best.1 < word.count else { return nil }
    return best.0
}
