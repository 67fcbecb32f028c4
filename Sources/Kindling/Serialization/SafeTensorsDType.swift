/// The element type of a tensor in a safetensors file, by its name in the header (`"F32"`).
///
/// The cases are those of the `safetensors` library except the sub-byte and complex types (F4, F6, C64),
/// which the Python library writes only for types PyTorch models rarely hold.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    case bool = "BOOL"
    case uint8 = "U8"
    case int8 = "I8"
    case float8E5M2 = "F8_E5M2"
    case float8E4M3 = "F8_E4M3"
    case int16 = "I16"
    case uint16 = "U16"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int32 = "I32"
    case uint32 = "U32"
    case float32 = "F32"
    case float64 = "F64"
    case int64 = "I64"
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
    func element(at offset: Int, of bytes: UnsafeRawBufferPointer) -> Double? {
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

/// The value of IEEE 754 binary16 bits (1 sign, 5 exponent, 10 fraction bits), subnormals, infinities
/// and NaN included.
func halfPrecisionValue(_ bits: UInt16) -> Double {
    let sign: Double = bits & 0x8000 == 0 ? 1 : -1
    let exponent = Int(bits >> 10 & 0x1F), fraction = Double(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24
    case 0x1F: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}
