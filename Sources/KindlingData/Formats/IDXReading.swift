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
    /// ```swift
    /// let images = try NumericArray(idxContentsOf: URL(fileURLWithPath: "train-images-idx3-ubyte.gz"))
    /// images.shape   // [60000, 28, 28]
    /// ```
    public init(idxContentsOf url: URL) throws {
        try self.init(idxBytes: readBytes(url), path: url.path)
    }

    /// Parses the bytes of an IDX file (gzip-compressed or not); `path` names it in messages.
    public init(idxBytes raw: [UInt8], path: String) throws {
        let bytes = Gzip.isCompressed(raw) ? try Gzip.decompress(raw, path: path) : raw
        func fail(_ reason: String) -> DataError {
            .badFormat(path: path, reason: "not a readable IDX file: \(reason)")
        }
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
            throw fail("it does not start with two zero bytes")
        }
        let kind: ElementKind
        let size: Int
        switch bytes[2] {
        case 0x08: (kind, size) = (.unsignedInteger(bits: 8), 1)
        case 0x09: (kind, size) = (.signedInteger, 1)
        case 0x0B: (kind, size) = (.signedInteger, 2)
        case 0x0C: (kind, size) = (.signedInteger, 4)
        case 0x0D: (kind, size) = (.floatingPoint, 4)
        case 0x0E: (kind, size) = (.floatingPoint, 8)
        default: throw fail(String(format: "element type 0x%02X is not one of 08, 09, 0B, 0C, 0D, 0E", bytes[2]))
        }
        let rank = Int(bytes[3])
        let dataStart = 4 + 4 * rank
        guard rank >= 1, bytes.count >= dataStart else { throw fail("the header is cut short") }
        let shape = (0..<rank).map { axis in
            (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * axis + $1]) }
        }
        let count = shape.reduce(1, *)
        guard bytes.count - dataStart == count * size else {
            throw fail("shape \(shape) needs \(count * size) bytes of data, the file holds \(bytes.count - dataStart)")
        }
        self.init(
            shape: shape,
            values: readElements(
                bytes, offset: dataStart, count: count, size: size, bigEndian: true,
                elementConversion(kind: kind, size: size)),
            kind: kind)
    }
}
