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
    _ bytes: UnsafeBufferPointer<UInt8>, offset: Int, count: Int, size: Int, bigEndian: Bool,
    _ convert: (UInt64) -> Double
) -> [Double] {
    [Double](unsafeUninitializedCapacity: count) { values, initialized in
        readElements(
            bytes, offset: offset, into: UnsafeMutableBufferPointer(rebasing: values[..<count]), size: size,
            bigEndian: bigEndian, convert)
        initialized = count
    }
}

/// Fills `values` with the elements of `size` bytes that start at `offset` of `bytes`, each converted by
/// `convert` from its bits in the given byte order.
func readElements(
    _ bytes: UnsafeBufferPointer<UInt8>, offset: Int, into values: UnsafeMutableBufferPointer<Double>, size: Int,
    bigEndian: Bool, _ convert: (UInt64) -> Double
) {
    require(
        offset >= 0 && offset + values.count * size <= bytes.count,
        "readElements: \(values.count) elements of \(size) bytes from offset \(offset) run past the \(bytes.count) bytes"
    )
    let raw = UnsafeRawBufferPointer(bytes)
    func load<Bits: FixedWidthInteger & UnsignedInteger>(_: Bits.Type, at start: Int) -> UInt64 {
        let bits = raw.loadUnaligned(fromByteOffset: start, as: Bits.self)
        return UInt64(bigEndian ? Bits(bigEndian: bits) : Bits(littleEndian: bits))
    }
    for element in 0..<values.count {
        let start = offset + element * size
        switch size {
        case 1: values[element] = convert(UInt64(raw[start]))
        case 2: values[element] = convert(load(UInt16.self, at: start))
        case 4: values[element] = convert(load(UInt32.self, at: start))
        default: values[element] = convert(load(UInt64.self, at: start))
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
