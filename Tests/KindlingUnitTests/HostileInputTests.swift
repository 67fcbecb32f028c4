import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Every reader against hostile input (issue 24): the cases that trapped or ran for seconds, each now a
/// named error after bounded work; seeded mutations of every format, as the safetensors reader's test
/// does; and the fuzz corpus (Tests/Fuzz) replayed through the readers that Scripts/fuzz fuzzes.
final class HostileInputTests: XCTestCase {
    func assertThrows(
        _ expression: @autoclosure () throws -> some Any, _ expected: String, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            XCTAssertEqual("\(error)", expected, file: file, line: line)
        }
    }

    // MARK: - The cases of the issue

    func testAnNPYShapeWhoseProductOverflowsIsNamed() throws {
        assertThrows(
            try NumericArray(npyBytes: HostileFiles.npy(shape: "(4294967296, 4294967296)"), path: "huge.npy"),
            "huge.npy: the .npy shape [4294967296, 4294967296] has more elements than memory can hold (the file "
                + "holds 0 bytes of data)")
        assertThrows(
            try NumericArray(npyBytes: HostileFiles.npy(shape: "(0, 4294967296, 4294967296)"), path: "empty.npy"),
            "empty.npy: the .npy shape [0, 4294967296, 4294967296] has more elements than memory can hold (the file "
                + "holds 0 bytes of data)")
        XCTAssertEqual(try NumericArray(npyBytes: HostileFiles.npy(shape: "(0, 5)"), path: "e.npy").shape, [0, 5])
        let rank = "(" + String(repeating: "1, ", count: 65) + ")"
        assertThrows(
            try NumericArray(
                npyBytes: HostileFiles.npy(shape: rank, data: Array(repeating: 0, count: 8)), path: "r.npy"),
            "r.npy: the .npy shape has 65 dimensions, more than 64")
        let folder = try temporaryFolder()
        let noValues = folder.appendingPathComponent("no-values.npy")
        try Data(HostileFiles.npy(shape: "(3, 0)")).write(to: noValues)
        assertThrows(
            try RawExamples(contentsOf: noValues), "\(noValues.path): its examples of shape [0] hold no values")
    }

    /// The issue's file: a gzipped IDX whose header claims 2,000,000 × 32 × 32 bytes and whose stream
    /// holds 2 GB of zeros (13 MB here: fixed-Huffman codes), with a trailer that tells the truth. It was
    /// decompressed in full (4 GB, 15 s); now its trailer disagrees with the header, and counting stops
    /// after `Gzip.countingBudget` bytes.
    func testAGzipIDXThatLiesAboutItsSizeIsRejectedWithoutInflatingIt() throws {
        let header = HostileFiles.idxHeader(shape: [2_000_000, 32, 32])
        let bomb = HostileFiles.gzip(prefix: header, zeroCount: 2_046_820_352 - header.count)
        assertThrows(
            try NumericArray(idxBytes: bomb, path: "bomb.gz"),
            "bomb.gz: the gzip trailer records 2046820352 bytes (modulo 2^32), its header promises 2048000016: the "
                + "file is damaged, truncated or more than one gzip member")
        let tiny = HostileFiles.gzip(prefix: header, zeroCount: 1000)
        assertThrows(
            try NumericArray(idxBytes: tiny, path: "tiny.gz"),
            "tiny.gz: the IDX header's shape [2000000, 32, 32] needs 2048000016 bytes, more than \(tiny.count) bytes "
                + "of gzip can hold (deflate expands at most 1032:1)")
        let forged = HostileFiles.gzip(
            prefix: HostileFiles.idxHeader(shape: [10]), zeroCount: 1 << 20, recordedSize: 18)
        assertThrows(
            try NumericArray(idxBytes: forged, path: "forged.gz"),
            "forged.gz: the gzip data decompresses to more than the 18 bytes its header promises")
        let overflow = HostileFiles.idxHeader(shape: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF])
        assertThrows(
            try NumericArray(idxBytes: overflow, path: "overflow.idx"),
            "overflow.idx: the IDX header's shape [4294967295, 4294967295, 4294967295] has too many elements")
    }

    func testHonestGzipIDXStillReadsInOneMemberOrSeveral() throws {
        let header = HostileFiles.idxHeader(shape: [3, 4])
        let one = try NumericArray(idxBytes: HostileFiles.gzip(prefix: header, zeroCount: 12), path: "one.gz")
        XCTAssertEqual(one.shape, [3, 4])
        XCTAssertEqual(one.values, Array(repeating: 0, count: 12))
        // Two members: the trailer records only the last one's 5 bytes, so the stream is counted first.
        let two = HostileFiles.gzip(prefix: header, zeroCount: 7) + HostileFiles.gzip(prefix: [], zeroCount: 5)
        XCTAssertEqual(try NumericArray(idxBytes: two, path: "two.gz"), one)
        let short = HostileFiles.gzip(prefix: header, zeroCount: 7) + HostileFiles.gzip(prefix: [], zeroCount: 4)
        assertThrows(
            try NumericArray(idxBytes: short, path: "short.gz"),
            "short.gz: the gzip data decompresses to 23 bytes, its header promises 24")
    }

    /// A 16-million-digit field took 11 s in strtod; it is now rejected before it is read.
    func testACSVNumberLongerThanAnyDoubleIsRejectedAtOnce() throws {
        let field = [UInt8](repeating: UInt8(ascii: "7"), count: 16_000_000)
        let bytes = Array("a,b\n1,".utf8) + field + Array("\n".utf8)
        assertThrows(
            try CSVTableFile(bytes: bytes, path: "long.csv", header: .present, label: .none),
            "long.csv:2:3: field 2 ('b'): '7777777777777777777777777777777777777777…' (16000000 bytes) is longer "
                + "than any number (at most 1100 bytes)")
        let longest = "1." + String(repeating: "0", count: ReadingLimits.maximumNumberLength - 2)
        let table = try CSVTableFile(bytes: Array("a,b\n1,\(longest)\n".utf8), path: "ok.csv", label: .none)
        XCTAssertEqual(table.features, [1, 1])
    }

    /// Blank lines counted as rows made a header of 100,000 columns over 2 million blank lines ask for
    /// 200 billion features; no more rows than the bytes can hold are reserved now.
    func testBlankLinesAndWideRowsCostOnlyTheirBytes() throws {
        let header = (1...100_000).map { "c\($0)" }.joined(separator: ",")
        let row = "1" + String(repeating: ",1", count: 99_999)
        let text = header + "\n" + row + "\n" + String(repeating: "\n", count: 2_000_000)
        let table = try CSVTableFile(bytes: Array(text.utf8), path: "blank.csv", label: .none)
        XCTAssertEqual(table.rowCount, 1)
        XCTAssertEqual(table.features.count, 100_000)
        let wide = Array(repeating: "1", count: ReadingLimits.maximumColumnCount + 1).joined(separator: ",")
        assertThrows(
            try CSVTableFile(bytes: Array(wide.utf8), path: "wide.csv"),
            "wide.csv: line 1 has more than 1048576 columns")
    }

    /// all-MiniLM-style folders whose max_position_embeddings is below the tokenizer's 512 trapped on
    /// long texts; the texts are cut to the model's positions.
    func testTextsLongerThanTheModelsPositionsAreCutToThem() throws {
        let configuration = BertConfiguration(
            vocabularySize: 6, hiddenSize: 4, hiddenLayerCount: 1, attentionHeadCount: 1, intermediateSize: 8,
            maximumPositions: 6)
        let model = BertModel<Float>(configuration: configuration, generator: RandomGenerator(seed: 1))
        let tokenizer = try WordPieceTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "b"])
        let long = Array(repeating: "a b", count: 50).joined(separator: " ")
        let embeddings = sentenceEmbeddings([long, "a b a b"], model: model, tokenizer: tokenizer)
        XCTAssertEqual(embeddings.shape, [2, 4])
        XCTAssertEqual(Array(embeddings.scalars[0..<4]), Array(embeddings.scalars[4..<8]))
    }

    func testOversizedOrUnbuildableEncoderFilesAreNamed() throws {
        let folder = try temporaryFolder()
        let config = folder.appendingPathComponent("config.json")
        try Data(repeating: UInt8(ascii: " "), count: ReadingLimits.maximumConfigurationByteCount + 1).write(to: config)
        assertThrows(
            try BertConfiguration(contentsOf: config),
            "\(config.path): cannot be read (\(config.path): 1048577 bytes, more than the 1048576 it may have)")
        var settings = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("tiny_bert/config.json")))
                as? [String: Any])
        settings["max_position_embeddings"] = 1
        try JSONSerialization.data(withJSONObject: settings).write(to: config)
        assertThrows(
            try BertConfiguration(contentsOf: config),
            "\(config.path): max_position_embeddings: 1 leaves no room for [CLS] and [SEP]")
        settings["max_position_embeddings"] = 10
        settings["vocab_size"] = 1_000_000_000
        try JSONSerialization.data(withJSONObject: settings).write(to: config)
        try FileManager.default.copyItem(
            at: fixtureURL("tiny_bert/model.safetensors"), to: folder.appendingPathComponent("model.safetensors"))
        XCTAssertThrowsError(try BertModel<Float>.load(from: folder)) { error in
            guard case .invalidConfiguration(let path, "sizes", let reason) = error as? EncoderLoadingError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, config.path)
            XCTAssertTrue(reason.hasPrefix("a model of these sizes has 8000"), reason)
        }

        let vocabulary = folder.appendingPathComponent("vocab.txt")
        try Data(String(repeating: "a\n", count: ReadingLimits.maximumVocabularySize + 1).utf8).write(to: vocabulary)
        assertThrows(
            try WordPieceTokenizer(folder: folder),
            "\(vocabulary.path): cannot be read (1048577 lines, more tokens than 1048576)")
        try Data(("[PAD]\n[UNK]\n[CLS]\n[SEP]\n" + String(repeating: "x", count: 1025) + "\n").utf8).write(
            to: vocabulary)
        assertThrows(
            try WordPieceTokenizer(folder: folder),
            "\(vocabulary.path): cannot be read (line 5 is longer than 1024 bytes)")
        try Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\n".utf8).write(to: vocabulary)
        let tokenizerSettings = folder.appendingPathComponent("tokenizer_config.json")
        try Data(#"{"model_max_length": 1}"#.utf8).write(to: tokenizerSettings)
        assertThrows(
            try WordPieceTokenizer(folder: folder),
            "\(tokenizerSettings.path): model_max_length = 1 is not supported")
    }

    func testACheckpointSpecificationThatCannotBeBuiltIsRejected() throws {
        let valid = try String(
            contentsOf: Products.packageFolder.appendingPathComponent("Tests/Fuzz/corpus/checkpoint/mlp.json"),
            encoding: .utf8)
        let specification = try ModelSpecification(json: valid)
        XCTAssertEqual(specification.parameterCount, 2 * 16 + 16 + 4 * 16 + 16 * 8 + 8 + 4 * 8 + 8 * 3 + 3)
        let hostile = [
            (#""hiddenLayers":[16,8]"#, #""hiddenLayers":[9223372036854775807,8]"#),
            (#""hiddenLayers":[16,8]"#, #""hiddenLayers":[0]"#),
            (#""inputShape":[2]"#, #""inputShape":[]"#),
            (#""inputShape":[2]"#, #""inputShape":[4611686018427387904,4]"#),
            (#""architecture":"mlp""#, #""architecture":"simplecnn""#),
            (#""dropout":0.25"#, #""dropout":1.5"#),
            (#""outputs":3"#, #""outputs":-3"#),
            (#""mean":["0x1.ap+3","0x1.2666666666666p+1"]"#, #""mean":["0x1.ap+3"]"#),
        ]
        for (original, replacement) in hostile {
            let json = valid.replacingOccurrences(of: original, with: replacement)
            XCTAssertNotEqual(json, valid)
            XCTAssertThrowsError(try ModelSpecification(json: json), replacement)
        }
    }

    // MARK: - Seeded mutations of every format

    /// `count` seeded mutations of `original` (the safetensors test's: a byte replaced, set to an
    /// interesting byte, removed, inserted, a bit flipped, the rest cut off; one to four each) and 256
    /// prefixes of it, each given to `read`, which must return or throw an error `isExpected`
    /// accepts: never trap, hang or allocate what the input does not hold. Returns how many were read.
    @discardableResult
    func assertMutationsReadOrThrow(
        _ original: [UInt8], count: Int = 2_000, seed: UInt64, interesting: [UInt8],
        file: StaticString = #filePath, line: UInt = #line,
        _ read: ([UInt8]) throws -> Void, isExpected: (Error) -> Bool
    ) -> Int {
        var random = SplitMix64(seed: seed)
        var inputs = stride(from: 0, to: original.count, by: max(1, original.count / 256)).map {
            Array(original[..<$0])
        }
        for _ in 0..<count {
            var bytes = original
            for _ in 0..<Int(random.next() % 4 + 1) {
                guard !bytes.isEmpty else { break }
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 6 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes[position] = interesting[Int(random.next() % UInt64(interesting.count))]
                case 2: bytes.remove(at: position)
                case 3: bytes.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: position)
                case 4: bytes[position] ^= 1 << UInt8(random.next() % 8)
                default: bytes = Array(bytes[..<position])
                }
            }
            inputs.append(bytes)
        }
        var loaded = 0
        for bytes in inputs {
            do {
                try read(bytes)
                loaded += 1
            } catch {
                XCTAssertTrue(isExpected(error), "\(error)", file: file, line: line)
            }
        }
        XCTAssertLessThan(loaded, inputs.count, "some mutations must be rejected", file: file, line: line)
        return loaded
    }

    func fixtureBytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: fixtureURL(name))) }
    func corpusBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Products.packageFolder.appendingPathComponent("Tests/Fuzz/corpus/" + name)))
    }
    let numeric = Array("0123456789-+.eE,\n\r\" ".utf8) + [0, 0xFF, 0xC3]
    let binary: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x08, 0x0D, 0x1F, 0x8B, 0x93]
    let json = Array("{}[]\",:0123456789-.eE \\u".utf8) + [0, 0xFF, 0xC3]
    func isDataError(_ error: Error) -> Bool { error is DataError }

    func testMutatedCSVReadsOrThrowsADataError() throws {
        for (name, label) in [("csv/wine-head.csv", LabelColumn.name("class")), ("csv/quoted.csv", .index(0))] {
            let loaded = assertMutationsReadOrThrow(
                try corpusBytes(name), seed: 24, interesting: numeric,
                { bytes in
                    _ = try CSVTableFile(bytes: bytes, path: "mutated.csv", label: label)
                }, isExpected: isDataError)
            XCTAssertGreaterThan(loaded, 0, "mutations of spaces, quotes and digits keep some files valid")
        }
    }

    func testMutatedNPYReadsOrThrowsADataError() throws {
        for name in ["f8-little-F.npy", "i2-big-C.npy"] {
            assertMutationsReadOrThrow(
                try fixtureBytes("datasets/npy/" + name), seed: 25, interesting: binary + json,
                { bytes in
                    _ = try NumericArray(npyBytes: bytes, path: "mutated.npy")
                }, isExpected: isDataError)
        }
    }

    func testMutatedIDXPlainAndGzipReadOrThrowADataError() throws {
        for name in ["idx/images-12", "idx/floats-2x3", "idx/images-12.gz", "idx/labels-12.gz"] {
            assertMutationsReadOrThrow(
                try corpusBytes(name), seed: 26, interesting: binary,
                { bytes in
                    _ = try NumericArray(idxBytes: bytes, path: "mutated.idx")
                }, isExpected: isDataError)
        }
    }

    func testMutatedEncoderFilesReadOrThrowTheirErrors() throws {
        let folder = try temporaryFolder()
        let config = folder.appendingPathComponent("config.json")
        assertMutationsReadOrThrow(
            try fixtureBytes("tiny_bert/config.json"), count: 400, seed: 27, interesting: json,
            { bytes in
                try Data(bytes).write(to: config)
                _ = try BertConfiguration(contentsOf: config)
            }, isExpected: { $0 is EncoderLoadingError })
        let vocabulary = folder.appendingPathComponent("vocab.txt")
        assertMutationsReadOrThrow(
            try corpusBytes("vocab/minilm-part.txt"), count: 400, seed: 28, interesting: numeric + json,
            { bytes in
                try Data(bytes).write(to: vocabulary)
                _ = try WordPieceTokenizer(folder: folder).encode("Héllo, unaffable [SEP] world!")
            }, isExpected: { $0 is TokenizerError })
        try Data(corpusBytes("vocab/minilm-part.txt")).write(to: vocabulary)
        let settings = folder.appendingPathComponent("tokenizer_config.json")
        assertMutationsReadOrThrow(
            try corpusBytes("tokenizer/cased.json"), count: 400, seed: 29, interesting: json,
            { bytes in
                try Data(bytes).write(to: settings)
                _ = try WordPieceTokenizer(folder: folder).encode(String(decoding: bytes, as: UTF8.self))
            }, isExpected: { $0 is TokenizerError })
    }

    func testMutatedCheckpointSpecificationsReadOrThrow() throws {
        for name in ["checkpoint/mlp.json", "checkpoint/cnn.json"] {
            assertMutationsReadOrThrow(
                try corpusBytes(name), seed: 30, interesting: json,
                { bytes in
                    let specification = try ModelSpecification(json: String(decoding: bytes, as: UTF8.self))
                    XCTAssertNotNil(specification.parameterCount)
                }, isExpected: { $0 is DecodingError || $0 is DataError })
        }
    }

    // MARK: - The fuzz corpus

    /// Every seed and regression input of Tests/Fuzz through the reader its fuzz target drives (without
    /// the sanitizers: Scripts/fuzz --replay runs them with them). None may trap.
    func testTheFuzzCorpusReadsOrThrows() throws {
        let root = Products.packageFolder.appendingPathComponent("Tests/Fuzz")
        let folder = try temporaryFolder()
        try Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n".utf8).write(to: folder.appendingPathComponent("vocab.txt"))
        let readers: [String: ([UInt8]) throws -> Void] = [
            "csv": { _ = try CSVTableFile(bytes: $0, path: "corpus.csv") },
            "npy": { _ = try NumericArray(npyBytes: $0, path: "corpus.npy") },
            "idx": { _ = try NumericArray(idxBytes: $0, path: "corpus.idx") },
            "safetensors": { bytes in _ = try bytes.withUnsafeBytes { try SafeTensors(bytes: $0) } },
            "config": { bytes in
                let url = folder.appendingPathComponent("config.json")
                try Data(bytes).write(to: url)
                _ = try BertConfiguration(contentsOf: url)
            },
            "vocab": { bytes in
                let other = folder.appendingPathComponent("vocab")
                try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
                try Data(bytes).write(to: other.appendingPathComponent("vocab.txt"))
                _ = try WordPieceTokenizer(folder: other).encode("Héllo, world!")
            },
            "tokenizer": { bytes in
                try Data(bytes).write(to: folder.appendingPathComponent("tokenizer_config.json"))
                _ = try WordPieceTokenizer(folder: folder).encode(String(decoding: bytes, as: UTF8.self))
            },
            "checkpoint": { _ = try ModelSpecification(json: String(decoding: $0, as: UTF8.self)) },
        ]
        var replayed = 0
        for (reader, read) in readers {
            for kind in ["corpus", "regressions"] {
                let inputs = root.appendingPathComponent(kind).appendingPathComponent(reader)
                let names = (try? FileManager.default.contentsOfDirectory(atPath: inputs.path)) ?? []
                XCTAssertTrue(kind == "regressions" || !names.isEmpty, "no seeds for \(reader)")
                for name in names {
                    _ = try? read([UInt8](Data(contentsOf: inputs.appendingPathComponent(name))))
                    replayed += 1
                }
            }
        }
        XCTAssertGreaterThan(replayed, 40)
    }
}
