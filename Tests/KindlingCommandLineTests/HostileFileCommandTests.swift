import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Each command that reads files, run as users run it (the release build, where `precondition` traps
/// silently) on the hostile files of issue 24: every one must exit with an error that names the file,
/// never a signal, within seconds and without allocating what the file does not hold.
final class HostileFileCommandTests: XCTestCase {
    func testEveryCommandThatReadsFilesNamesAHostileFileInsteadOfTrapping() throws {
        let kindling = try Products.releaseExecutable("kindling")
        let folder = try temporaryFolder()
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url.path
        }
        let wine = try fixtureURL("datasets/wine.csv").path
        let huge = try write("huge.npy", HostileFiles.npy(shape: "(4294967296, 4294967296)"))
        let header = HostileFiles.idxHeader(shape: [2_000_000, 32, 32])
        let bomb = try write("images-idx3-ubyte.gz", HostileFiles.gzip(prefix: header, zeroCount: 2_046_820_336))
        let digits = [UInt8](repeating: UInt8(ascii: "7"), count: 16_000_000)
        let long = try write("long.csv", Array("a,b,label\n1,".utf8) + digits + Array(",x\n".utf8))

        // A model of wine's 13 features, and one whose metadata describes a network too large to build.
        var specification = ModelSpecification(architecture: .mlp, inputShape: [13], outputs: 3, task: .multiclass)
        specification.classNames = ["class_0", "class_1", "class_2"]
        let model = folder.appendingPathComponent("model.safetensors")
        try Sequential<Float>(Linear(13, 3)).save(to: model, metadata: ["kindling.model": specification.json])
        specification.hiddenLayers = [1 << 40]
        let giant = folder.appendingPathComponent("giant.safetensors")
        try Sequential<Float>(Linear(13, 3)).save(to: giant, metadata: ["kindling.model": specification.json])
        let truncated = try write("truncated.safetensors", Array(try Data(contentsOf: model).prefix(100)))

        // An encoder folder whose config.json claims a vocabulary of a billion tokens.
        let encoder = folder.appendingPathComponent("encoder")
        try FileManager.default.createDirectory(at: encoder, withIntermediateDirectories: true)
        var settings = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("tiny_bert/config.json")))
                as? [String: Any])
        settings["vocab_size"] = 1_000_000_000
        let config = encoder.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: settings).write(to: config)
        try FileManager.default.copyItem(
            at: fixtureURL("tiny_bert/model.safetensors"), to: encoder.appendingPathComponent("model.safetensors"))
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + (0..<15).map { "w\($0)" }
        try Data(vocabulary.joined(separator: "\n").utf8).write(to: encoder.appendingPathComponent("vocab.txt"))
        let sentences = try write("sentences.tsv", Array("a\tw1 w2\nb\tw3\na\tw2\nb\tw4 w5\n".utf8))

        let cases: [([String], String)] = [
            (["train", "--data", huge, "--epochs", "1"], huge),
            (["train", "--data", bomb, "--epochs", "1"], bomb),
            (["train", "--data", long, "--epochs", "1"], long),
            (["evaluate", "--model", model.path, "--data", huge], huge),
            (["evaluate", "--model", giant.path, "--data", wine], giant.path),
            (["predict", "--model", model.path, "--data", bomb, "--output", folder.path + "/out.csv"], bomb),
            (["predict", "--model", truncated, "--data", wine, "--output", folder.path + "/out.csv"], truncated),
            (["inspect", truncated], truncated),
            (["embed", "--encoder", encoder.path, "--text", "w1 w2"], config.path),
            (["transfer", "--encoder", encoder.path, "--train", sentences, "--test", sentences], config.path),
            (["compare-init", "--data", long, "--iterations", "1"], long),
            (["compare-init", "--data", huge, "--iterations", "1"], huge),
        ]
        for (arguments, path) in cases {
            let outcome = try runProcess(kindling, arguments: arguments, timeout: 120)
            XCTAssertEqual(outcome.reason, .exit, "\(arguments) died of signal \(outcome.status): \(outcome.errors)")
            XCTAssertTrue((1..<128).contains(outcome.status), "\(arguments): status \(outcome.status)")
            XCTAssertTrue(outcome.errors.contains(path), "\(arguments): \(outcome.errors)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "/out.csv"), "nothing half-written")

        // Every input that once crashed a fuzz target (Tests/Fuzz/regressions), through the command that
        // reads its format: an answer or an error, never a signal.
        let regressions = Products.packageFolder.appendingPathComponent("Tests/Fuzz/regressions")
        let commands = [
            "csv": ["train", "--epochs", "1", "--data"], "npy": ["train", "--epochs", "1", "--data"],
            "idx": ["train", "--epochs", "1", "--data"], "safetensors": ["inspect"],
        ]
        for (reader, command) in commands {
            let inputs = regressions.appendingPathComponent(reader)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: inputs.path)) ?? [] {
                let path = inputs.appendingPathComponent(name).path
                let outcome = try runProcess(kindling, arguments: command + [path], timeout: 120)
                XCTAssertEqual(outcome.reason, .exit, "\(path) died of signal \(outcome.status): \(outcome.errors)")
                XCTAssertLessThan(outcome.status, 128, path)
            }
        }

        // The model's 10 positions, not the tokenizer's 512, bound a text: a long one is cut, not a trap.
        settings["vocab_size"] = 20
        try JSONSerialization.data(withJSONObject: settings).write(to: config)
        let text = Array(repeating: "w1 w2 w3", count: 20).joined(separator: " ")
        let embedded = try runProcess(kindling, arguments: ["embed", "--encoder", encoder.path, "--text", text])
        XCTAssertEqual(embedded.status, 0, embedded.errors)
    }

    /// A file too small to split into training and test sets is an error naming it, not a trap in training.
    func testCompareInitOnAFileOfOneExampleIsNamed() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("one.csv")
        try "a,b,label\n1,2,x\n".write(to: file, atomically: true, encoding: .utf8)
        let outcome = try runProcess(
            try Products.releaseExecutable("kindling"),
            arguments: ["compare-init", "--data", file.path, "--iterations", "1"])
        XCTAssertEqual(outcome.reason, .exit, outcome.errors)
        XCTAssertEqual(outcome.status, 1, outcome.errors)
        XCTAssertTrue(
            outcome.errors.contains("\(file.path): 1 example cannot be split into training and test sets"),
            outcome.errors)
    }
}
