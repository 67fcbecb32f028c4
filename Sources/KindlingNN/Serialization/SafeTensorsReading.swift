import Foundation
import KindlingCore
import KindlingPlatform

extension SafeTensors {
    /// The contents of the safetensors file at `url`, every part checked.
    ///
    /// - Throws: `SafeTensorsError.cannotRead` when the file cannot be opened or read, and the error naming
    ///   the problem (and the key) for a malformed one: see `init(bytes:)`.
    public static func read(from url: URL) throws -> SafeTensors {
        try SafeTensorsFile(contentsOf: url).contents()
    }

    /// The contents of a whole safetensors file held in memory.
    ///
    /// - Throws: `SafeTensorsError`: a file shorter than 8 bytes, a header length over 100 MB or past the
    ///   end of the file, a header that is not UTF-8 JSON or not an object, a repeated key, an entry
    ///   without dtype, shape or data_offsets (or with values of the wrong type), an unknown dtype, a shape
    ///   whose size differs from its byte span, and offsets out of range, overlapping, leaving holes or
    ///   stopping short of the end.
    public init(bytes: UnsafeRawBufferPointer) throws {
        let jsonByteCount = try SafeTensorsHeader.jsonByteCount(prefix: bytes, fileByteCount: bytes.count)
        let header = try SafeTensorsHeader(json: Array(bytes[8..<(8 + jsonByteCount)]), fileByteCount: bytes.count)
        var tensors: [String: Entry] = [:]
        for (key, location) in header.locations {
            tensors[key] = Entry(
                dtype: location.dtype, shape: location.shape,
                bytes: Array(UnsafeRawBufferPointer(rebasing: bytes[location.bytes])))
        }
        self.init(tensors: tensors, metadata: header.metadata)
    }
}
