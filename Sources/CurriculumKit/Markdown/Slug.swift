import Foundation
/// GitHub-style heading slugs: lower case, spaces to `-`, punctuation dropped.
public enum Slug {
    /// The slug of a heading's text.
    public static func make(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.lowercased() {
            if character == " " {
                out.append("-")
            } else if character == "-" || character == "_" || character.isLetter || character.isNumber {
                out.append(character)
            }
        }
        return out
    }

    /// Splits a trailing `{#custom-id}` off a heading: (title, custom id).
    static func splitCustomID(_ heading: String) -> (title: String, id: String?) {
        var text = Substring(heading)
        while text.last == " " { text = text.dropLast() }
        guard text.hasSuffix("}"), let open = text.range(of: "{#", options: .backwards) else {
            return (String(text), nil)
        }
        let id = text[open.upperBound..<text.index(before: text.endIndex)]
        var title = text[..<open.lowerBound]
        while title.last == " " { title = title.dropLast() }
        return (String(title), String(id))
    }

    /// Whether a custom id is made of lower-case letters, digits, `-` and `_`.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }
}
