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
                // Every part of a dotted name is a property somewhere (`setup.secret`).
                for part in tag.split(separator: ".") { names[String(part), default: []].insert(file) }
            }
        }
        return names
    }

    /// The files that declare the pages' view structs.
    static let viewFiles = ["Sources/TrainingServer/PageViews.swift", "Sources/TrainingServer/GroupViews.swift",
                            "Sources/TrainingServer/CoordinatorViews.swift"]

    /// The stored properties the view structs declare (`var name: Type`, `let name: Type` or
    /// `var name = value`; not computed ones, which Mustache can't see).
    static func viewProperties() throws -> Set<String> {
        var names: Set<String> = []
        for file in viewFiles {
            let source = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for line in source.split(separator: "\n") {
                let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 2)
                guard words.count >= 2, words[0] == "var" || words[0] == "let", !line.hasSuffix("{") else { continue }
                if words[1].hasSuffix(":") { names.insert(String(words[1].dropLast())) }
                else if words.count == 3, words[2].hasPrefix("= ") { names.insert(String(words[1])) }
            }
        }
        return names
    }

    @Test func everyNameATemplateUsesIsAPropertyOfAViewStruct() throws {
        let properties = try Self.viewProperties()
        #expect(properties.contains("pollKey") && properties.contains("courseTitle") && properties.contains("spokenCode"),
                "the scan found the view structs")
        for (name, files) in try Self.templateNames() {
            #expect(properties.contains(name), "\(files.sorted().joined(separator: ", ")) use {{\(name)}}, which no view struct declares")
        }
    }

    @Test func everyPropertyOfAViewStructIsShownByATemplate() throws {
        let names = try Self.templateNames()
        let properties = try Self.viewProperties()
        #expect(properties.count > 100)
        for property in properties.sorted() {
            #expect(names[property] != nil, "a view struct declares \(property), which no template shows")
        }
    }

    @Test func pagesAreRenderedFromViewStructsNotDictionaries() throws {
        let folder = Self.root.appendingPathComponent("Sources/TrainingServer")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(!source.contains("[String: Any]"), "\(file) builds a page from a dictionary")
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
