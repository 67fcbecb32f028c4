import KindlingCore
import KindlingPlatform

/// An n-dimensional array of numbers read from a file (NPY, IDX), in row-major (C) order, with the kind of
/// element it was stored as.
public struct NumericArray: Sendable, Equatable {
    /// How the elements were stored.
    public enum ElementKind: Sendable, Equatable {
        /// IEEE floating point.
        case floatingPoint
        /// Signed integers.
        case signedInteger
        /// Unsigned integers of `bits` bits (8 for image bytes).
        case unsignedInteger(bits: Int)
    }

    /// The dimensions.
    public let shape: [Int]
    /// The elements in row-major order, converted exactly to Double (64-bit integers beyond 2^53 round).
    public let values: [Double]
    /// How the elements were stored.
    public let kind: ElementKind

    /// An array from its parts; `values.count` must be the product of `shape`.
    public init(shape: [Int], values: [Double], kind: ElementKind) {
        require(
            values.count == ReadingLimits.elementCount(of: shape),
            "NumericArray: \(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
        self.kind = kind
    }
}

/// Reads `count` elements of `size` bytes at `offset`, each converted by `convert` from its bits in the
/// given byte order.
func readElements(
    _ bytes: [UInt8], offset: Int, count: Int, size: Int, bigEndian: Bool,
    _ convert: (UInt64) -> Double
) -> [Double] {
    bytes.withUnsafeBufferPointer { buffer in
        (0..<count).map { element in
            var bits: UInt64 = 0
            let start = offset + element * size
            for byte in 0..<size {
                let value = UInt64(buffer[start + (bigEndian ? byte : size - 1 - byte)])
                bits = bits << 8 | value
            }
            return convert(bits)
        }
    }
}

/// The conversion from an element's bits to Double for a kind and size (1, 2, 4 or 8 bytes).
func elementConversion(kind: NumericArray.ElementKind, size: Int) -> (UInt64) -> Double {
    switch (kind, size) {
    case (.floatingPoint, 4): return { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) }
    case (.floatingPoint, _): return { Double(bitPattern: $0) }
    case (.signedInteger, 1): return { Double(Int8(truncatingIfNeeded: $0)) }
    case (.signedInteger, 2): return { Double(Int16(truncatingIfNeeded: $0)) }
    case (.signedInteger, 4): return { Double(Int32(truncatingIfNeeded: $0)) }
    case (.signedInteger, _): return { Double(Int64(bitPattern: $0)) }
    case (.unsignedInteger, _): return { Double($0) }
    }
}
