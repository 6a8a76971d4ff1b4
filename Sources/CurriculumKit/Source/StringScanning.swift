import Foundation

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
        let found = utf8.withContiguousStorageIfAvailable { hay in
            needle.utf8.withContiguousStorageIfAvailable { pattern in
                ByteSearch.find(pattern, in: hay, last: last)
            }
        }
        let offset: Int?
        if let found, let inner = found {
            offset = inner
        } else {
            offset = ByteSearch.find(Array(needle.utf8), in: Array(utf8), last: last)
        }
        guard let offset else { return nil }
        let start = utf8.index(utf8.startIndex, offsetBy: offset)
        let end = utf8.index(start, offsetBy: needle.utf8.count)
        return start..<end
    }
}

/// Byte-wise substring search over contiguous UTF-8.
enum ByteSearch {
    /// Offset of the first (or last) occurrence of `pattern` in `hay`.
    static func find<P: RandomAccessCollection<UInt8>, H: RandomAccessCollection<UInt8>>(
        _ pattern: P, in hay: H, last: Bool
    ) -> Int? where P.Index == Int, H.Index == Int {
        let n = pattern.count
        guard n > 0, n <= hay.count else { return nil }
        let first = pattern[pattern.startIndex]
        let base = hay.startIndex
        func matches(at i: Int) -> Bool {
            guard hay[base + i] == first else { return false }
            var k = 1
            while k < n, hay[base + i + k] == pattern[pattern.startIndex + k] { k += 1 }
            return k == n
        }
        let limit = hay.count - n
        if last {
            var i = limit
            while i >= 0 {
                if matches(at: i) { return i }
                i -= 1
            }
        } else {
            var i = 0
            while i <= limit {
                if matches(at: i) { return i }
                i += 1
            }
        }
        return nil
    }
}

extension Substring {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmed: String {
        let bounds = utf8.withContiguousStorageIfAvailable { bytes -> (Int, Int) in
            var start = 0, end = bytes.count
            while start < end, Bytes.isSpace(bytes[start]) { start += 1 }
            while end > start, Bytes.isSpace(bytes[end - 1]) { end -= 1 }
            return (start, end)
        }
        if let (start, end) = bounds {
            if start == 0 && end == utf8.count { return String(self) }
            return String(self[utf8.index(startIndex, offsetBy: start)..<utf8.index(startIndex, offsetBy: end)])
        }
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

/// Helpers over a contiguous UTF-8 buffer. Callers get the buffer from `withUTF8` or
/// `withContiguousStorageIfAvailable` and use it only inside that closure.
enum Bytes {
    /// Space, tab, line feed or carriage return.
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool {
        b == 32 || b == 9 || b == 10 || b == 13
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }

    /// Whether `byte` occurs in the buffer.
    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ byte: UInt8) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return memchr(base, Int32(byte), bytes.count) != nil
    }

    /// Whether every byte is ASCII.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                i += 8
            }
        }
        while i < n {
            if bytes[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// The buffer without leading and trailing spaces, tabs and line breaks.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0, end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return slice(bytes, start, end)
    }

    /// `bytes[start..<end]` as a buffer of its own (indices from 0).
    @inline(__always) static func slice(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// The bytes as a string.
    @inline(__always) static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// ASCII bytes as a lower-case string.
    static func lowercasedString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { out in
            for i in 0..<bytes.count { out[i] = lower(bytes[i]) }
            return bytes.count
        }
    }

    /// Whether `bytes` equals the ASCII text `word`, ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for i in 0..<bytes.count where lower(bytes[i]) != w[i] { return false }
        return true
    }

    /// Offset of the last `->` in the buffer.
    static func lastArrow(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = bytes.count - 2
        while i >= 0 {
            if bytes[i] == 45, bytes[i + 1] == 62 { return i }
            i -= 1
        }
        return nil
    }

    /// Calls `body` with each piece of the buffer between bytes for which `isSeparator`
    /// is true, empty pieces left out.
    static func forEachPiece(_ bytes: UnsafeBufferPointer<UInt8>, separatedBy isSeparator: (UInt8) -> Bool,
                             _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        for i in 0..<bytes.count where isSeparator(bytes[i]) {
            if i > start { body(slice(bytes, start, i)) }
            start = i + 1
        }
        if bytes.count > start { body(slice(bytes, start, bytes.count)) }
    }
}
