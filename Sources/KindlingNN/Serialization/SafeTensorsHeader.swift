import KindlingCore

/// The checked header of a safetensors file: its metadata, and each tensor's dtype, shape and place in the
/// file. Building it checks everything but the tensors' bytes themselves, so that `SafeTensors(bytes:)`,
/// which holds the whole file, and `SafeTensorsFile`, which reads a tensor at a time, refuse the same files
/// with the same errors.
struct SafeTensorsHeader {
    /// Where one tensor is: its dtype, its shape and the byte range it occupies in the file.
    struct Location {
        /// The element type.
        let dtype: SafeTensorsDType
        /// The size of each dimension.
        let shape: [Int]
        /// The tensor's bytes, as offsets from the start of the file.
        let bytes: Range<Int>

        /// The number of elements: the product of the shape.
        var elementCount: Int { shape.reduce(1, *) }
    }

    /// The `__metadata__` map.
    let metadata: [String: String]
    /// The tensors by name.
    let locations: [String: Location]

    /// The number of bytes of JSON that follow the file's first 8 bytes (`prefix`, the little-endian header
    /// length), checked against the 100 MB limit and against `fileByteCount`.
    static func jsonByteCount(prefix: UnsafeRawBufferPointer, fileByteCount: Int) throws -> Int {
        guard fileByteCount >= 8, prefix.count >= 8 else {
            throw SafeTensorsError.fileTooShort(byteCount: fileByteCount)
        }
        let headerLength = UInt64(littleEndian: prefix.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(SafeTensors.maximumHeaderByteCount) else {
            throw SafeTensorsError.headerTooLarge(byteCount: headerLength)
        }
        guard 8 + Int(headerLength) <= fileByteCount else {
            throw SafeTensorsError.headerBeyondFile(headerByteCount: headerLength, fileByteCount: fileByteCount)
        }
        return Int(headerLength)
    }

    /// The header whose JSON is `json` (the bytes after the length) in a file of `fileByteCount` bytes.
    ///
    /// - Throws: `SafeTensorsError`: a header that is not UTF-8 JSON or not an object, a repeated key, an
    ///   entry without dtype, shape or data_offsets (or with values of the wrong type), an unknown dtype, a
    ///   shape whose size differs from its byte span, and offsets out of range, overlapping, leaving holes or
    ///   stopping short of the end of the file.
    init(json: [UInt8], fileByteCount: Int) throws {
        guard case .object(let members) = try StrictJSONReader.parse(json) else {
            throw SafeTensorsError.invalidHeader(reason: "the header is not a JSON object")
        }
        let dataStart = 8 + json.count
        let dataByteCount = fileByteCount - dataStart
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
        var locations: [String: Location] = [:]
        for entry in located {
            locations[entry.key] = Location(
                dtype: entry.dtype, shape: entry.shape, bytes: (dataStart + entry.begin)..<(dataStart + entry.end))
        }
        self.metadata = metadata
        self.locations = locations
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
