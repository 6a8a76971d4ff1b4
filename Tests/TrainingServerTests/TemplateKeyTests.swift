import Foundation
import Testing

/// The templates and the routes agree on every value's name: a misspelt key on either side
/// fails here instead of printing nothing.
@Suite struct TemplateKeyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every `{{name}}`, `{{{name}}}`, `{{#name}}` and `{{^name}}` in a template (the first
    /// part of a dotted name; `.`, partials, blocks and functions left out).
    static func templateNames() throws -> [String: Set<String>] {
        let folder = root.appendingPathComponent("Templates")
        var names: [String: Set<String>] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            var rest = text[...]
            while let open = rest.range(of: "{{") {
                rest = rest[open.upperBound...]
                guard let close = rest.range(of: "}}") else { break }
                var tag = rest[..<close.lowerBound].trimmingCharacters(in: CharacterSet(charactersIn: "{} "))
                rest = rest[close.upperBound...]
                if let first = tag.first, "#^".contains(first) { tag.removeFirst() }
                guard let first = tag.first, first.isLetter, !tag.contains("(") else { continue }
                let name = String(tag.split(separator: ".").first ?? "")
                names[name, default: []].insert(file)
            }
        }
        return names
    }

    static func swiftSource() throws -> String {
        let folder = root.appendingPathComponent("Sources/TrainingServer")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
    }

    /// Templates rendered from typed view structs (GroupViews.swift) rather than dictionaries.
    static func isTyped(_ file: String) -> Bool { file.hasPrefix("group-") }

    /// The stored properties the view structs declare (`var name: Type`, `let name: Type` or
    /// `var name = value`; not computed ones, which Mustache can't see).
    static func viewProperties() throws -> Set<String> {
        let source = try String(contentsOf: root.appendingPathComponent("Sources/TrainingServer/GroupViews.swift"), encoding: .utf8)
        var names: Set<String> = []
        for line in source.split(separator: "\n") {
            let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 2)
            guard words.count >= 2, words[0] == "var" || words[0] == "let", !line.hasSuffix("{") else { continue }
            if words[1].hasSuffix(":") { names.insert(String(words[1].dropLast())) }
            else if words.count == 3, words[2].hasPrefix("= ") { names.insert(String(words[1])) }
        }
        return names
    }

    @Test func everyNameATemplateUsesIsGivenByTheServer() throws {
        let source = try Self.swiftSource()
        let properties = try Self.viewProperties()
        #expect(properties.contains("pollKey") && properties.contains("courseTitle"), "the scan found the view structs")
        for (name, files) in try Self.templateNames() {
            let typed = files.filter(Self.isTyped)
            let untyped = files.filter { !Self.isTyped($0) }
            if !typed.isEmpty {
                #expect(properties.contains(name), "\(typed.sorted().joined(separator: ", ")) use {{\(name)}}, which no view struct declares")
            }
            if !untyped.isEmpty {
                #expect(source.contains("\"\(name)\""), "\(untyped.sorted().joined(separator: ", ")) use {{\(name)}}, which no route sets")
            }
        }
    }

    @Test func everyValueAPageSetsIsUsedByATemplate() throws {
        let names = try Self.templateNames()
        let source = try Self.swiftSource()
        var rest = source[...]
        var keys: Set<String> = []
        while let found = rest.range(of: "values[\"") {
            rest = rest[found.upperBound...]
            if let end = rest.firstIndex(of: "\"") { keys.insert(String(rest[..<end])) }
        }
        #expect(keys.count > 20, "the scan found the pages' values")
        for key in keys.sorted() {
            #expect(names[key] != nil, "a route sets values[\"\(key)\"], which no template shows")
        }
    }
}

/// Every callout kind a learner sees has a style of its own in the one stylesheet.
@Suite struct StylesheetTests {
    @Test func everyCalloutKindLooksDifferentAndCarriesItsOwnSymbol() throws {
        let css = try String(contentsOf: TemplateKeyTests.root.appendingPathComponent("Templates/style.css"), encoding: .utf8)
        for kind in ["note", "tip", "important", "warning", "caution", "discuss"] {
            #expect(css.contains(".callout-\(kind) {"), "a border style for \(kind)")
            #expect(css.contains(".callout-\(kind) .callout-label strong::before { content:"), "a symbol for \(kind)")
        }
        #expect(css.contains(".verdict-not-yet {") && css.contains(".verdict-partly"), "partly right and not yet differ")
        #expect(css.contains("header.site button.link { min-height: 44px"), "the sign-out button is 44 px tall")
    }
}
