import KindlingCore

/// The element type of a tensor in a safetensors file, by its name in the header (`"F32"`).
///
/// The cases are those of the `safetensors` library except the sub-byte and complex types (F4, F6, C64),
/// which the Python library writes only for types PyTorch models rarely hold.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    /// A byte, 0 false, anything else true.
    case bool = "BOOL"
    /// Unsigned 8-bit integer.
    case uint8 = "U8"
    /// Signed 8-bit integer.
    case int8 = "I8"
    /// 8-bit float, 5 exponent and 2 mantissa bits (read as bytes, not converted).
    case float8E5M2 = "F8_E5M2"
    /// 8-bit float, 4 exponent and 3 mantissa bits (read as bytes, not converted).
    case float8E4M3 = "F8_E4M3"
    /// Signed 16-bit integer.
    case int16 = "I16"
    /// Unsigned 16-bit integer.
    case uint16 = "U16"
    /// IEEE half precision.
    case float16 = "F16"
    /// bfloat16: the upper 16 bits of a Float.
    case bfloat16 = "BF16"
    /// Signed 32-bit integer.
    case int32 = "I32"
    /// Unsigned 32-bit integer.
    case uint32 = "U32"
    /// IEEE single precision (Float).
    case float32 = "F32"
    /// IEEE double precision (Double).
    case float64 = "F64"
    /// Signed 64-bit integer (torch.int64).
    case int64 = "I64"
    /// Unsigned 64-bit integer.
    case uint64 = "U64"

    /// The size of one element in bytes.
    public var byteCount: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E5M2, .float8E4M3: 1
        case .int16, .uint16, .float16, .bfloat16: 2
        case .int32, .uint32, .float32: 4
        case .float64, .int64, .uint64: 8
        }
    }

    /// True for the integer types and BOOL.
    public var isInteger: Bool {
        switch self {
        case .bool, .uint8, .int8, .int16, .uint16, .int32, .uint32, .int64, .uint64: true
        case .float8E5M2, .float8E4M3, .float16, .bfloat16, .float32, .float64: false
        }
    }

    /// The position in the Python library's `Dtype` enum: it writes tensors by this rank descending
    /// (U64, I64, F64, F32, U32, I32, BF16, F16, U16, I16, F8, I8, U8, BOOL), then by name.
    var writeRank: Int {
        switch self {
        case .bool: 0
        case .uint8: 4
        case .int8: 5
        case .float8E5M2: 6
        case .float8E4M3: 7
        case .int16: 9
        case .uint16: 10
        case .float16: 11
        case .bfloat16: 12
        case .int32: 13
        case .uint32: 14
        case .float32: 15
        case .float64: 17
        case .int64: 18
        case .uint64: 19
        }
    }

    /// The element at `offset` (in elements) of little-endian `bytes` as a Double (exact for every type
    /// but 64-bit integers beyond 2⁵³), or nil for the 8-bit float types, which are not converted.
    package func element(at offset: Int, of bytes: UnsafeRawBufferPointer) -> Double? {
        let start = offset * byteCount
        func load<T: FixedWidthInteger>(_: T.Type) -> T {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: T.self))
        }
        switch self {
        case .bool: return load(UInt8.self) == 0 ? 0 : 1
        case .uint8: return Double(load(UInt8.self))
        case .int8: return Double(load(Int8.self))
        case .int16: return Double(load(Int16.self))
        case .uint16: return Double(load(UInt16.self))
        case .int32: return Double(load(Int32.self))
        case .uint32: return Double(load(UInt32.self))
        case .int64: return Double(load(Int64.self))
        case .uint64: return Double(load(UInt64.self))
        case .float16: return halfPrecisionValue(load(UInt16.self))
        case .bfloat16: return Double(Float(bitPattern: UInt32(load(UInt16.self)) << 16))
        case .float32: return Double(Float(bitPattern: load(UInt32.self)))
        case .float64: return Double(bitPattern: load(UInt64.self))
        case .float8E5M2, .float8E4M3: return nil
        }
    }
}

extension SafeTensorsDType {
    /// `count` elements of this type in little-endian `bytes` converted to `Scalar`, or nil for the 8-bit
    /// float types. F32 into Float and F64 into Double are exact copies.
    package func scalars<Scalar: TensorScalar>(from bytes: UnsafeRawBufferPointer, count: Int) -> [Scalar]? {
        if (Scalar.self == Float.self && self == .float32) || (Scalar.self == Double.self && self == .float64) {
            return [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
                fromLittleEndian(
                    bytes, into: UnsafeMutableRawBufferPointer(buffer), elementSize: MemoryLayout<Scalar>.size)
                initialized = count
            }
        }
        var values: [Scalar] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            guard let value = element(at: index, of: bytes) else { return nil }
            values.append(Scalar(value))
        }
        return values
    }

    /// `count` elements of this integer type (or BOOL) in little-endian `bytes` as 64-bit integers, or nil
    /// for a float type or a U64 element beyond Int64.max.
    package func integers(from bytes: UnsafeRawBufferPointer, count: Int) -> [Int64]? {
        guard isInteger else { return nil }
        var values: [Int64] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            let start = index * byteCount
            func load<T: FixedWidthInteger>(_: T.Type) -> T {
                T(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: T.self))
            }
            let value: Int64?
            switch self {
            case .int64: value = load(Int64.self)
            case .uint64: value = Int64(exactly: load(UInt64.self))
            case .int32: value = Int64(load(Int32.self))
            case .uint32: value = Int64(load(UInt32.self))
            case .int16: value = Int64(load(Int16.self))
            case .uint16: value = Int64(load(UInt16.self))
            case .int8: value = Int64(load(Int8.self))
            case .uint8: value = Int64(load(UInt8.self))
            case .bool: value = load(UInt8.self) == 0 ? 0 : 1
            case .float8E5M2, .float8E4M3, .float16, .bfloat16, .float32, .float64: value = nil
            }
            guard let value else { return nil }
            values.append(value)
        }
        return values
    }
}

/// The value of IEEE 754 binary16 bits (1 sign, 5 exponent, 10 fraction bits), subnormals, infinities
/// and NaN included.
func halfPrecisionValue(_ bits: UInt16) -> Double {
    let sign: Double = bits & 0x8000 == 0 ? 1 : -1
    let exponent = Int(bits >> 10 & 0x1F)
    let fraction = Double(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24
    case 0x1F: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}
