import Foundation
import Yams

/// The `---` delimited YAML at the top of a Markdown file.
struct FrontMatter {
    /// The YAML text (without the `---` lines).
    var yaml: String
    /// File line of the YAML's first line.
    var firstLine: Int
    /// Lines before the Markdown body (front matter and its delimiters).
    var bodyLineOffset: Int
    /// The Markdown body.
    var body: Substring

    /// Splits a file into front matter and body. A file that doesn't start with `---`
    /// has no front matter (`yaml` empty, body the whole file).
    static func split(_ file: SourceFile, sink: inout DiagnosticSink) -> FrontMatter? {
        guard file.lineCount > 0, file.line(1).trimmingTrailingSpaces == "---" else {
            return nil
        }
        var closing: Int?
        var number = 2
        while number <= file.lineCount {
            let line = file.line(number).trimmingTrailingSpaces
            if line == "---" || line == "..." { closing = number; break }
            number += 1
        }
        guard let closing else {
            sink.error("front-matter.unclosed", at: SourcePosition(line: 1, column: 1),
                       "the front matter starts with --- but has no closing --- line",
                       hint: "add a line with just --- after the last setting")
            return nil
        }
        let yaml = closing > 2 ? String(file.lines(2, through: closing - 1)) : ""
        let body = closing < file.lineCount ? file.lines(closing + 1, through: file.lineCount) : ""
        return FrontMatter(yaml: yaml, firstLine: 2, bodyLineOffset: closing, body: body)
    }
}

extension Substring {
    var trimmingTrailingSpaces: Substring {
        var s = self
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return s
    }
}

/// Reads typed settings out of a YAML node tree, reporting every problem at its position.
struct SettingsReader {
    let file: SourceFile
    let lineOffset: Int
    var sink: DiagnosticSink

    init(file: SourceFile, frontMatter: FrontMatter, sink: DiagnosticSink) {
        self.file = file
        self.lineOffset = frontMatter.firstLine - 1
        self.sink = sink
    }

    /// Parses the YAML; reports syntax errors.
    mutating func compose(_ yaml: String) -> Node? {
        do {
            return try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            switch error {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
                 let .composer(context, problem, mark, _):
                // At the end of the input (an unclosed bracket or quote), point at where the
                // unfinished thing began, which Yams gives as the context.
                let yamlLines = yaml.split(separator: "\n", omittingEmptySubsequences: false).count
                let atEnd = mark.line > yamlLines || (mark.line == yamlLines && yaml.hasSuffix("\n"))
                let at = atEnd ? (context?.mark ?? mark) : mark
                sink.error("front-matter.yaml", at: position(at), "the front matter is not valid YAML: \(problem)",
                           hint: "write each setting as `key: value`; quote values that contain a colon or start with a special character")
            case let .duplicatedKeysInMapping(duplicates, context):
                sink.error("front-matter.duplicate-key", at: repeatPosition(of: duplicates.first ?? "", after: position(context.mark)),
                           "the setting \(duplicates.joined(separator: ", ")) is given more than once",
                           hint: "keep one line for each setting")
            case let .reader(problem, offset, _, _):
                sink.error("front-matter.yaml", at: position(characterOffset: offset, in: yaml),
                           "the front matter can't be read as YAML: \(problem)",
                           hint: "remove control characters and other invisible characters from this line")
            default:
                sink.error("front-matter.yaml", at: SourcePosition(line: lineOffset + 1, column: 1),
                           "the front matter is not valid YAML: \(error)",
                           hint: "write each setting as `key: value`")
            }
        } catch {
            sink.error("front-matter.yaml", at: SourcePosition(line: lineOffset + 1, column: 1),
                       "the front matter could not be read: \(error)", hint: "write each setting as `key: value`")
        }
        return nil
    }

    /// File position of a YAML mark (Yams counts columns in Unicode scalars; we report UTF-8 bytes).
    func position(_ mark: Mark?) -> SourcePosition {
        guard let mark else { return SourcePosition(line: lineOffset + 1, column: 1) }
        let line = mark.line + lineOffset
        let text = file.line(line)
        let scalars = text.unicodeScalars
        let index = scalars.index(scalars.startIndex, offsetBy: max(0, mark.column - 1), limitedBy: scalars.endIndex) ?? scalars.endIndex
        let bytes = text.utf8.distance(from: text.utf8.startIndex, to: index)
        return SourcePosition(line: line, column: bytes + 1)
    }

    func position(_ node: Node) -> SourcePosition { position(node.mark) }

    /// File position of a character offset into the YAML text (Yams gives reader errors so).
    func position(characterOffset offset: Int?, in yaml: String) -> SourcePosition {
        guard let offset, let index = yaml.index(yaml.startIndex, offsetBy: offset, limitedBy: yaml.endIndex) else {
            return SourcePosition(line: lineOffset + 1, column: 1)
        }
        let before = yaml[..<index]
        let line = before.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
        let lineStart = before.lastIndex(of: "\n").map { yaml.index(after: $0) } ?? yaml.startIndex
        return SourcePosition(line: lineOffset + 1 + line, column: yaml.utf8.distance(from: lineStart, to: index) + 1)
    }

    /// Where a setting is given the second time: the line after `first` that starts, at the
    /// same indentation, with `key:`. Falls back to `first`.
    func repeatPosition(of key: String, after first: SourcePosition) -> SourcePosition {
        guard !key.isEmpty, first.line < file.lineCount else { return first }
        let indent = String(repeating: " ", count: max(0, first.column - 1))
        for line in (first.line + 1)...file.lineCount {
            let text = file.line(line)
            if text == "---" { break }
            if text.hasPrefix(indent + key), text.dropFirst(indent.count + key.count).drop(while: { $0 == " " }).hasPrefix(":") {
                return SourcePosition(line: line, column: first.column)
            }
        }
        return first
    }

    /// A mapping's entries by key, warning on unknown keys with the closest known one.
    /// A mapping whose keys are the author's own (such as `program:`): every key is kept.
    mutating func openMapping(_ node: Node, what: String) -> [(name: String, key: Node, value: Node)]? {
        guard case let .mapping(mapping) = node else {
            sink.error("front-matter.type", at: position(node), "\(what) must be a list of `key: value` settings",
                       hint: "write one setting a line, like `name: Riverside Outreach`")
            return nil
        }
        var result: [(name: String, key: Node, value: Node)] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                sink.error("front-matter.type", at: position(key), "a setting name must be plain text",
                           hint: "write settings as `name: value`")
                continue
            }
            result.append((name, key, value))
        }
        return result
    }

    mutating func mapping(_ node: Node, known: [String], what: String) -> [String: (key: Node, value: Node)]? {
        guard case let .mapping(mapping) = node else {
            sink.error("front-matter.type", at: position(node), "\(what) must be a list of `key: value` settings",
                       hint: "write one setting a line, like `title: Stages of Change`")
            return nil
        }
        var result: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard let name = key.string else {
                sink.error("front-matter.type", at: position(key), "a setting name must be plain text",
                           hint: "write settings as `name: value`")
                continue
            }
            if known.contains(name) {
                result[name] = (key, value)
            } else if let guess = closestMatch(to: name, in: known) {
                sink.warning("front-matter.unknown-key", at: position(key),
                             "unknown setting '\(name)': did you mean \(guess)?",
                             hint: "rename it to '\(guess)', or remove it; known settings: \(known.joined(separator: ", "))")
            } else {
                sink.warning("front-matter.unknown-key", at: position(key), "unknown setting '\(name)' in \(what)",
                             hint: "remove it; known settings: \(known.joined(separator: ", "))")
            }
        }
        return result
    }

    mutating func string(_ entry: (key: Node, value: Node)?, _ name: String) -> String? {
        guard let entry else { return nil }
        guard case let .scalar(scalar) = entry.value, !scalar.string.isEmpty else {
            sink.error("front-matter.type", at: position(entry.value), "'\(name)' must be text",
                       hint: "write it as `\(name): some text`")
            return nil
        }
        return scalar.string
    }

    mutating func int(_ entry: (key: Node, value: Node)?, _ name: String, range: ClosedRange<Int>) -> Int? {
        guard let entry else { return nil }
        guard case .scalar = entry.value, let value = entry.value.int else {
            sink.error("front-matter.type", at: position(entry.value), "'\(name)' must be a whole number",
                       hint: "write it as `\(name): \(range.lowerBound == 0 ? 1 : range.lowerBound)`")
            return nil
        }
        guard range.contains(value) else {
            sink.error("front-matter.range", at: position(entry.value),
                       "'\(name)' is \(value), outside \(range.lowerBound)–\(range.upperBound)",
                       hint: "use a number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func bool(_ entry: (key: Node, value: Node)?, _ name: String) -> Bool? {
        guard let entry else { return nil }
        guard case .scalar = entry.value, let value = entry.value.bool else {
            sink.error("front-matter.type", at: position(entry.value), "'\(name)' must be true or false",
                       hint: "write `\(name): true` or `\(name): false`")
            return nil
        }
        return value
    }

    /// `80%`, `80` or `0.8` → 80.
    mutating func percent(_ entry: (key: Node, value: Node)?, _ name: String) -> Int? {
        guard let entry else { return nil }
        if case let .scalar(scalar) = entry.value {
            var text = Substring(scalar.string.trimmed)
            let hadSign = text.hasSuffix("%")
            if hadSign { text = text.dropLast() }
            if let whole = Int(text.trimmed), (0...100).contains(whole) {
                if !hadSign && whole == 1 {
                    sink.warning("front-matter.ambiguous-percent", at: position(entry.value),
                                 "'\(name): 1' is read as 1%; if you meant all of it, that is 100%",
                                 hint: "write the percent sign: `\(name): 100%` or `\(name): 1%`")
                }
                return whole
            }
            if !hadSign, let fraction = Double(text), fraction > 0, fraction < 1 {
                return Int((fraction * 100).rounded())
            }
        }
        sink.error("front-matter.type", at: position(entry.value), "'\(name)' must be a whole percent from 0% to 100%",
                   hint: "write it as `\(name): 80%`")
        return nil
    }

    mutating func stringList(_ entry: (key: Node, value: Node)?, _ name: String) -> [(String, SourcePosition)]? {
        guard let entry else { return nil }
        guard case let .sequence(sequence) = entry.value else {
            sink.error("front-matter.type", at: position(entry.value), "'\(name)' must be a list",
                       hint: "write it as `\(name): [first, second]` or one `- item` a line")
            return nil
        }
        var result: [(String, SourcePosition)] = []
        for item in sequence {
            guard case let .scalar(scalar) = item, !scalar.string.isEmpty else {
                sink.error("front-matter.type", at: position(item), "each item of '\(name)' must be text",
                           hint: "write one `- item` a line")
                return nil
            }
            result.append((scalar.string, position(item)))
        }
        return result
    }

    /// `24 months`, `2 years`, `90 days`.
    mutating func validity(_ entry: (key: Node, value: Node)?, _ name: String) -> Validity? {
        guard let entry else { return nil }
        if case let .scalar(scalar) = entry.value {
            let parts = scalar.string.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2, let count = Int(parts[0]), count > 0 {
                var unit = parts[1].lowercased()
                if !unit.hasSuffix("s") { unit += "s" }
                if let unit = Validity.Unit(rawValue: unit) {
                    return Validity(count: count, unit: unit)
                }
            }
        }
        sink.error("front-matter.type", at: position(entry.value), "'\(name)' must be a length of time such as `24 months`",
                   hint: "write a number and one of days, weeks, months or years")
        return nil
    }
}
