import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// `kindling embed` and `kindling transfer` run as a user would (through CommandLineTests' runner).
extension CommandLineTests {
    func testEmbedPrintsSimilaritiesAndWritesNPYAndCSV() throws {
        let encoder = try encoderFolder().path
        let folder = try temporaryFolder()
        let npy = folder.appendingPathComponent("embeddings.npy")
        let outcome = try kindling(arguments: [
            "embed", "--encoder", encoder, "--text", "A man is eating food.",
            "--text", "A man is eating a piece of bread.", "--output", npy.path,
        ])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertTrue(outcome.output.contains("2 texts -> embeddings of shape [2, 384]"), outcome.output)
        // sentence-transformers gives 0.7553 for this pair with all-MiniLM-L6-v2.
        XCTAssertTrue(outcome.output.contains("  1.000  0.755"), outcome.output)
        let bytes = try Data(contentsOf: npy)
        XCTAssertEqual(bytes.count, 128 + 2 * 384 * 4)
        XCTAssertEqual(Array(bytes.prefix(8)), [0x93] + Array("NUMPY".utf8) + [1, 0])
        XCTAssertTrue(
            String(decoding: bytes[10..<128], as: UTF8.self).hasPrefix(
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 384), }"))

        let input = folder.appendingPathComponent("texts.txt")
        try Data("first line\n\nsecond line\n".utf8).write(to: input)
        let csv = folder.appendingPathComponent("embeddings.csv")
        let fromFile = try kindling(arguments: [
            "embed", "--encoder", encoder, "--input", input.path, "--output", csv.path,
        ])
        XCTAssertEqual(fromFile.status, 0, fromFile.errors)
        let rows = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0].split(separator: ",").count, 384)
        XCTAssertEqual(
            Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)),
            ["embeddings.npy", "texts.txt", "embeddings.csv"], "no temporary file left behind")
    }

    func testEncoderCommandsNameBadArgumentsAndWriteNothing() throws {
        let folder = try temporaryFolder()
        let cases: [([String], String)] = [
            (["embed", "--encoder", folder.path, "--text", "hi"], "vocab.txt: cannot be read"),
            (["embed", "--encoder", folder.path], "give at least one --text or an --input file"),
            (
                [
                    "embed", "--encoder", folder.path, "--text", "hi", "--output",
                    folder.appendingPathComponent("x.txt").path,
                ],
                "must end in .csv or .npy"
            ),
            (["transfer", "--encoder", folder.path, "--inits", "xavier,bogus"], "'bogus' is not one of zeros"),
            (["transfer", "--encoder", folder.path, "--full"], "--full needs --save FILE"),
            (
                ["transfer", "--encoder", folder.path, "--train", folder.appendingPathComponent("none.tsv").path],
                "none.tsv: cannot be read"
            ),
        ]
        for (arguments, message) in cases {
            let outcome = try kindling(arguments: arguments)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.errors.contains(message), "\(arguments): \(outcome.errors)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    /// `transfer`'s default sentences are Kindling's datasets/topics, relative to the current folder: from
    /// elsewhere the message says so, and not for a file the user named.
    func testTransferOutsideKindlingsFolderSaysWhereItsDefaultSentencesAre() throws {
        let folder = try temporaryFolder()
        let elsewhere = try runProcess(
            Products.executable("kindling"), arguments: ["transfer", "--encoder", folder.path], in: folder)
        XCTAssertNotEqual(elsewhere.status, 0)
        XCTAssertTrue(elsewhere.errors.contains("datasets/topics/train.tsv: cannot be read"), elsewhere.errors)
        XCTAssertTrue(
            elsewhere.errors.contains(
                "(the defaults datasets/topics/train.tsv and datasets/topics/test.tsv are read from the current "
                    + "folder: run kindling in Kindling's folder, or give --train and --test)"), elsewhere.errors)
        let named = try runProcess(
            Products.executable("kindling"), arguments: ["transfer", "--encoder", folder.path, "--train", "mine.tsv"],
            in: folder)
        XCTAssertTrue(named.errors.contains("mine.tsv: cannot be read"), named.errors)
        XCTAssertTrue(
            named.errors.contains("(the default datasets/topics/test.tsv is read from the current folder"), named.errors
        )
    }
}

/// How much memory `kindling embed` needs for the encoder's weights.
final class EncoderMemoryTests: XCTestCase {
    /// `kindling embed` on all-MiniLM-L6-v2 (90.9 MB of F32 weights) against the same command on a model of
    /// the same vocabulary with hidden size 8 (1 MB of weights): the difference, what the
    /// weights cost, must stay below 1.3 times the weights file. Each tensor is read from the file straight
    /// into its parameter (`SafeTensorsFile`); reading the whole file first and converting it held the
    /// weights twice, plus the mapped file's pages: about 2 times. The peaks are measured through `PeakMemory`
    /// (see its main.swift for why not from here).
    func testEmbedHoldsTheWeightsOnce() throws {
        let encoder = try encoderFolder()
        let small = try temporaryFolder()
        for name in ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(
                at: encoder.appendingPathComponent(name), to: small.appendingPathComponent(name))
        }
        var configuration =
            try JSONSerialization.jsonObject(with: Data(contentsOf: encoder.appendingPathComponent("config.json")))
            as! [String: Any]
        for (key, value) in [
            "hidden_size": 8, "num_attention_heads": 2, "intermediate_size": 16, "num_hidden_layers": 1,
        ] {
            configuration[key] = value
        }
        let configurationURL = small.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: configuration).write(to: configurationURL)
        let model = BertModel<Float>(configuration: try BertConfiguration(contentsOf: configurationURL))
        var weights = SafeTensors()
        for (name, parameter) in model.namedParameters {
            weights.tensors[BertModel<Float>.huggingFaceKey(for: name)] = SafeTensors.Entry(parameter.value)
        }
        try weights.write(to: small.appendingPathComponent("model.safetensors"))

        let kindling = try Products.executable("kindling").path
        func peak(_ folder: URL) throws -> Double {
            let outcome = try runProcess(
                Products.executable("PeakMemory"),
                arguments: [kindling, "embed", "--encoder", folder.path, "--text", "A man is eating food."])
            let fields = outcome.output.split(separator: " ").compactMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            XCTAssertEqual(fields.count, 2, outcome.output + outcome.errors)
            XCTAssertEqual(fields.last, 0, "kindling embed --encoder \(folder.path): \(outcome.errors)")
            return Double(fields.first ?? 0) / 1024
        }
        let fileMegabytes =
            Double(
                try FileManager.default.attributesOfItem(
                    atPath: encoder.appendingPathComponent("model.safetensors").path)[.size] as! Int)
            / 1_048_576
        let (large, base) = (try peak(encoder), try peak(small))
        print("kindling embed peak RSS: \(large) MB with all-MiniLM-L6-v2, \(base) MB with hidden size 8")
        XCTAssertLessThan(large - base, 1.3 * fileMegabytes, "the weights cost \(large - base) MB")
    }
}
