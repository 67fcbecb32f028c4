import Foundation
import KindlingCore
import KindlingNN

extension NumericArray {
    /// Reads an IDX file (the format of MNIST and Fashion-MNIST), plain or gzip-compressed (recognized by
    /// its magic bytes and inflated with the system's zlib).
    ///
    /// The format (LeCun et al., yann.lecun.com/exdb/mnist): two zero bytes, the element type (0x08
    /// unsigned byte, 0x09 signed byte, 0x0B 16-bit, 0x0C 32-bit integer, 0x0D 32-bit float, 0x0E 64-bit
    /// float), the number of dimensions, each dimension as a big-endian 32-bit integer, then the elements,
    /// big-endian, in row-major order.
    ///
    /// The size the header promises is checked before anything is allocated: against the file's size, and
    /// for a gzip file against the most its compressed bytes can expand to
    /// (`ReadingLimits.maximumDeflateExpansion`); decompression stops as soon as it passes that size.
    ///
    /// ```swift
    /// let images = try NumericArray(idxContentsOf: URL(fileURLWithPath: "train-images-idx3-ubyte.gz"))
    /// images.shape   // [60000, 28, 28]
    /// ```
    public init(idxContentsOf url: URL) throws {
        try self.init(idxBytes: readBytes(url), path: url.path)
    }

    /// Parses the bytes of an IDX file (gzip-compressed or not); `path` names it in messages.
    public init(idxBytes raw: [UInt8], path: String) throws {
        let bytes: [UInt8]
        if Gzip.isCompressed(raw) {
            bytes = try Gzip.decompress(raw, path: path) { prefix in
                guard let header = try IDXHeader(prefix, path: path) else { return nil }
                guard header.fileByteCount / ReadingLimits.maximumDeflateExpansion < raw.count else {
                    throw DataError.limitExceeded(
                        path: path,
                        reason: "the IDX header's shape \(header.shape) needs \(header.fileByteCount) bytes, more "
                            + "than \(raw.count) bytes of gzip can hold (deflate expands at most "
                            + "\(ReadingLimits.maximumDeflateExpansion):1)")
                }
                return header.fileByteCount
            }
        } else {
            bytes = raw
        }
        let header = try IDXHeader.ofWholeFile(bytes, fileByteCount: bytes.count, path: path)
        self.init(
            shape: header.shape,
            values: bytes.withUnsafeBufferPointer {
                readElements(
                    $0, offset: header.dataStart, count: header.count, size: header.size, bigEndian: true,
                    elementConversion(kind: header.kind, size: header.size))
            },
            kind: header.kind)
    }
}

/// The header of an IDX file: element type, shape, and the size of the whole file it promises.
struct IDXHeader {
    let kind: NumericArray.ElementKind
    /// Bytes per element.
    let size: Int
    let shape: [Int]
    /// Elements in all.
    let count: Int
    /// Where the elements start (after the four magic bytes and the dimensions).
    let dataStart: Int
    /// The bytes of the whole file: header and elements.
    let fileByteCount: Int

    static func failure(path: String, _ reason: String) -> DataError {
        .badFormat(path: path, reason: "not a readable IDX file: \(reason)")
    }

    /// The header at the start of `bytes`, the first bytes of a file of `fileByteCount` bytes; throws when
    /// they end before the header does or when the file's data is not the size the header's shape needs.
    static func ofWholeFile(_ bytes: [UInt8], fileByteCount: Int, path: String) throws -> IDXHeader {
        guard let header = try IDXHeader(bytes, path: path) else {
            throw failure(path: path, "the header is cut short")
        }
        guard fileByteCount == header.fileByteCount else {
            throw failure(
                path: path,
                "shape \(header.shape) needs \(header.fileByteCount - header.dataStart) bytes of data, the file holds "
                    + "\(fileByteCount - header.dataStart)")
        }
        return header
    }

    /// The header at the start of `bytes`, nil when they end before it does; throws for a header that
    /// is malformed or whose size overflows.
    init?(_ bytes: [UInt8], path: String) throws {
        guard bytes.count >= 4 else { return nil }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw Self.failure(path: path, "it does not start with two zero bytes")
        }
        switch bytes[2] {
        case 0x08: (kind, size) = (.unsignedInteger(bits: 8), 1)
        case 0x09: (kind, size) = (.signedInteger, 1)
        case 0x0B: (kind, size) = (.signedInteger, 2)
        case 0x0C: (kind, size) = (.signedInteger, 4)
        case 0x0D: (kind, size) = (.floatingPoint, 4)
        case 0x0E: (kind, size) = (.floatingPoint, 8)
        default:
            throw Self.failure(
                path: path, String(format: "element type 0x%02X is not one of 08, 09, 0B, 0C, 0D, 0E", bytes[2]))
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw Self.failure(path: path, "the header is cut short") }
        guard rank <= ReadingLimits.maximumRank else {
            throw DataError.limitExceeded(
                path: path, reason: "\(rank) dimensions, more than \(ReadingLimits.maximumRank)")
        }
        dataStart = 4 + 4 * rank
        guard bytes.count >= dataStart else { return nil }
        shape = (0..<rank).map { axis in
            (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * axis + $1]) }
        }
        guard let count = ReadingLimits.elementCount(of: shape),
            case (let data, let overflow) = count.multipliedReportingOverflow(by: size), !overflow,
            data <= Int.max - dataStart
        else {
            throw DataError.limitExceeded(path: path, reason: "the IDX header's shape \(shape) has too many elements")
        }
        self.count = count
        fileByteCount = dataStart + data
    }
}
