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

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
