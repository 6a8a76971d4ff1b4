import Foundation
/// GitHub-style heading slugs: lower case, spaces to `-`, punctuation dropped.
public enum Slug {
    /// The slug of a heading's text.
    public static func make(_ text: String) -> String {
        var text = text
        if let slug = text.withUTF8({ Bytes.isASCII($0) ? asciiSlug($0) : nil }) { return slug }
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

    /// ``make(_:)`` for ASCII text, on its bytes.
    private static func asciiSlug(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { out in
            var count = 0
            for byte in bytes {
                let b = Bytes.lower(byte)
                if b == 32 {
                    out[count] = 45
                    count += 1
                } else if (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 45 || b == 95 {
                    out[count] = b
                    count += 1
                }
            }
            return count
        }
    }

    /// Splits a trailing `{#custom-id}` off a heading: (title, custom id).
    static func splitCustomID(_ heading: String) -> (title: String, id: String?) {
        // Text that ends in neither a space nor `}` has no id and nothing to trim.
        if let last = heading.utf8.last, last != 32, last != UInt8(ascii: "}") { return (heading, nil) }
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
