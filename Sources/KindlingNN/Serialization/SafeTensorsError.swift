import KindlingCore
import KindlingPlatform

/// A malformed safetensors file, a tensor asked for that it does not hold, or a file that cannot be
/// read or written. Each message names the problem and, where there is one, the tensor's key.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    /// Fewer than the 8 bytes of the header length.
    case fileTooShort(byteCount: Int)
    /// The header length exceeds the 100 MB the format allows.
    case headerTooLarge(byteCount: UInt64)
    /// The header length points past the end of the file.
    case headerBeyondFile(headerByteCount: UInt64, fileByteCount: Int)
    /// The header is not valid UTF-8 JSON, or not a JSON object (`reason` says where).
    case invalidHeader(reason: String)
    /// A key appears twice in the same JSON object (`object` is "header" or the key of the enclosing entry).
    case duplicateKey(String, object: String)
    /// A tensor entry, or `__metadata__`, lacks a field or has one of the wrong type.
    case invalidEntry(key: String, reason: String)
    /// The dtype is not one the format defines.
    case unknownDType(key: String, dtype: String)
    /// The shape's element count times the element size differs from the byte span of the offsets.
    case sizeMismatch(key: String, dtype: SafeTensorsDType, shape: [Int], byteCount: Int)
    /// The offsets run backwards or past the end of the data.
    case offsetsOutOfRange(key: String, begin: Int, end: Int, dataByteCount: Int)
    /// Two tensors share bytes.
    case overlappingTensors(key: String, otherKey: String)
    /// Bytes between two tensors, or before the first, that no tensor covers.
    case holeInData(beforeKey: String, begin: Int, end: Int)
    /// The tensors end before the data does.
    case trailingBytes(tensorsEnd: Int, dataByteCount: Int)
    /// No tensor has this key.
    case missingTensor(key: String)
    /// The tensor's elements cannot be converted to the scalar type asked for.
    case unsupportedConversion(key: String, dtype: SafeTensorsDType)
    /// The file cannot be read.
    case cannotRead(path: String, reason: String)
    /// The file cannot be written (the previous file, if any, is left as it was).
    case cannotWrite(path: String, reason: String)

    /// The message: the problem, the key and the values involved.
    public var description: String {
        switch self {
        case .fileTooShort(let count):
            "safetensors: the file has \(count) bytes, fewer than the 8 of the header length"
        case .headerTooLarge(let count):
            "safetensors: the header length \(count) exceeds the limit of \(SafeTensors.maximumHeaderByteCount) bytes"
        case .headerBeyondFile(let header, let file):
            "safetensors: the header length \(header) runs past the end of the file (\(file) bytes, 8 of them the length)"
        case .invalidHeader(let reason):
            "safetensors: invalid header: \(reason)"
        case .duplicateKey(let key, let object):
            "safetensors: duplicate key \"\(key)\" in \(object)"
        case .invalidEntry(let key, let reason):
            "safetensors: tensor \"\(key)\": \(reason)"
        case .unknownDType(let key, let dtype):
            "safetensors: tensor \"\(key)\": unknown dtype \"\(dtype)\" (known: \(SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .sizeMismatch(let key, let dtype, let shape, let count):
            "safetensors: tensor \"\(key)\": shape \(shape) of \(dtype.rawValue) needs \(shape.reduce(1, &*) &* dtype.byteCount) bytes, its offsets span \(count)"
        case .offsetsOutOfRange(let key, let begin, let end, let count):
            "safetensors: tensor \"\(key)\": data_offsets [\(begin), \(end)] are out of range for \(count) bytes of data"
        case .overlappingTensors(let key, let other):
            "safetensors: tensor \"\(key)\" overlaps tensor \"\(other)\""
        case .holeInData(let key, let begin, let end):
            "safetensors: bytes [\(begin), \(end)) before tensor \"\(key)\" belong to no tensor"
        case .trailingBytes(let end, let count):
            "safetensors: the tensors end at byte \(end) of \(count) bytes of data; the rest belongs to no tensor"
        case .missingTensor(let key):
            "safetensors: no tensor named \"\(key)\""
        case .unsupportedConversion(let key, let dtype):
            "safetensors: tensor \"\(key)\": cannot convert \(dtype.rawValue) elements to a floating-point tensor"
        case .cannotRead(let path, let reason):
            "safetensors: cannot read \(path): \(reason)"
        case .cannotWrite(let path, let reason):
            "safetensors: cannot write \(path): \(reason)"
        }
    }
}
