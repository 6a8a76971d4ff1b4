import Crypto

/// SHA-256 content hashes, as lower-case hex.
enum ContentHash {
    static func sha256<S: StringProtocol>(_ text: S) -> String {
        var hasher = SHA256()
        update(&hasher, text)
        return hex(hasher.finalize())
    }

    /// The hash of `prefix` followed by `text`, without joining them first.
    static func sha256<S: StringProtocol>(prefix: String, _ text: S) -> String {
        var hasher = SHA256()
        update(&hasher, prefix)
        update(&hasher, text)
        return hex(hasher.finalize())
    }

    private static func update<S: StringProtocol>(_ hasher: inout SHA256, _ text: S) {
        if text.utf8.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }) == nil {
            hasher.update(data: Array(text.utf8))
        }
    }

    static func sha256(parts: [String]) -> String {
        var hasher = SHA256()
        for part in parts {
            hasher.update(data: Array(part.utf8))
            hasher.update(data: [0])
        }
        return hex(hasher.finalize())
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count * 2) { out in
                for (i, byte) in bytes.enumerated() {
                    out[2 * i] = hexDigit(byte >> 4)
                    out[2 * i + 1] = hexDigit(byte & 0x0F)
                }
                return bytes.count * 2
            }
        }
    }

    @inline(__always) private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 48 + value : 87 + value
    }
}
