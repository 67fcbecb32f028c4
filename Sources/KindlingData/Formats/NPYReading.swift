import Foundation
import KindlingCore
import KindlingNN

extension NumericArray {
    /// Reads a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0) whose dtype is a little- or big-endian
    /// f4, f8, i1, i2, i4, i8, u1, u2, u4 or u8, in C or Fortran order; the values come back in C order.
    ///
    /// The format (numpy.lib.format): the magic bytes `\x93NUMPY`, the version (major, minor), the header
    /// length (2 bytes little-endian in 1.0, 4 in 2.0 and 3.0), then a Python dict literal
    /// `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }` and the raw data.
    ///
    /// ```swift
    /// let array = try NumericArray(npyContentsOf: URL(fileURLWithPath: "features.npy"))
    /// array.shape   // [1797, 64]
    /// ```
    public init(npyContentsOf url: URL) throws {
        try self.init(npyBytes: readBytes(url), path: url.path)
    }

    /// Parses the bytes of an `.npy` file; `path` names it in messages.
    public init(npyBytes bytes: [UInt8], path: String) throws {
        self = try bytes.withUnsafeBufferPointer { try NumericArray(npyBuffer: $0, path: path) }
    }

    /// Parses the bytes of an `.npy` file where they are (a mapped file: no copy of them is made).
    package init(npyBuffer bytes: UnsafeBufferPointer<UInt8>, path: String) throws {
        let header = try NPYHeader(bytes, path: path)
        var values = readElements(
            bytes, offset: header.dataStart, count: header.count, size: header.size, bigEndian: header.bigEndian,
            elementConversion(kind: header.kind, size: header.size))
        if header.fortranOrder, header.shape.count > 1 {
            values = Self.cOrder(fromFortran: values, shape: header.shape)
        }
        self.init(shape: header.shape, values: values, kind: header.kind)
    }

    /// Column-major (first index fastest) values rearranged to row-major.
    private static func cOrder(fromFortran values: [Double], shape: [Int]) -> [Double] {
        var fortranStrides = [Int](repeating: 1, count: shape.count)
        for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var result = [Double](repeating: 0, count: values.count)
        var index = [Int](repeating: 0, count: shape.count)
        for position in 0..<values.count {
            result[position] = values[zip(index, fortranStrides).reduce(0) { $0 + $1.0 * $1.1 }]
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}

/// The header of an `.npy` file: dtype, order, shape and where the data starts, checked against the size of the
/// file (which must hold at least the data the shape needs).
struct NPYHeader {
    let kind: NumericArray.ElementKind
    /// Bytes per element.
    let size: Int
    let bigEndian: Bool
    /// Whether the elements are stored column-major (first index fastest).
    let fortranOrder: Bool
    let shape: [Int]
    /// Elements in all.
    let count: Int
    /// Where the elements start (after the header).
    let dataStart: Int

    /// The header of the file whose bytes are `bytes`; `path` names it in messages.
    init(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws {
        func fail(_ reason: String) -> DataError {
            .badFormat(path: path, reason: "not a readable .npy file: \(reason)")
        }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw fail("it does not start with the magic bytes \\x93NUMPY")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("the header is cut short") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw fail("format version \(major).\(bytes[7]) (versions 1.0, 2.0 and 3.0 are supported)")
        }
        guard bytes.count >= headerStart + headerLength else { throw fail("the header is cut short") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)

        guard
            let descr = Self.headerValue("descr", in: header)?.trimmingCharacters(
                in: CharacterSet(charactersIn: "'\"")),
            let fortran = Self.headerValue("fortran_order", in: header),
            let shapeText = Self.headerValue("shape", in: header)
        else {
            throw fail("the header lacks 'descr', 'fortran_order' or 'shape': \(header)")
        }
        let shape = try shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { text -> Int in
                guard let dimension = Int(text), dimension >= 0 else { throw fail("bad shape \(shapeText)") }
                return dimension
            }
        guard shape.count <= ReadingLimits.maximumRank else {
            throw DataError.limitExceeded(
                path: path,
                reason: "the .npy shape has \(shape.count) dimensions, more than \(ReadingLimits.maximumRank)")
        }
        guard descr.count >= 3, let size = Int(descr.dropFirst(2)), [1, 2, 4, 8].contains(size) else {
            throw fail("dtype '\(descr)' is not supported (f4, f8, i1-i8, u1-u8)")
        }
        let order = descr.first!
        let code = descr[descr.index(after: descr.startIndex)]
        switch code {
        case "f" where size == 4 || size == 8: kind = .floatingPoint
        case "i": kind = .signedInteger
        case "u": kind = .unsignedInteger(bits: size * 8)
        default: throw fail("dtype '\(descr)' is not supported (f4, f8, i1-i8, u1-u8)")
        }
        guard "<>|=".contains(order) else { throw fail("dtype '\(descr)' has an unknown byte order") }
        dataStart = headerStart + headerLength
        guard let count = ReadingLimits.elementCount(of: shape) else {
            throw DataError.limitExceeded(
                path: path,
                reason: "the .npy shape \(shape) has more elements than memory can hold (the file holds "
                    + "\(bytes.count - dataStart) bytes of data)")
        }
        guard bytes.count - dataStart >= count * size else {
            throw fail(
                "shape \(shape) of '\(descr)' needs \(count * size) bytes of data, the file holds \(bytes.count - dataStart)"
            )
        }
        self.size = size
        self.shape = shape
        self.count = count
        bigEndian = order == ">"
        fortranOrder = fortran.hasPrefix("True")
    }

    /// The text after `'key':` up to the next top-level comma (a tuple counts as one value).
    private static func headerValue(_ key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var value = ""
        for character in header[range.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if (character == "," || character == "}") && depth == 0 { break }
            value.append(character)
        }
        return value.trimmingCharacters(in: .whitespaces)
    }
}
