import Foundation
import KindlingCore
import KindlingPlatform

/// The contents of a safetensors file (the Hugging Face format in which PyTorch users share weights):
/// named tensors, each a dtype, a shape and its raw little-endian bytes, plus a string-to-string metadata
/// map.
///
/// The file is an unsigned 64-bit little-endian header length N, N bytes of compact JSON
/// (`{"__metadata__": {...}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}`,
/// padded with spaces to a multiple of 8), then the tensors' bytes, contiguous and in header order.
/// Writing produces the same bytes as the Python library's `save_file` for the same tensors and metadata
/// (tensors ordered by dtype as its enum descends — U64, I64, F64, F32, ... — then by name; metadata keys
/// sorted, which matches Python whenever there is at most one key, its own order being a hash map's).
/// Reading checks everything and throws a `SafeTensorsError` naming the problem and the key.
///
/// ```swift
/// var file = SafeTensors(metadata: ["epoch": "3"])
/// file.tensors["fc.weight"] = SafeTensors.Entry(weight)   // a Tensor<Float>: stored as F32
/// try file.write(to: URL(fileURLWithPath: "model.safetensors"))
///
/// let loaded = try SafeTensors.read(from: URL(fileURLWithPath: "model.safetensors"))
/// let w = try loaded.tensor(named: "fc.weight", as: Double.self)   // converted on the way in
/// ```
public struct SafeTensors: Equatable, Sendable {
    /// The largest header the reader accepts, as the Python library: 100 MB.
    public static let maximumHeaderByteCount = 100_000_000
    /// The deepest nesting of JSON arrays and objects the header may have: 64 (a hostile header cannot
    /// exhaust the stack).
    public static let maximumHeaderDepth = 64

    /// One tensor as stored: its element type, its shape, and its elements' little-endian bytes in
    /// row-major order.
    public struct Entry: Equatable, Sendable {
        /// The element type.
        public let dtype: SafeTensorsDType
        /// The size of each dimension (`[]` for a scalar).
        public let shape: [Int]
        /// The elements' bytes, `elementCount × dtype.byteCount` of them.
        public let bytes: [UInt8]

        /// An entry from raw bytes; their count must be the shape's element count times the element size.
        public init(dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8]) {
            require(
                shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) * dtype.byteCount == bytes.count,
                "SafeTensors.Entry: \(bytes.count) bytes do not hold a \(dtype.rawValue) tensor of shape \(shape)")
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }

        /// The tensor's elements, stored as F32 for a `Tensor<Float>` and F64 for a `Tensor<Double>`.
        public init<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>) {
            let dtype: SafeTensorsDType = Scalar.self == Float.self ? .float32 : .float64
            self.init(
                dtype: dtype, shape: tensor.shape, bytes: tensor.withUnsafeBufferPointer { littleEndianBytes(of: $0) })
        }

        /// 64-bit integers stored as I64 (PyTorch's `torch.int64`), in row-major order for `shape`.
        public init(integers: [Int64], shape: [Int]) {
            self.init(dtype: .int64, shape: shape, bytes: littleEndianBytes(of: integers))
        }

        /// The number of elements: the product of the shape.
        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// The tensors by name.
    public var tensors: [String: Entry]
    /// The `__metadata__` map (written only when not empty).
    public var metadata: [String: String]

    /// A file's contents from tensors and metadata.
    public init(tensors: [String: Entry] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensors' names in the order a file stores them (by dtype, then by name).
    public var orderedKeys: [String] {
        tensors.sorted { a, b in
            a.value.dtype.writeRank != b.value.dtype.writeRank
                ? a.value.dtype.writeRank > b.value.dtype.writeRank
                : a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
        }.map(\.key)
    }

    /// The tensor named `key` converted to `Scalar` (any integer or float dtype but the 8-bit floats;
    /// F32 into Float and F64 into Double are exact copies).
    ///
    /// - Throws: `SafeTensorsError.missingTensor` or `.unsupportedConversion`.
    public func tensor<Scalar: TensorScalar>(named key: String, as _: Scalar.Type = Scalar.self) throws -> Tensor<
        Scalar
    > {
        guard let entry = tensors[key] else { throw SafeTensorsError.missingTensor(key: key) }
        guard
            let scalars: [Scalar] = entry.bytes.withUnsafeBytes({
                entry.dtype.scalars(from: $0, count: entry.elementCount)
            })
        else { throw SafeTensorsError.unsupportedConversion(key: key, dtype: entry.dtype) }
        return Tensor(shape: entry.shape, scalars: scalars)
    }

    /// The elements of an integer tensor (I64, I32, I16, I8, U8, U16, U32, U64 up to Int64.max, BOOL).
    ///
    /// - Throws: `SafeTensorsError.missingTensor`, or `.unsupportedConversion` for a float dtype or a
    ///   U64 element beyond Int64.max.
    public func integers(named key: String) throws -> [Int64] {
        guard let entry = tensors[key] else { throw SafeTensorsError.missingTensor(key: key) }
        guard let integers = entry.bytes.withUnsafeBytes({ entry.dtype.integers(from: $0, count: entry.elementCount) })
        else { throw SafeTensorsError.unsupportedConversion(key: key, dtype: entry.dtype) }
        return integers
    }
}

/// The little-endian bytes of floating-point values, in order.
func littleEndianBytes<T: BinaryFloatingPoint>(of values: UnsafeBufferPointer<T>) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: values.count * MemoryLayout<T>.size) { bytes, initialized in
        fromLittleEndian(
            UnsafeRawBufferPointer(values), into: UnsafeMutableRawBufferPointer(bytes),
            elementSize: MemoryLayout<T>.size)
        initialized = values.count * MemoryLayout<T>.size
    }
}

/// Copies elements of `elementSize` bytes between little-endian and native order, either way (a plain
/// copy on a little-endian machine).
func fromLittleEndian(
    _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, elementSize: Int
) {
    #if _endian(little)
        destination.copyMemory(from: source)
    #else
        for index in 0..<source.count {
            destination[index] = source[index - index % elementSize + elementSize - 1 - index % elementSize]
        }
    #endif
}

/// The little-endian bytes of integers, in order.
func littleEndianBytes<T: FixedWidthInteger>(of values: [T]) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: values.count * MemoryLayout<T>.size)
    bytes.withUnsafeMutableBytes { raw in
        for (index, value) in values.enumerated() {
            raw.storeBytes(of: value.littleEndian, toByteOffset: index * MemoryLayout<T>.size, as: T.self)
        }
    }
    return bytes
}
