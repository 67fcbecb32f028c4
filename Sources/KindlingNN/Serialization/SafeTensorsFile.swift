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
    /// The open file, or -1 when it was a stream (a pipe, standard input), which is read whole when opened.
    private let descriptor: Int32
    /// A stream's bytes.
    private let streamed: [UInt8]?

    /// Opens the safetensors file at `url` and reads its header. A pipe or another file that is not a
    /// regular one (`/dev/stdin`) cannot be read at an offset: it is read whole now.
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
            let streamed = status.st_mode & S_IFMT == S_IFREG ? nil : try Self.readToEnd(descriptor, path: path)
            let fileByteCount = streamed?.count ?? Int(status.st_size)
            let path = path
            func bytes(_ range: Range<Int>) throws -> [UInt8] {
                if let streamed { return Array(streamed[range]) }
                var bytes = [UInt8](repeating: 0, count: range.count)
                try bytes.withUnsafeMutableBytes {
                    try Self.read(descriptor, into: $0, atOffset: range.lowerBound, path: path)
                }
                return bytes
            }
            let jsonByteCount = try bytes(0..<min(8, fileByteCount)).withUnsafeBytes {
                try SafeTensorsHeader.jsonByteCount(prefix: $0, fileByteCount: fileByteCount)
            }
            let header = try SafeTensorsHeader(json: bytes(8..<(8 + jsonByteCount)), fileByteCount: fileByteCount)
            metadata = header.metadata
            locations = header.locations
            self.streamed = streamed
        } catch {
            close(descriptor)
            throw error
        }
        if streamed != nil { close(descriptor) }
        self.descriptor = streamed == nil ? descriptor : -1
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

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
                        try read(UnsafeMutableRawBufferPointer(buffer), at: location, key: key)
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
        try bytes.withUnsafeMutableBytes { try read($0, at: location, key: key) }
        return bytes
    }

    /// The bytes of the tensor at `location` into `buffer`, from the file or the stream's bytes.
    private func read(_ buffer: UnsafeMutableRawBufferPointer, at location: SafeTensorsHeader.Location, key: String)
        throws
    {
        if let streamed {
            streamed.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[location.bytes])) }
        } else {
            try Self.read(descriptor, into: buffer, atOffset: location.bytes.lowerBound, path: path, key: key)
        }
    }

    private static func read(
        _ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, atOffset offset: Int, path: String,
        key: String? = nil
    ) throws {
        guard let cause = readFully(descriptor, into: buffer, atOffset: offset) else { return }
        let what = key.map { "the bytes of tensor \"\($0)\"" } ?? "the header"
        throw SafeTensorsError.cannotRead(path: path, reason: "\(what) cannot be read (\(cause))")
    }

    /// Everything a stream holds, read to its end.
    private static func readToEnd(_ descriptor: Int32, path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw SafeTensorsError.cannotRead(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }
}
