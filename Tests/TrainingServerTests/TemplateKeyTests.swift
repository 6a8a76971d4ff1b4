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

    @Test func everyNameATemplateUsesIsGivenByTheServer() throws {
        let source = try Self.swiftSource()
        for (name, files) in try Self.templateNames() {
            #expect(source.contains("\"\(name)\""), "\(files.sorted().joined(separator: ", ")) use {{\(name)}}, which no route sets")
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
