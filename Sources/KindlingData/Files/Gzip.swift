import CZlib
import KindlingCore

/// gzip (RFC 1952) decompression through the system's zlib.
enum Gzip {
    /// Whether the bytes start with gzip's magic number 1f 8b.
    static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The size the gzip trailer records (ISIZE, the last four bytes: the last member's decompressed size
    /// modulo 2^32), or nil when the bytes are too short to hold a header and a trailer.
    static func recordedSize(_ bytes: [UInt8]) -> UInt32? {
        guard bytes.count >= 18 else { return nil }
        return (0..<4).reduce(0) { $0 | UInt32(bytes[bytes.count - 4 + $1]) << (8 * $1) }
    }

    /// The decompressed bytes of a gzip stream (several concatenated members are joined, as `gunzip`
    /// does); throws `DataError.badFormat` naming `path` when the stream is corrupt or truncated.
    ///
    /// `size` is asked, after each chunk, for the total that the stream must decompress to, given the
    /// bytes decompressed so far (a format's header); it may throw to reject the header. Once it answers,
    /// decompression stops with `DataError.limitExceeded` as soon as the output passes that total, so a
    /// small file that inflates to gigabytes costs no more than its header promised. When the trailer
    /// records that total (modulo 2^32), as a one-member file of honest size does, the total is reserved
    /// and kept. Otherwise (a truncated, damaged, lying or multi-member file) the stream is only counted,
    /// in constant memory and up to `countingBudget` bytes: a stream that ends within it is reported as it
    /// is (truncated, or short) or, at exactly the total, decompressed again to keep; a longer one is
    /// rejected at once, so a header that lies about gigabytes costs a fraction of a second.
    static func decompress(
        _ compressed: [UInt8], path: String, size: ([UInt8]) throws -> Int? = { _ in nil }
    ) throws -> [UInt8] {
        let recorded = recordedSize(compressed)
        let first = try run(compressed, path: path, size: size, recorded: recorded, trusted: false)
        if first.isComplete { return first.bytes }
        guard first.count == first.total else {
            throw DataError.badFormat(
                path: path,
                reason: "the gzip data decompresses to \(first.count) bytes, its header promises \(first.total ?? 0)")
        }
        return try run(compressed, path: path, size: size, recorded: recorded, trusted: true).bytes
    }

    /// The most a stream whose trailer disagrees with its header is inflated to check it: 64 MB.
    static let countingBudget = 1 << 26

    /// Decompresses `compressed`; once `size` gives the total, the rest is kept when `trusted` or when the
    /// trailer's `recorded` size agrees, else only counted (up to `countingBudget`). Returns what was kept,
    /// whether that is everything, the count and the total.
    private static func run(
        _ compressed: [UInt8], path: String, size: ([UInt8]) throws -> Int?, recorded: UInt32?, trusted: Bool
    ) throws -> (bytes: [UInt8], isComplete: Bool, count: Int, total: Int?) {
        var output: [UInt8] = []
        var total: Int?
        var keeping = true
        var count = 0
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer around a deflate stream of up to 32 KB window.
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError.badFormat(path: path, reason: "zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var consumed = 0
        var status = Z_OK
        func exceeded(_ total: Int) -> DataError {
            .limitExceeded(
                path: path, reason: "the gzip data decompresses to more than the \(total) bytes its header promises")
        }
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
                    let produced = chunk.count - Int(stream.avail_out)
                    count += produced
                    if let total, count > total { throw exceeded(total) }
                    if let total, !keeping, count > countingBudget {
                        throw DataError.badFormat(
                            path: path,
                            reason: "the gzip trailer records \(recorded.map(String.init) ?? "no size") bytes (modulo "
                                + "2^32), its header promises \(total): the file is damaged, truncated or more than "
                                + "one gzip member")
                    }
                    if keeping { output.append(contentsOf: chunk[0..<produced]) }
                    if total == nil, let promised = try size(output) {
                        guard count <= promised else { throw exceeded(promised) }
                        total = promised
                        keeping = trusted || recorded == UInt32(truncatingIfNeeded: promised)
                        if keeping { output.reserveCapacity(promised) }
                    }
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
        return (output, keeping, count, total)
    }
}
