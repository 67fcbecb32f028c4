import Foundation
import KindlingCore
import KindlingPlatform

/// A safetensors file opened for reading one tensor at a time: the header is read and checked when the
/// file is opened, and each tensor's bytes are read from the file when it is asked for, straight into the
/// tensor's storage when no conversion is needed (F32 into `Tensor<Float>`, F64 into `Tensor<Double>`).
///
/// Loading a model this way holds its weights once: `SafeTensors.read(from:)` holds every tensor's bytes
/// and then the tensors converted from them. The file is read, not mapped, because a mapped file's pages
/// count in the process's resident memory once touched, which would count the weights twice.
///
/// ```swift
/// let file = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: "model.safetensors"))
/// let weight = try file.tensor(named: "fc.weight", as: Float.self)
/// ```
public final class SafeTensorsFile: Sendable {
    /// The file's path.
    public let path: String
    /// The `__metadata__` map.
    public let metadata: [String: String]
    private let locations: [String: SafeTensorsHeader.Location]
    private let descriptor: Int32

    /// Opens the safetensors file at `url` and reads its header.
    ///
    /// - Throws: `SafeTensorsError.cannotRead` when the file is missing, a folder or unreadable, and the
    ///   errors of `SafeTensors(bytes:)` for a malformed header or offsets that do not tile the file.
    public init(contentsOf url: URL) throws {
        path = url.path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw SafeTensorsError.cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        do {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                throw SafeTensorsError.cannotRead(path: path, reason: String(cString: strerror(errno)))
            }
            guard status.st_mode & S_IFMT != S_IFDIR else {
                throw SafeTensorsError.cannotRead(path: path, reason: "it is a folder")
            }
            let fileByteCount = Int(status.st_size)
            var prefix = [UInt8](repeating: 0, count: min(8, fileByteCount))
            try Self.read(descriptor, into: &prefix, atOffset: 0, path: path)
            let jsonByteCount = try prefix.withUnsafeBytes {
                try SafeTensorsHeader.jsonByteCount(prefix: $0, fileByteCount: fileByteCount)
            }
            var json = [UInt8](repeating: 0, count: jsonByteCount)
            try Self.read(descriptor, into: &json, atOffset: 8, path: path)
            let header = try SafeTensorsHeader(json: json, fileByteCount: fileByteCount)
            metadata = header.metadata
            locations = header.locations
        } catch {
            close(descriptor)
            throw error
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The tensors' names, in no particular order.
    public var keys: [String] { Array(locations.keys) }

    /// The shape of the tensor named `key`, or nil when the file has none.
    public func shape(of key: String) -> [Int]? { locations[key]?.shape }

    /// The element type of the tensor named `key`, or nil when the file has none.
    public func dtype(of key: String) -> SafeTensorsDType? { locations[key]?.dtype }

    /// The tensor named `key` converted to `Scalar`, as `SafeTensors.tensor(named:as:)` converts it, read
    /// from the file now.
    ///
    /// - Throws: `SafeTensorsError.missingTensor`, `.unsupportedConversion`, or `.cannotRead` when the file
    ///   can no longer be read (it was shortened since it was opened).
    public func tensor<Scalar: TensorScalar>(named key: String, as _: Scalar.Type = Scalar.self) throws -> Tensor<
        Scalar
    > {
        let location = try self.location(of: key)
        let count = location.elementCount
        #if _endian(little)
            if (Scalar.self == Float.self && location.dtype == .float32)
                || (Scalar.self == Double.self && location.dtype == .float64)
            {
                var failure: Error?
                let scalars = [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
                    do {
                        try Self.read(
                            descriptor, into: UnsafeMutableRawBufferPointer(buffer),
                            atOffset: location.bytes.lowerBound, path: path, key: key)
                    } catch {
                        failure = error
                        buffer.initialize(repeating: 0)
                    }
                    initialized = count
                }
                if let failure { throw failure }
                return Tensor(shape: location.shape, scalars: scalars)
            }
        #endif
        let bytes = try self.bytes(of: key, at: location)
        guard let scalars: [Scalar] = bytes.withUnsafeBytes({ location.dtype.scalars(from: $0, count: count) }) else {
            throw SafeTensorsError.unsupportedConversion(key: key, dtype: location.dtype)
        }
        return Tensor(shape: location.shape, scalars: scalars)
    }

    /// The elements of an integer tensor, as `SafeTensors.integers(named:)` reads them.
    ///
    /// - Throws: `SafeTensorsError.missingTensor`, `.unsupportedConversion` or `.cannotRead`.
    public func integers(named key: String) throws -> [Int64] {
        let location = try self.location(of: key)
        guard location.dtype.isInteger else {
            throw SafeTensorsError.unsupportedConversion(key: key, dtype: location.dtype)
        }
        let bytes = try self.bytes(of: key, at: location)
        guard let integers = bytes.withUnsafeBytes({ location.dtype.integers(from: $0, count: location.elementCount) })
        else { throw SafeTensorsError.unsupportedConversion(key: key, dtype: location.dtype) }
        return integers
    }

    /// Every tensor and the metadata, read into memory.
    ///
    /// - Throws: `SafeTensorsError.cannotRead` when the file can no longer be read.
    public func contents() throws -> SafeTensors {
        var tensors: [String: SafeTensors.Entry] = [:]
        for (key, location) in locations {
            tensors[key] = SafeTensors.Entry(
                dtype: location.dtype, shape: location.shape, bytes: try bytes(of: key, at: location))
        }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    private func location(of key: String) throws -> SafeTensorsHeader.Location {
        guard let location = locations[key] else { throw SafeTensorsError.missingTensor(key: key) }
        return location
    }

    private func bytes(of key: String, at location: SafeTensorsHeader.Location) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: location.bytes.count)
        try Self.read(descriptor, into: &bytes, atOffset: location.bytes.lowerBound, path: path, key: key)
        return bytes
    }

    private static func read(
        _ descriptor: Int32, into bytes: inout [UInt8], atOffset offset: Int, path: String, key: String? = nil
    ) throws {
        try bytes.withUnsafeMutableBytes { try read(descriptor, into: $0, atOffset: offset, path: path, key: key) }
    }

    private static func read(
        _ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, atOffset offset: Int, path: String,
        key: String? = nil
    ) throws {
        guard let cause = readFully(descriptor, into: buffer, atOffset: offset) else { return }
        let what = key.map { "the bytes of tensor \"\($0)\"" } ?? "the header"
        throw SafeTensorsError.cannotRead(path: path, reason: "\(what) cannot be read (\(cause))")
    }
}
