import CZlib
import KindlingCore

/// gzip (RFC 1952) decompression through the system's zlib.
enum Gzip {
    /// Whether the bytes start with gzip's magic number 1f 8b.
    static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed bytes of a gzip stream (several concatenated members are joined, as `gunzip`
    /// does); throws `DataError.badFormat` naming `path` when the stream is corrupt or truncated.
    static func decompress(_ compressed: [UInt8], path: String) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(compressed.count * 4)
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer around a deflate stream of up to 32 KB window.
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError.badFormat(path: path, reason: "zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var consumed = 0
        var status = Z_OK
        try compressed.withUnsafeBufferPointer { input in
            while true {
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                stream.avail_in = UInt32(input.count - consumed)
                repeat {
                    status = chunk.withUnsafeMutableBufferPointer { buffer in
                        stream.next_out = buffer.baseAddress
                        stream.avail_out = UInt32(buffer.count)
                        return inflate(&stream, Z_NO_FLUSH)
                    }
                    guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                        let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                        throw DataError.badFormat(path: path, reason: "the gzip data is corrupt (\(message))")
                    }
                    output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                } while stream.avail_out == 0 && status != Z_STREAM_END
                consumed = input.count - Int(stream.avail_in)
                if status == Z_STREAM_END, consumed < input.count, input[consumed] == 0x1F {
                    inflateReset(&stream)
                    continue
                }
                guard status == Z_STREAM_END else {
                    throw DataError.badFormat(path: path, reason: "the gzip data ends early (the file is truncated)")
                }
                return
            }
        }
        return output
    }
}
