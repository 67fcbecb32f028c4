import Foundation
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
}
