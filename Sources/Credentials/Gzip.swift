import Czlib
import Foundation

/// GZIP, through the system's zlib: the Bitstring Status List compresses its bits with it.
enum Gzip {
    /// What went wrong inflating or deflating.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `data` compressed as a GZIP member.
    static func compress(_ data: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16: a GZIP header and trailer instead of zlib's.
        guard deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib couldn't start compressing")
        }
        defer { deflateEnd(&stream) }
        var input = data
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 32)
        let result = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { throw Failure(description: "zlib couldn't compress the list (\(result))") }
        return Array(output.prefix(Int(stream.total_out)))
    }

    /// A GZIP member inflated, refusing anything that would inflate past `limit` bytes.
    static func decompress(_ data: [UInt8], limit: Int = 16 << 20) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib couldn't start inflating")
        }
        defer { inflateEnd(&stream) }
        var input = data
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        try input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            while status != Z_STREAM_END {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return outBuffer.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    throw Failure(description: "the list isn't valid GZIP data (\(status))")
                }
                result += chunk.prefix(produced)
                guard result.count <= limit else { throw Failure(description: "the list inflates past \(limit) bytes") }
                if produced == 0 && stream.avail_in == 0 && status != Z_STREAM_END {
                    throw Failure(description: "the list's GZIP data ends early")
                }
            }
        }
        return result
    }
}
