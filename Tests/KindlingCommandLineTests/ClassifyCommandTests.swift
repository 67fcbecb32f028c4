import Foundation
import KindlingTestSupport
import XCTest

/// Issue 20, defect 10: `transfer --save` keeps the class names with the head, and `kindling classify`
/// applies it to new texts through the same frozen encoder: the tiny random BERT of
/// Scripts/reference/transformers_tiny_bert.py (Fixtures/tiny_bert, hidden size 8) with a 20-token
/// vocabulary written here, so that each command takes a moment in a debug build.
final class ClassifyCommandTests: XCTestCase {
    static let words = [
        "team", "goal", "match", "won", "ran", "soup", "bread", "salt", "bake", "fresh", "the", "a", "we", "and", "it",
    ]
    let sentences = [
        ("sport", "the team won the match"), ("sport", "we ran and won"), ("sport", "a goal and a match"),
        ("sport", "the team ran"), ("food", "bake the bread"), ("food", "fresh soup and salt"),
        ("food", "we bake fresh bread"), ("food", "salt it"),
    ]

    /// A BertModel folder: the tiny random BERT fixture with a vocabulary of its 20 token ids.
    func tinyEncoder() throws -> String {
        let folder = try temporaryFolder().appendingPathComponent("tiny-encoder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(
                at: try fixtureURL("tiny_bert/" + name), to: folder.appendingPathComponent(name))
        }
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + Self.words
        try Data(vocabulary.map { $0 + "\n" }.joined().utf8).write(to: folder.appendingPathComponent("vocab.txt"))
        return folder.path
    }

    /// classify on the training sentences gives the training accuracy `transfer` printed for the saved head
    /// (the same encoder features and head, dropout off), and writes every probability as CSV.
    func testClassifyAppliesTheSavedHeadWithItsClassNames() throws {
        let encoder = try tinyEncoder()
        let folder = try temporaryFolder()
        let tsv = folder.appendingPathComponent("texts.tsv")
        try Data(sentences.map { "\($0.0)\t\($0.1)\n" }.joined().utf8).write(to: tsv)
        let head = folder.appendingPathComponent("head.safetensors").path
        let transfer = try Products.kindling(arguments: [
            "transfer", "--encoder", encoder, "--train", tsv.path, "--test", tsv.path, "--inits", "xavier",
            "--epochs", "20", "--batch-size", "4", "--lr", "0.1", "--save", head,
        ])
        XCTAssertEqual(transfer.status, 0, transfer.errors)
        let row = try XCTUnwrap(transfer.output.split(separator: "\n").first { $0.hasPrefix("xavier") })
        let trainAccuracy = try XCTUnwrap(Double(row.split(separator: " ").last!))

        let input = folder.appendingPathComponent("input.txt")
        try Data(sentences.map { $0.1 + "\n" }.joined().utf8).write(to: input)
        let output = folder.appendingPathComponent("classes.csv")
        let classify = try Products.kindling(arguments: [
            "classify", "--model", head, "--encoder", encoder, "--input", input.path, "--output", output.path,
            "--text", "we bake bread",
        ])
        XCTAssertEqual(classify.status, 0, classify.errors)
        let rows = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",").map(String.init)
        }
        XCTAssertEqual(rows[0], ["text", "prediction", "p(food)", "p(sport)"])
        XCTAssertEqual(rows.count, sentences.count + 2)
        XCTAssertEqual(rows[1][0], "we bake bread", "the --text comes first, then the --input lines")
        XCTAssertTrue(classify.output.hasPrefix("we bake bread  "), classify.output)
        var correct = 0
        for (row, sentence) in zip(rows.dropFirst(2), sentences) {
            XCTAssertEqual(row[0], sentence.1)
            let probabilities = row.suffix(2).map { Double($0)! }
            XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-6)
            XCTAssertEqual(row[1], probabilities[0] > probabilities[1] ? "food" : "sport")
            if row[1] == sentence.0 { correct += 1 }
        }
        XCTAssertEqual(Double(correct) / Double(sentences.count), trainAccuracy, accuracy: 1e-4)
    }

    func testClassifyRefusesAHeadWithoutClassNames() throws {
        let folder = try temporaryFolder()
        // A head as `transfer --save` wrote it before it kept the class names (the keys alone).
        let old = folder.appendingPathComponent("old-head.safetensors")
        let header = #"{"classifier.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) } + Array(header.utf8)
        bytes += [UInt8](repeating: 0, count: 8)
        try Data(bytes).write(to: old)
        let outcome = try Products.kindling(arguments: [
            "classify", "--model", old.path, "--encoder", "/nonexistent", "--text", "a",
        ])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.errors.contains(
                "--model: '\(old.path)' has no class names in its metadata ('kindling.classNames')"),
            outcome.errors)
        let missing = try Products.kindling(arguments: [
            "classify", "--model", folder.appendingPathComponent("none.safetensors").path, "--encoder", "/x",
            "--text", "a",
        ])
        XCTAssertTrue(missing.errors.contains("none.safetensors': no such file"), missing.errors)
    }
}
