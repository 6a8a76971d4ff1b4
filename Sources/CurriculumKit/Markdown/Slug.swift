import Foundation
/// GitHub-style heading slugs: lower case, spaces to `-`, punctuation dropped.
public enum Slug {
    /// The slug of a heading's text.
    public static func make(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var ascii = true
        for byte in text.utf8 where byte >= 0x80 { ascii = false; break }
        if ascii {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            for var b in text.utf8 {
                if b >= 65 && b <= 90 { b += 32 }
                if b == 32 { bytes.append(45) }
                else if (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 45 || b == 95 { bytes.append(b) }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
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
        guard text.hasSuffix("}"), let open = text.findLast("{#") else {
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
