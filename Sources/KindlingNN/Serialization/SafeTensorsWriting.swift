import Foundation
import KindlingCore
import KindlingPlatform

extension SafeTensors {
    /// The header as written: compact JSON (metadata first, then the tensors in `orderedKeys` order with
    /// consecutive offsets), padded with spaces to a multiple of 8 bytes.
    public var headerBytes: [UInt8] {
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { CompactJSON.string($0.key) + ":" + CompactJSON.string($0.value) }
            members.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for key in orderedKeys {
            let entry = tensors[key]!
            let end = offset + entry.bytes.count
            let shape = entry.shape.map(String.init).joined(separator: ",")
            members.append(
                CompactJSON.string(key)
                    + ":{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
            )
            offset = end
        }
        var header = Array(("{" + members.joined(separator: ",") + "}").utf8)
        header += [UInt8](repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        return header
    }

    /// The whole file in memory: header length, header, tensors' bytes.
    public func serialized() -> [UInt8] {
        let header = headerBytes
        var bytes = littleEndianBytes(of: [UInt64(header.count)]) + header
        for key in orderedKeys { bytes += tensors[key]!.bytes }
        return bytes
    }

    /// Writes the file atomically: into a temporary file in the destination's folder, flushed to disk
    /// (fsync) and renamed over `url`. If anything fails, the previous file at `url` is left as it was and
    /// the temporary file is removed.
    ///
    /// - Throws: `SafeTensorsError.cannotWrite` naming the path and the system's reason.
    public func write(to url: URL) throws {
        let header = headerBytes
        let keys = orderedKeys
        try AtomicFile.write(to: url) { sink in
            try sink.write(littleEndianBytes(of: [UInt64(header.count)]))
            try sink.write(header)
            for key in keys { try sink.write(tensors[key]!.bytes) }
        }
    }
}
