import Cqrencode

/// A QR code made by libqrencode, drawn as SVG: for join slides and certificates.
public struct QRCode: Sendable, Equatable {
    /// Modules per side.
    public let size: Int
    /// Whether each module is dark, row by row.
    private let dark: [Bool]

    /// A QR code could not be made (the text is too long for any QR version).
    public struct EncodingError: Error, Sendable, CustomStringConvertible {
        /// What went wrong.
        public var message: String
        public var description: String { message }
    }

    /// Encodes `text` (8-bit mode, error correction level M: a quarter of the code can be
    /// smudged and it still reads).
    public init(_ text: String) throws {
        guard !text.isEmpty, !text.utf8.contains(0) else {
            throw EncodingError(message: "a QR code needs some text without NUL characters")
        }
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else {
            throw EncodingError(message: "the text is too long for a QR code (\(text.utf8.count) bytes)")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        size = width
        dark = (0..<(width * width)).map { code.pointee.data[$0] & 1 == 1 }
    }

    /// Whether the module at column `x`, row `y` is dark.
    public func isDark(x: Int, y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return dark[y * size + x]
    }

    /// The code as an SVG image: dark modules as one path on a white square with the
    /// four-module quiet zone readers need. It scales to any size without blurring.
    public func svg(label: String) -> String {
        let quiet = 4
        let side = size + 2 * quiet
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else { x += 1; continue }
                var run = 1
                while isDark(x: x + run, y: y) { run += 1 }
                path += "M\(x + quiet) \(y + quiet)h\(run)v1h-\(run)z"
                x += run
            }
        }
        var title = ""
        for character in label {
            switch character {
            case "&": title += "&amp;"
            case "<": title += "&lt;"
            case ">": title += "&gt;"
            case "\"": title += "&quot;"
            default: title.append(character)
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges" role="img" \
            aria-label="\(title)"><title>\(title)</title><rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path fill="#000" d="\(path)"/></svg>
            """
    }

    /// The code as a plain PGM image (for tests that read it back with a decoder).
    public func pgm(scale: Int = 8) -> [UInt8] {
        let quiet = 4
        let side = (size + 2 * quiet) * scale
        var bytes = Array("P5 \(side) \(side) 255\n".utf8)
        for py in 0..<side {
            for px in 0..<side {
                bytes.append(isDark(x: px / scale - quiet, y: py / scale - quiet) ? 0 : 255)
            }
        }
        return bytes
    }
}
