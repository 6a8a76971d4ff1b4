import Foundation

/// A file's text with a line index, for positions and slices.
public struct SourceFile: Sendable {
    /// The path as given (used in diagnostics).
    public let path: String
    /// The file's text (invalid UTF-8 repaired with U+FFFD).
    public let text: String
    /// Byte offset where each line starts.
    let lineStarts: [Int]

    /// Creates a source file from text.
    public init(path: String, text: String) {
        self.path = path
        var text = text
        var starts = [0]
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            starts.reserveCapacity(bytes.count / 40 + 1)
            var offset = 0
            while offset < bytes.count, let found = memchr(base + offset, 10, bytes.count - offset) {
                offset = UnsafeRawPointer(found) - UnsafeRawPointer(base) + 1
                starts.append(offset)
            }
        }
        self.text = text
        self.lineStarts = starts
    }

    /// Number of lines.
    public var lineCount: Int { lineStarts.count }

    /// The text of a 1-based line, without its line ending.
    public func line(_ number: Int) -> Substring {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: lineStarts[number - 1])
        var end = number < lineStarts.count
            ? utf8.index(utf8.startIndex, offsetBy: lineStarts[number] - 1)
            : utf8.endIndex
        if end > start, utf8[utf8.index(before: end)] == UInt8(ascii: "\r") { end = utf8.index(before: end) }
        return text[start..<end]
    }

    /// The text from the start of line `from` to the end of line `to` (1-based, inclusive).
    public func lines(_ from: Int, through to: Int) -> Substring {
        guard from >= 1, from <= lineStarts.count, to >= from else { return "" }
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: lineStarts[from - 1])
        let end = to < lineStarts.count ? utf8.index(utf8.startIndex, offsetBy: lineStarts[to]) : utf8.endIndex
        return text[start..<end]
    }

    /// The 1-based line containing a UTF-8 byte offset.
    func lineNumber(ofByte offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    /// The position of a UTF-8 byte offset.
    func position(ofByte offset: Int) -> SourcePosition {
        let line = lineNumber(ofByte: offset)
        return SourcePosition(line: line, column: offset - lineStarts[line - 1] + 1)
    }
}

/// Reading files from disk with diagnostics instead of crashes.
enum SourceReader {
    /// Files larger than this are refused before reading, so memory stays bounded.
    static let maximumFileSize = 64 * 1024 * 1024

    /// Reads a Markdown or YAML file, reporting unreadable, binary or non-UTF-8 content.
    static func read(path: String, displayPath: String, sink: inout DiagnosticSink) -> SourceFile? {
        let origin = SourcePosition(line: 1, column: 1)
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? Int, size > maximumFileSize {
            sink.error("file.too-large", at: origin,
                       "this file is \(size / (1024 * 1024)) MB, over the \(maximumFileSize / (1024 * 1024)) MB limit for one file",
                       hint: "split the module into several smaller modules")
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            sink.error("file.unreadable", at: origin, "cannot read this file",
                       hint: "check that the file exists and that you have permission to read it")
            return nil
        }
        return decode(data, displayPath: displayPath, sink: &sink)
    }

    /// Decodes bytes as UTF-8 text, reporting the first invalid byte or NUL.
    static func decode(_ data: Data, displayPath: String, sink: inout DiagnosticSink) -> SourceFile? {
        data.withUnsafeBytes { raw in
            let all = raw.assumingMemoryBound(to: UInt8.self)
            let hasBOM = all.count >= 3 && all[0] == 0xEF && all[1] == 0xBB && all[2] == 0xBF
            return decode(Bytes.slice(all, hasBOM ? 3 : 0, all.count), displayPath: displayPath, sink: &sink)
        }
    }

    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, displayPath: String, sink: inout DiagnosticSink) -> SourceFile? {
        if let nul = firstNUL(bytes) {
            let file = SourceFile(path: displayPath, text: String(decoding: Bytes.slice(bytes, 0, nul), as: UTF8.self))
            sink.error("file.binary", at: file.position(ofByte: nul),
                       "this file contains a NUL byte, so it looks like a binary file, not Markdown text",
                       hint: "save the module as plain UTF-8 text")
            return nil
        }
        // One validating pass; the slower scan below only runs to place the error.
        if let text = String(validating: bytes, as: UTF8.self) {
            return SourceFile(path: displayPath, text: text)
        }
        guard let bad = firstInvalidUTF8(bytes) else {
            return SourceFile(path: displayPath, text: String(decoding: bytes, as: UTF8.self))
        }
        let file = SourceFile(path: displayPath, text: String(decoding: Bytes.slice(bytes, 0, bad), as: UTF8.self))
        sink.error("file.encoding", at: file.position(ofByte: bad),
                   "this file is not valid UTF-8 text (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))",
                   hint: "save the file with UTF-8 encoding in your editor")
        return nil
    }

    /// Offset of the first NUL byte.
    private static func firstNUL(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress, let found = memchr(base, 0, bytes.count) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }

    /// Offset of the first byte that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: length = 2; scalar = UInt32(b & 0x1F); minimum = 0x80
            case 0xE0...0xEF: length = 3; scalar = UInt32(b & 0x0F); minimum = 0x800
            case 0xF0...0xF4: length = 4; scalar = UInt32(b & 0x07); minimum = 0x10000
            default: return i
            }
            guard i + length <= n else { return i }
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
            i += length
        }
        return nil
    }
}
