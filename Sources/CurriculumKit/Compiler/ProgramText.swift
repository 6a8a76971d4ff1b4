import Foundation

/// `{{program.KEY}}` placeholders: module text that names the running program's own
/// settings (its name, emergency number, hotlines), filled in from `course.md`'s `program:`
/// block when the course is compiled, so every runner shows the program's values.
enum ProgramText {
    /// One placeholder found in a file.
    struct Placeholder {
        /// The key after `program.`, or the whole inner text when it isn't `program.KEY`.
        var key: String
        /// Whether it is written `program.KEY`.
        var isProgramKey: Bool
        var position: SourcePosition
    }

    /// Every `{{…}}` in the file's text, in order, with where it is. Code (fenced blocks and
    /// code spans), HTML comments and YAML comments are left out: they are never filled in.
    static func placeholders(in file: SourceFile) -> [Placeholder] {
        var found: [Placeholder] = []
        guard file.text.contains("{{") else { return found }
        var fence: Substring?
        var inComment = false
        var inFrontMatter = file.line(1).trimmingTrailingSpaces == "---"
        for number in 1...max(1, file.lineCount) {
            let line = file.line(number)
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if inFrontMatter {
                if number > 1, trimmed.trimmingTrailingSpaces == "---" || trimmed.trimmingTrailingSpaces == "..." { inFrontMatter = false; continue }
                if trimmed.hasPrefix("#") { continue }
            } else if let open = fence {
                if trimmed.hasPrefix(open) { fence = nil }
                continue
            } else if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = trimmed.prefix(3)
                continue
            }
            // Blank out code spans and HTML comments, keeping columns.
            var visible = ""
            var inCode = false
            var index = line.startIndex
            while index < line.endIndex {
                if inComment {
                    if line[index...].hasPrefix("-->") {
                        inComment = false
                        visible += "   "
                        index = line.index(index, offsetBy: 3)
                        continue
                    }
                } else if line[index...].hasPrefix("<!--") {
                    inComment = true
                    visible += "    "
                    index = line.index(index, offsetBy: 4)
                    continue
                } else if line[index] == "`" {
                    inCode.toggle()
                } else if !inCode {
                    visible.append(line[index])
                    index = line.index(after: index)
                    continue
                }
                visible += String(repeating: " ", count: line[index].utf8.count)
                index = line.index(after: index)
            }
            let scanned = Substring(visible)
            var rest = scanned[...]
            while let open = rest.range(of: "{{") {
                guard let close = rest[open.upperBound...].range(of: "}}") else { break }
                let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                let column = scanned.utf8.distance(from: scanned.startIndex, to: open.lowerBound) + 1
                let position = SourcePosition(line: number, column: column)
                if inner.hasPrefix("program.") {
                    found.append(Placeholder(key: String(inner.dropFirst("program.".count)), isProgramKey: true, position: position))
                } else {
                    found.append(Placeholder(key: inner, isProgramKey: false, position: position))
                }
                rest = rest[close.upperBound...]
            }
        }
        return found
    }

    /// Reports placeholders that can't be filled, and returns the `key=value` of those that
    /// can (for the module's content hash: what a learner saw includes the values).
    static func check(_ file: SourceFile, program: [String: String], sink: inout DiagnosticSink) -> [String] {
        var used: Set<String> = []
        for placeholder in placeholders(in: file) {
            guard placeholder.isProgramKey else {
                sink.error("program.placeholder", at: placeholder.position,
                           "{{\(placeholder.key)}} is not a placeholder Groundwork knows",
                           hint: "program settings are written {{program.KEY}}, for example {{program.emergency-number}}; to show braces, put a space between them")
                continue
            }
            if let value = program[placeholder.key] {
                used.insert("\(placeholder.key)=\(value)")
                continue
            }
            let known = program.keys.sorted()
            let guess = closestMatch(to: placeholder.key, in: known)
            let hint: String
            if let guess {
                hint = "did you mean {{program.\(guess)}}?"
            } else {
                hint = "add `\(placeholder.key): …` under `program:` in course.md" + (known.isEmpty ? "" : " (it sets \(known.joined(separator: ", ")))")
            }
            sink.error("program.unknown", at: placeholder.position,
                       "{{program.\(placeholder.key)}} is not set in the program settings", hint: hint)
        }
        return used.sorted()
    }

    /// The text with every known placeholder replaced by its value.
    static func fill(_ text: String, program: [String: String]) -> String {
        guard text.contains("{{") else { return text }
        var out = ""
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            out += rest[..<open.lowerBound]
            let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if inner.hasPrefix("program."), let value = program[String(inner.dropFirst("program.".count))] {
                out += value
            } else {
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
    }

    /// Fills placeholders in the document's text nodes (so prompts, options, feedback and
    /// headings all carry the values; code is left as written).
    static func fill(_ document: inout MarkdownDocument, program: [String: String]) {
        for index in document.nodes.indices where document.nodes[index].kind == .text && document.nodes[index].literal.contains("{{") {
            document.nodes[index].literal = fill(document.nodes[index].literal, program: program)
        }
    }
}
