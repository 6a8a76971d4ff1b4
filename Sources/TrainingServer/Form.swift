import Foundation
import Hummingbird

/// A URL-encoded form body: fields by name, repeated names kept in order (checkboxes).
struct Form: Sendable {
    private(set) var fields: [(name: String, value: String)] = []

    /// The largest form body read, in bytes.
    static let maximumSize = 16 * 1024

    init(_ body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Form.decode(parts[0])
            let value = parts.count > 1 ? Form.decode(parts[1]) : ""
            fields.append((name, value))
        }
    }

    /// The request's query string read as a form (a GET form's fields: `+` is a space).
    static func query(_ request: Request) -> Form {
        Form(String((request.uri.query ?? "").prefix(maximumSize)))
    }

    /// Reads the request's body as a form; too large a body is a 413.
    static func read(_ request: Request) async throws -> Form {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumSize)
        } catch {
            throw HTTPError(.contentTooLarge, message: "That form was larger than Groundwork accepts.")
        }
        return Form(String(buffer: buffer))
    }

    /// The first value of a field.
    subscript(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of a field, in order.
    func all(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// Fields whose names start with `prefix`, with the prefix removed.
    func prefixed(_ prefix: String) -> [(String, String)] {
        fields.filter { $0.name.hasPrefix(prefix) }.map { (String($0.name.dropFirst(prefix.count)), $0.value) }
    }

    /// `+` as a space and `%XX` as a byte, read as UTF-8. A stray `%` or bytes that aren't
    /// UTF-8 leave the escapes as they came (only `+` made a space), as Foundation's
    /// `removingPercentEncoding` would; done by hand because every answer's form goes
    /// through here and Foundation's string search was a measurable share of an answer.
    static func decode(_ text: Substring) -> String {
        let plus = UInt8(ascii: "+"), percent = UInt8(ascii: "%"), space = UInt8(ascii: " ")
        let utf8 = Array(text.utf8)
        guard utf8.contains(where: { $0 == plus || $0 == percent }) else { return String(text) }
        let spaced = String(decoding: utf8.map { $0 == plus ? space : $0 }, as: UTF8.self)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == percent {
                guard index + 2 < utf8.count, let high = hex(utf8[index + 1]), let low = hex(utf8[index + 2]) else { return spaced }
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(byte == plus ? space : byte)
                index += 1
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? spaced
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
