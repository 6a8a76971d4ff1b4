import Crypto
import Foundation
/// Lowercase hexadecimal for digests and random ids, without Foundation's `String(format:)`.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The bytes as lowercase hex, two digits each.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `count` random bytes from the system's secure generator, as hex.
    public static func random(bytes count: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return encode((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
    }

    /// The SHA-256 digest of a text's UTF-8, in hex.
    public static func sha256(_ text: String) -> String {
        encode(SHA256.hash(data: Data(text.utf8)))
    }
}
