import Foundation
import KindlingCore
import KindlingPlatform

extension SafeTensors {
    /// The contents of the safetensors file at `url`, every part checked.
    ///
    /// - Throws: `SafeTensorsError.cannotRead` when the file cannot be opened, and the error naming the
    ///   problem (and the key) for a malformed one: see `init(bytes:)`.
    public static func read(from url: URL) throws -> SafeTensors {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafeTensorsError.cannotRead(path: url.path, reason: (error as NSError).localizedDescription)
        }
        return try data.withUnsafeBytes { try SafeTensors(bytes: $0) }
    }

    /// The contents of a whole safetensors file held in memory.
    ///
    /// - Throws: `SafeTensorsError`: a file shorter than 8 bytes, a header length over 100 MB or past the
    ///   end of the file, a header that is not UTF-8 JSON or not an object, a repeated key, an entry
    ///   without dtype, shape or data_offsets (or with values of the wrong type), an unknown dtype, a shape
    ///   whose size differs from its byte span, and offsets out of range, overlapping, leaving holes or
    ///   stopping short of the end.
    public init(bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count >= 8 else { throw SafeTensorsError.fileTooShort(byteCount: bytes.count) }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(Self.maximumHeaderByteCount) else {
            throw SafeTensorsError.headerTooLarge(byteCount: headerLength)
        }
        let dataStart = 8 + Int(headerLength)
        guard dataStart <= bytes.count else {
            throw SafeTensorsError.headerBeyondFile(headerByteCount: headerLength, fileByteCount: bytes.count)
        }
        guard case .object(let members) = try StrictJSONReader.parse(Array(bytes[8..<dataStart])) else {
            throw SafeTensorsError.invalidHeader(reason: "the header is not a JSON object")
        }
        let dataByteCount = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var located: [(key: String, dtype: SafeTensorsDType, shape: [Int], begin: Int, end: Int)] = []
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try Self.metadata(from: value)
            } else {
                let (dtype, shape, begin, end) = try Self.entry(key, value, dataByteCount: dataByteCount)
                located.append((key, dtype, shape, begin, end))
            }
        }
        located.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var covered = 0
        for (index, entry) in located.enumerated() {
            if entry.begin > covered {
                throw SafeTensorsError.holeInData(beforeKey: entry.key, begin: covered, end: entry.begin)
            }
            if entry.begin < covered {
                throw SafeTensorsError.overlappingTensors(key: entry.key, otherKey: located[index - 1].key)
            }
            covered = entry.end
        }
        guard covered == dataByteCount else {
            throw SafeTensorsError.trailingBytes(tensorsEnd: covered, dataByteCount: dataByteCount)
        }
        var tensors: [String: Entry] = [:]
        for entry in located {
            let span = UnsafeRawBufferPointer(rebasing: bytes[(dataStart + entry.begin)..<(dataStart + entry.end)])
            tensors[entry.key] = Entry(dtype: entry.dtype, shape: entry.shape, bytes: Array(span))
        }
        self.init(tensors: tensors, metadata: metadata)
    }

    /// The `__metadata__` object as a map; every value must be a string.
    private static func metadata(from value: JSONValue) throws -> [String: String] {
        guard case .object(let members) = value else {
            throw SafeTensorsError.invalidEntry(key: "__metadata__", reason: "must be an object of strings")
        }
        var result: [String: String] = [:]
        for (key, value) in members {
            guard case .string(let text) = value else {
                throw SafeTensorsError.invalidEntry(
                    key: "__metadata__", reason: "the value of \"\(key)\" is not a string")
            }
            result[key] = text
        }
        return result
    }

    /// A tensor's header entry, checked on its own (dtype known, offsets in range, size consistent).
    private static func entry(
        _ key: String, _ value: JSONValue, dataByteCount: Int
    ) throws -> (SafeTensorsDType, [Int], Int, Int) {
        guard case .object(let fields) = value else {
            throw SafeTensorsError.invalidEntry(key: key, reason: "the entry is not an object")
        }
        func field(_ name: String) throws -> JSONValue {
            guard let value = fields.first(where: { $0.key == name })?.value else {
                throw SafeTensorsError.invalidEntry(key: key, reason: "no \"\(name)\"")
            }
            return value
        }
        func integers(_ name: String) throws -> [Int] {
            guard case .array(let elements) = try field(name) else {
                throw SafeTensorsError.invalidEntry(key: key, reason: "\"\(name)\" is not an array")
            }
            return try elements.map { element in
                guard case .number(let literal) = element, literal.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                    let integer = Int(literal)
                else {
                    throw SafeTensorsError.invalidEntry(
                        key: key, reason: "\"\(name)\" holds something other than a non-negative integer")
                }
                return integer
            }
        }
        guard case .string(let dtypeName) = try field("dtype") else {
            throw SafeTensorsError.invalidEntry(key: key, reason: "\"dtype\" is not a string")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw SafeTensorsError.unknownDType(key: key, dtype: dtypeName)
        }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2 else {
            throw SafeTensorsError.invalidEntry(
                key: key, reason: "\"data_offsets\" has \(offsets.count) numbers, not 2")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end, end <= dataByteCount else {
            throw SafeTensorsError.offsetsOutOfRange(key: key, begin: begin, end: end, dataByteCount: dataByteCount)
        }
        var byteCount = dtype.byteCount
        for dimension in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
            byteCount = overflow ? -1 : product
            if overflow { break }
        }
        guard byteCount == end - begin else {
            throw SafeTensorsError.sizeMismatch(key: key, dtype: dtype, shape: shape, byteCount: end - begin)
        }
        return (dtype, shape, begin, end)
    }
}
