/// Small, allocation-light string helpers for the compiler's hot paths (Foundation's
/// bridging versions dominate a profile on large courses).
extension StringProtocol {
    @inline(__always) static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r"
    }

    /// The first occurrence of `needle` (byte-wise), as a range of this string's indices.
    func findFirst(_ needle: String) -> Range<Index>? {
        find(needle, last: false)
    }

    /// The last occurrence of `needle` (byte-wise).
    func findLast(_ needle: String) -> Range<Index>? {
        find(needle, last: true)
    }

    /// Whether `needle` occurs (byte-wise).
    func containsText(_ needle: String) -> Bool {
        find(needle, last: false) != nil
    }

    private func find(_ needle: String, last: Bool) -> Range<Index>? {
        let hay = Array(utf8)
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, pattern.count <= hay.count else { return nil }
        var found: Int?
        var i = 0
        let limit = hay.count - pattern.count
        while i <= limit {
            if hay[i] == pattern[0] {
                var k = 1
                while k < pattern.count, hay[i + k] == pattern[k] { k += 1 }
                if k == pattern.count {
                    found = i
                    if !last { break }
                }
            }
            i += 1
        }
        guard let found else { return nil }
        let start = utf8.index(utf8.startIndex, offsetBy: found)
        let end = utf8.index(start, offsetBy: pattern.count)
        return start..<end
    }
}

extension Substring {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmed: String {
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, Substring.isSpaceByte(bytes[start]) { start = bytes.index(after: start) }
        while end > start, Substring.isSpaceByte(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        return String(self[start..<end])
    }

    @inline(__always) static func isSpaceByte(_ b: UInt8) -> Bool {
        b == 32 || b == 9 || b == 10 || b == 13
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmed: String { self[...].trimmed }
}
