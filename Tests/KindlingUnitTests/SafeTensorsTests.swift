import Foundation
import Kindling
import KindlingTestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// safetensors reading and writing, against files written by the Python library
/// (Scripts/reference/safetensors_files.py), malformed files, and atomic saving.
final class SafeTensorsTests: XCTestCase {
    func fixtureBytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: fixtureURL(name))) }

    /// Parses bytes held in memory.
    func parse(_ bytes: [UInt8]) throws -> SafeTensors { try bytes.withUnsafeBytes { try SafeTensors(bytes: $0) } }

    /// A file from a header text (unpadded) and a data region.
    func file(header: String, data: [UInt8] = []) -> [UInt8] {
        littleEndianBytes(of: [UInt64(header.utf8.count)]) + Array(header.utf8) + data
    }

    func assertThrows(
        _ bytes: [UInt8], _ expected: SafeTensorsError, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try parse(bytes), file: file, line: line) { error in
            XCTAssertEqual(error as? SafeTensorsError, expected, file: file, line: line)
        }
        do {
            let url = try temporaryFolder().appendingPathComponent("malformed.safetensors")
            try Data(bytes).write(to: url)
            XCTAssertThrowsError(try SafeTensorsFile(contentsOf: url), "SafeTensorsFile", file: file, line: line) {
                XCTAssertEqual($0 as? SafeTensorsError, expected, "SafeTensorsFile", file: file, line: line)
            }
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    // MARK: - Files the Python library wrote

    func testReadsEveryDTypeThePythonLibraryWrote() throws {
        let reference = try XCTUnwrap(fixture("safetensors_dtypes.json") as? [String: Any])
        let file = try SafeTensors.read(from: fixtureURL("safetensors_dtypes.safetensors"))
        XCTAssertEqual(file.metadata, reference["metadata"] as? [String: String])
        let tensors = try XCTUnwrap(reference["tensors"] as? [String: [String: Any]])
        XCTAssertEqual(Set(file.tensors.keys), Set(tensors.keys))
        for (name, expected) in tensors {
            let entry = try XCTUnwrap(file.tensors[name])
            XCTAssertEqual(entry.dtype.rawValue, expected["dtype"] as? String, name)
            XCTAssertEqual(entry.shape, expected["shape"] as? [Int], name)
            // The values are Python's repr strings: Foundation's JSON reader rounds some decimal numbers wrongly.
            let values = try XCTUnwrap(expected["values"] as? [String]).map { try XCTUnwrap(Double($0)) }
            XCTAssertEqual(try file.tensor(named: name, as: Double.self).scalars, values, name)
            XCTAssertEqual(try file.tensor(named: name, as: Float.self).scalars, values.map { Float($0) }, name)
            if let integers = expected["integers"] as? [Int] {
                XCTAssertEqual(try file.integers(named: name), integers.map(Int64.init), name)
            } else {
                XCTAssertThrowsError(try file.integers(named: name)) { error in
                    XCTAssertEqual(error as? SafeTensorsError, .unsupportedConversion(key: name, dtype: entry.dtype))
                }
            }
        }
        XCTAssertThrowsError(try file.tensor(named: "nope", as: Float.self)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .missingTensor(key: "nope"))
        }
    }

    func testAnOpenFileReadsEachTensorAsTheWholeFileDoes() throws {
        let url = try fixtureURL("safetensors_dtypes.safetensors")
        let whole = try SafeTensors.read(from: url)
        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.metadata, whole.metadata)
        XCTAssertEqual(Set(file.keys), Set(whole.tensors.keys))
        for (name, entry) in whole.tensors {
            XCTAssertEqual(file.shape(of: name), entry.shape, name)
            XCTAssertEqual(file.dtype(of: name), entry.dtype, name)
            func same<T: Equatable>(_ read: (String) throws -> T, _ expected: (String) throws -> T) {
                switch (Result { try read(name) }, Result { try expected(name) }) {
                case (.success(let value), .success(let reference)): XCTAssertEqual(value, reference, name)
                case (.failure(let error), .failure(let reference)):
                    XCTAssertEqual(error as? SafeTensorsError, reference as? SafeTensorsError, name)
                case (let outcome, let reference): XCTFail("\(name): \(outcome) against \(reference)")
                }
            }
            same({ try file.tensor(named: $0, as: Float.self) }, { try whole.tensor(named: $0, as: Float.self) })
            same({ try file.tensor(named: $0, as: Double.self) }, { try whole.tensor(named: $0, as: Double.self) })
            same(file.integers(named:), whole.integers(named:))
        }
        XCTAssertEqual(try file.contents(), whole)
        XCTAssertNil(file.shape(of: "nope"))
        XCTAssertThrowsError(try file.tensor(named: "nope", as: Float.self)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .missingTensor(key: "nope"))
        }
    }

    func testAFileShortenedAfterOpeningOrAFolderIsNamed() throws {
        let folder = try temporaryFolder()
        let url = folder.appendingPathComponent("model.safetensors")
        var weights = SafeTensors()
        weights.tensors["a"] = SafeTensors.Entry(Tensor<Float>(shape: [2], scalars: [1, 2]))
        weights.tensors["b"] = SafeTensors.Entry(Tensor<Float>(shape: [3], scalars: [3, 4, 5]))
        try weights.write(to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 4).write(to: url)
        XCTAssertEqual(try file.tensor(named: "a", as: Float.self).scalars, [1, 2])
        XCTAssertThrowsError(try file.tensor(named: "b", as: Float.self)) { error in
            XCTAssertEqual(
                error as? SafeTensorsError,
                .cannotRead(
                    path: url.path, reason: "the bytes of tensor \"b\" cannot be read (the file ends before them)"))
        }
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: folder)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .cannotRead(path: folder.path, reason: "it is a folder"))
        }
    }

    func testAPipeIsReadWhole() throws {
        let url = try fixtureURL("safetensors_dtypes.safetensors")
        let bytes = try Data(contentsOf: url)
        let pipe = try temporaryFolder().appendingPathComponent("weights.fifo")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: pipe.path) {
                handle.write(bytes)
                try? handle.close()
            }
        }
        writer.start()
        XCTAssertEqual(try SafeTensors.read(from: pipe), try SafeTensors.read(from: url))
    }

    func testRewritingPythonFilesReproducesTheirBytes() throws {
        for name in ["safetensors_dtypes.safetensors", "safetensors_layout.safetensors"] {
            let bytes = try fixtureBytes(name)
            XCTAssertEqual(try parse(bytes).serialized(), bytes, name)
        }
    }

    /// The same tensors built in Kindling (formulas in safetensors_files.py) give the Python library's bytes.
    func testKindlingTensorsSerializeToThePythonLibrarysBytes() throws {
        func ramp<S: TensorScalar>(_ shape: [Int], _: S.Type) -> Tensor<S> {
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { S(Double($0 - 3) * 0.375) })
        }
        let file = SafeTensors(
            tensors: [
                "layer.weight": .init(ramp([3, 4], Float.self)),
                "layer.bias": .init(ramp([3], Float.self)),
                "double.weight": .init(ramp([2, 2, 2], Double.self)),
                "scalar": .init(ramp([], Double.self)),
                "bn.num_batches_tracked": .init(integers: [12], shape: []),
                "counts": .init(integers: (0..<5).map { Int64($0) * 1_000_003 - 7 } + [1 << 40], shape: [6]),
                "empty": .init(Tensor<Float>(shape: [2, 0], scalars: [])),
            ], metadata: ["format": "pt"])
        let expected = try fixtureBytes("safetensors_layout.safetensors")
        XCTAssertEqual(file.serialized(), expected)
        let url = try temporaryFolder().appendingPathComponent("layout.safetensors")
        try file.write(to: url)
        XCTAssertEqual([UInt8](try Data(contentsOf: url)), expected)
        XCTAssertEqual(try SafeTensors.read(from: url), file)
    }

    func testHeaderIsPaddedWithSpacesToAMultipleOfEight() throws {
        for length in 0..<12 {
            let file = SafeTensors(tensors: [String(repeating: "k", count: length + 1): .init(Tensor<Float>([1]))])
            let header = file.headerBytes
            XCTAssertEqual(header.count % 8, 0)
            XCTAssertEqual(String(decoding: header, as: UTF8.self).trimmingCharacters(in: .whitespaces).last, "}")
            XCTAssertEqual(try parse(file.serialized()), file)
        }
    }

    // MARK: - Malformed files

    func testEachMalformationIsNamedWithItsKey() throws {
        let entry = #"{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#
        let eight = [UInt8](repeating: 0, count: 8)
        assertThrows([1, 2, 3], .fileTooShort(byteCount: 3))
        assertThrows(
            littleEndianBytes(of: [UInt64(100_000_001)]) + [UInt8](repeating: 32, count: 16),
            .headerTooLarge(byteCount: 100_000_001))
        assertThrows(
            littleEndianBytes(of: [UInt64(64)]) + Array("{}".utf8),
            .headerBeyondFile(headerByteCount: 64, fileByteCount: 10))
        assertThrows(littleEndianBytes(of: [UInt64.max]) + eight, .headerTooLarge(byteCount: .max))
        assertThrows(file(header: "[1,2]"), .invalidHeader(reason: "the header is not a JSON object"))
        assertThrows(file(header: #"{"a":}"#), .invalidHeader(reason: "unexpected character at byte 5 of the header"))
        assertThrows(
            littleEndianBytes(of: [UInt64(8)]) + Array(#"{"a"#.utf8) + [0xFF] + Array(#"":1}"#.utf8),
            .invalidHeader(reason: "a string is not valid UTF-8 at byte 4 of the header"))
        assertThrows(
            file(header: "{\"w\":\(entry),\"w\":\(entry)}", data: eight + eight), .duplicateKey("w", object: "header"))
        assertThrows(
            file(header: #"{"w":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
            .duplicateKey("dtype", object: "\"w\""))
        assertThrows(
            file(header: #"{"w":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}}"#, data: eight),
            .unknownDType(key: "w", dtype: "F31"))
        assertThrows(
            file(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: eight),
            .sizeMismatch(key: "w", dtype: .float32, shape: [3], byteCount: 8))
        assertThrows(
            file(header: #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: eight),
            .sizeMismatch(key: "w", dtype: .float32, shape: [4_611_686_018_427_387_904, 4], byteCount: 8))
        assertThrows(
            file(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}"#, data: eight),
            .offsetsOutOfRange(key: "w", begin: 0, end: 16, dataByteCount: 8))
        assertThrows(
            file(header: #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, data: eight),
            .offsetsOutOfRange(key: "w", begin: 8, end: 0, dataByteCount: 8))
        assertThrows(
            file(
                header:
                    #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                data: eight),
            .overlappingTensors(key: "b", otherKey: "a"))
        assertThrows(
            file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eight),
            .holeInData(beforeKey: "a", begin: 0, end: 4))
        assertThrows(
            file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: eight),
            .trailingBytes(tensorsEnd: 4, dataByteCount: 8))
        assertThrows(
            file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: eight),
            .invalidEntry(key: "a", reason: "\"shape\" holds something other than a non-negative integer"))
        assertThrows(
            file(header: #"{"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, data: eight),
            .invalidEntry(key: "a", reason: "\"shape\" holds something other than a non-negative integer"))
        assertThrows(
            file(header: #"{"a":{"dtype":"F32","shape":[2]}}"#, data: eight),
            .invalidEntry(key: "a", reason: "no \"data_offsets\""))
        assertThrows(
            file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, data: eight),
            .invalidEntry(key: "a", reason: "\"data_offsets\" has 1 numbers, not 2"))
        assertThrows(
            file(header: #"{"__metadata__":{"k":1}}"#),
            .invalidEntry(key: "__metadata__", reason: "the value of \"k\" is not a string"))
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        assertThrows(
            file(header: #"{"a":"# + deep + "}"),
            .invalidHeader(reason: "nesting deeper than 64 at byte 68 of the header"))
        let error = SafeTensorsError.sizeMismatch(key: "w", dtype: .float32, shape: [3], byteCount: 8)
        XCTAssertEqual(
            error.description, "safetensors: tensor \"w\": shape [3] of F32 needs 12 bytes, its offsets span 8")
    }

    func testAnEmptyFileAndEmptyTensorsAreValid() throws {
        XCTAssertEqual(try parse(file(header: "{}")), SafeTensors())
        let file = SafeTensors(tensors: [
            "a": .init(Tensor<Double>(shape: [0], scalars: [])),
            "b": .init(Tensor<Double>(shape: [3, 0], scalars: [])),
        ])
        XCTAssertEqual(try parse(file.serialized()), file)
    }

    /// Every prefix of a valid file, and 10,000 seeded random mutations of its header and body, give a
    /// file or a thrown SafeTensorsError: never a trap, a hang or a huge allocation. Files that load
    /// are self-consistent: they write and read back to the same contents.
    func testTruncationsAndRandomMutationsLoadOrThrow() throws {
        let original = try fixtureBytes("safetensors_layout.safetensors")
        for length in 0..<original.count {
            XCTAssertThrowsError(try parse(Array(original[..<length]))) { XCTAssertTrue($0 is SafeTensorsError) }
        }
        var random = SplitMix64(seed: 12)
        let headerEnd = 8 + Int(original[0]) + Int(original[1]) << 8
        let interesting = Array("{}[]\",:0123456789-.eE \\u".utf8) + [0, 0xFF, 0xC3]
        var loaded = 0
        for _ in 0..<10_000 {
            var bytes = original
            for _ in 0..<Int(random.next() % 4 + 1) {
                let inHeader = random.next() % 5 != 0
                let position = Int(random.next() % UInt64(inHeader ? headerEnd : original.count))
                guard position < bytes.count, !bytes.isEmpty else { continue }
                switch random.next() % 6 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes[position] = interesting[Int(random.next() % UInt64(interesting.count))]
                case 2: bytes.remove(at: position)
                case 3: bytes.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: position)
                case 4: bytes[position] ^= 1 << UInt8(random.next() % 8)
                default: bytes = Array(bytes[..<position])
                }
            }
            do {
                let file = try parse(bytes)
                XCTAssertEqual(try parse(file.serialized()), file)
                loaded += 1
            } catch {
                XCTAssertTrue(error is SafeTensorsError, "\(error)")
            }
        }
        XCTAssertGreaterThan(loaded, 0, "some mutations (in padding, values) keep the file valid")
        XCTAssertLessThan(loaded, 10_000)
    }

    // MARK: - Atomic saving

    func testAnUnwritableFolderLeavesThePreviousFileAndNoStrayFile() throws {
        let folder = try temporaryFolder()
        let url = folder.appendingPathComponent("model.safetensors")
        let previous = SafeTensors(tensors: ["w": .init(Tensor<Float>([1, 2]))])
        try previous.write(to: url)
        XCTAssertEqual(chmod(folder.path, 0o555), 0)
        // root ignores permissions: write as an unprivileged user (seteuid keeps the saved root id to come back).
        let asRoot = geteuid() == 0
        if asRoot { XCTAssertEqual(seteuid(65534), 0) }
        let replacement = SafeTensors(tensors: ["w": .init(Tensor<Float>([3, 4, 5]))])
        XCTAssertThrowsError(try replacement.write(to: url)) { error in
            guard case .cannotWrite(let path, let reason) = error as? SafeTensorsError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, url.path)
            XCTAssertTrue(reason.contains("Permission denied"), reason)
        }
        if asRoot { XCTAssertEqual(seteuid(0), 0) }
        XCTAssertEqual(try SafeTensors.read(from: url), previous)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.safetensors"])
    }

    func testAFailureMidWriteLeavesThePreviousFileAndNoStrayFile() throws {
        let folder = try temporaryFolder()
        let url = folder.appendingPathComponent("model.safetensors")
        let previous = SafeTensors(tensors: ["w": .init(Tensor<Float>([1, 2]))], metadata: ["run": "1"])
        try previous.write(to: url)
        // A file-size limit of 1 KB makes write(2) fail with EFBIG part way through a 40 KB file.
        let replacement = SafeTensors(tensors: [
            "w": .init(Tensor<Double>(shape: [5000], scalars: Array(repeating: 0.5, count: 5000)))
        ])
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit)
        let saved = limit
        let handler = signal(SIGXFSZ, SIG_IGN)
        limit.rlim_cur = 1024
        XCTAssertEqual(setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit), 0)
        var thrown: Error?
        do { try replacement.write(to: url) } catch { thrown = error }
        var restore = saved
        setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &restore)
        signal(SIGXFSZ, handler)
        guard case .cannotWrite(let path, let reason) = thrown as? SafeTensorsError else {
            return XCTFail("\(String(describing: thrown))")
        }
        XCTAssertEqual(path, url.path)
        XCTAssertTrue(reason.contains("too large"), reason)
        XCTAssertEqual(try SafeTensors.read(from: url), previous)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.safetensors"])
        try replacement.write(to: url)
        XCTAssertEqual(try SafeTensors.read(from: url), replacement)
    }

    func testReadingAMissingFileNamesIt() {
        XCTAssertThrowsError(try SafeTensors.read(from: URL(fileURLWithPath: "/nonexistent/model.safetensors"))) {
            error in
            guard case .cannotRead(let path, _) = error as? SafeTensorsError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/model.safetensors")
        }
    }
}

/// The little-endian bytes of integers.
func littleEndianBytes<T: FixedWidthInteger>(of values: [T]) -> [UInt8] {
    values.flatMap { value in (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
}

/// A small seeded generator (Steele et al.'s SplitMix64) for the mutation test.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
