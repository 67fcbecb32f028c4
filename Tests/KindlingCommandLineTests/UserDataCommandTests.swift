import Foundation
import KindlingTestSupport
import XCTest

/// Issue 20's command-line defects 3, 5, 6, 7 and 8, run as a user would: each error names the flag or file
/// and the problem, exits non-zero, and leaves nothing behind.
final class UserDataCommandTests: XCTestCase {
    func dataset(_ name: String) throws -> String { try fixtureURL("datasets/" + name).path }
    /// A checkpoint of `kindling train` (see Scripts/reference/kindling_checkpoint_predict.py).
    func wineCheckpoint() throws -> String { try fixtureURL("kindling_wine_checkpoint.safetensors").path }

    func assertRefused(
        _ arguments: [String], _ message: String, input: Data? = nil, file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let outcome = try Products.kindling(arguments: arguments, input: input)
        XCTAssertNotEqual(outcome.status, 0, "\(arguments)", file: file, line: line)
        XCTAssertTrue(outcome.errors.contains(message), "\(arguments): \(outcome.errors)", file: file, line: line)
        XCTAssertFalse(
            outcome.errors.contains("Missing value"), "\(arguments): \(outcome.errors)", file: file, line: line)
        XCTAssertFalse(
            outcome.errors.contains("NSCocoaErrorDomain"), "\(arguments): \(outcome.errors)", file: file, line: line)
    }

    /// Defect 3: `--resume` with flags that would change the network is refused, naming them.
    func testResumeRefusesArchitectureFlagsByName() throws {
        let common = [
            "train", "--data", try dataset("wine.csv"), "--label-column", "class", "--resume", try wineCheckpoint(),
        ]
        for flags in [
            ["--layers", "8"], ["--activation", "tanh"], ["--dropout", "0.1"], ["--init", "he"], ["--batch-norm"],
        ] {
            try assertRefused(
                common + flags,
                "--resume continues the saved model as it was built and initialized; \(flags[0]) cannot change it (leave it out"
            )
        }
        try assertRefused(
            common + ["--layers", "8", "--init", "he"], "--layers, --init cannot change it (leave them out")
        let outcome = try Products.kindling(arguments: common + ["--epochs", "1", "--quiet"])
        XCTAssertEqual(outcome.status, 0, "resuming without them still works: \(outcome.errors)")
    }

    /// Defect 5: negative numbers reach validation (a range message) or work where the help documents them.
    func testNegativeNumbersAreReadWhereDocumentedAndOtherwiseGetTheRange() throws {
        let wine = ["train", "--data", try dataset("wine.csv"), "--label-column", "class"]
        try assertRefused(wine + ["--epochs", "-1"], "--epochs must be at least 1, got -1")
        try assertRefused(wine + ["--batch-size", "-2"], "--batch-size must be at least 1, got -2")
        try assertRefused(wine + ["--dropout", "-0.5"], "--dropout must lie in [0, 1), got -0.5")
        try assertRefused(wine + ["--seed", "-3"], "--seed must be in 0...4294967295, got -3")
        try assertRefused(
            ["transfer", "--encoder", "/nonexistent", "--epochs", "-1"], "--epochs must be at least 1, got -1")
        try assertRefused(
            ["transfer", "--encoder", "/nonexistent", "--batch-size", "-4"], "--batch-size must be at least 1, got -4")
        try assertRefused(
            ["transfer", "--encoder", "/nonexistent", "--lr", "-0.1"], "--lr must be a positive number, got -0.1")
        try assertRefused(
            ["embed", "--encoder", "/nonexistent", "--text", "a", "--batch-size", "-1"],
            "--batch-size must be at least 1, got -1")
        // The help documents negative label columns: -1 is the last (breast_cancer.csv's diagnosis).
        let last = try Products.kindling(arguments: [
            "train", "--data", try dataset("breast_cancer.csv"), "--label-column", "-1", "--epochs", "1", "--quiet",
        ])
        XCTAssertEqual(last.status, 0, last.errors)
        XCTAssertTrue(last.output.contains("binary classification (benign / malignant)"), last.output)
    }

    /// Defect 6: an output under /proc or /sys fails before any work, naming the flag, the folder and the reason.
    func testOutputsThatCannotBeCreatedFailBeforeTheWork() throws {
        let wine = ["--data", try dataset("wine.csv"), "--label-column", "class"]
        let cases: [[String]] = [
            ["train"] + wine + ["--save", "/proc/kindling.safetensors"],
            ["train"] + wine + ["--save", "/sys/kindling.safetensors"],
            ["predict", "--model", try wineCheckpoint()] + wine + ["--output", "/proc/predictions.csv"],
            ["export", "--model", try wineCheckpoint(), "--output", "/sys/export.safetensors"],
            ["embed", "--encoder", "/nonexistent", "--text", "a", "--output", "/proc/embeddings.npy"],
            ["transfer", "--encoder", "/nonexistent", "--save", "/proc/head.safetensors"],
            [
                "classify", "--model", "head.safetensors", "--encoder", "/nonexistent", "--text", "a", "--output",
                "/sys/c.csv",
            ],
        ]
        for arguments in cases {
            let option = arguments[arguments.count - 2]
            let folder = (arguments.last! as NSString).deletingLastPathComponent
            let outcome = try Products.kindling(arguments: arguments)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(
                outcome.errors.contains("\(option): cannot write into '\(folder)': "), "\(arguments): \(outcome.errors)"
            )
            XCTAssertTrue(outcome.output.isEmpty, "\(arguments): nothing ran: \(outcome.output)")
        }
    }

    /// Defect 7: reading errors say what is wrong with which file; `-` reads standard input for texts.
    func testReadingErrorsNameTheCause() throws {
        let folder = try temporaryFolder()
        let embed = ["embed", "--encoder", "/nonexistent", "--input"]
        let missing = folder.appendingPathComponent("missing.txt").path
        try assertRefused(embed + [missing], "--input: '\(missing)': no such file")
        try assertRefused(embed + [folder.path], "--input: '\(folder.path)': is a folder, not a file")
        let latin1 = folder.appendingPathComponent("latin1.txt")
        try Data([0x61, 0x62, 0x63, 0x0A, 0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: latin1)
        try assertRefused(embed + [latin1.path], "--input: '\(latin1.path)' is not UTF-8 text (byte 7, on line 2")
        // Standard input and a named pipe are read to their end (the encoder is the next thing to fail).
        try assertRefused(embed + ["-"], "--encoder:", input: Data("one\ntwo\n".utf8))
        try assertRefused(embed + ["-"], "--input: '-' holds no texts", input: Data("\n \n".utf8))
        let pipe = folder.appendingPathComponent("texts.fifo").path
        XCTAssertEqual(mkfifo(pipe, 0o600), 0)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: pipe) {
                handle.write(Data("through a pipe\n".utf8))
                try? handle.close()
            }
        }
        writer.start()
        try assertRefused(embed + [pipe], "--encoder:")

        let model = ["evaluate", "--data", try dataset("wine.csv"), "--label-column", "class", "--model"]
        try assertRefused(model + [folder.path], "\(folder.path): is a folder, not a file")
        try assertRefused(model + ["-"], "-: a model is read from a file, not from standard input")
        let truncated = folder.appendingPathComponent("truncated.safetensors")
        try Data(try Data(contentsOf: URL(fileURLWithPath: try wineCheckpoint())).prefix(300)).write(to: truncated)
        try assertRefused(model + [truncated.path], "\(truncated.path): not a readable safetensors checkpoint: ")
    }

    /// Defect 8: the report shows the summary as preformatted text, the final and best metrics, the settings,
    /// titles with their acronyms, a confusion matrix wide enough for its title; a failed run leaves no folder.
    func testTheTrainingReport() throws {
        let folder = try temporaryFolder()
        let report = folder.appendingPathComponent("wine-report")
        var outcome = try Products.kindling(arguments: [
            "train", "--data", try dataset("wine.csv"), "--label-column", "class", "--epochs", "2", "--quiet",
            "--diagnostics", "--report", report.path,
        ])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        let index = try String(contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("<pre>Model: &quot;Sequential&quot;") || index.contains("<pre>"), index)
        XCTAssertTrue(index.contains("<caption>Final and best metrics</caption>"), index)
        XCTAssertTrue(index.contains("<th>after epoch 2</th>"), index)
        XCTAssertTrue(index.contains("<td>validation accuracy</td>"), index)
        XCTAssertTrue(index.contains("<caption>Settings</caption>"), index)
        XCTAssertTrue(index.contains("<tr><td>learning rate</td><td>0.001</td></tr>"), index)
        let deadReLU = try String(
            contentsOf: report.appendingPathComponent("diagnostics-dead-relu.svg"), encoding: .utf8)
        XCTAssertTrue(deadReLU.contains("Dead ReLU fraction"), deadReLU)
        let confusion = try String(contentsOf: report.appendingPathComponent("confusion-matrix.svg"), encoding: .utf8)
        let title = try XCTUnwrap(
            confusion.range(of: "Validation confusion matrix \\(accuracy [0-9.]+\\)", options: .regularExpression))
        let width = try XCTUnwrap(confusion.range(of: "width=\"[0-9.]+\"", options: .regularExpression))
        let pixels = Double(confusion[width].dropFirst(7).dropLast())!
        XCTAssertGreaterThanOrEqual(pixels, 8.5 * Double(confusion[title].count), "the title fits: \(confusion[width])")

        let regression = folder.appendingPathComponent("diabetes-report")
        outcome = try Products.kindling(arguments: [
            "train", "--data", try dataset("diabetes_train.csv"), "--epochs", "2", "--quiet", "--report",
            regression.path,
        ])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        let metric = try String(contentsOf: regression.appendingPathComponent("validation-metric.svg"), encoding: .utf8)
        XCTAssertTrue(metric.contains("Validation MAE"), metric)

        let failed = folder.appendingPathComponent("failed-report")
        outcome = try Products.kindling(arguments: [
            "train", "--data", folder.appendingPathComponent("missing.csv").path, "--report", failed.path,
        ])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: failed.path), "no empty report folder is left")
    }

    /// Defect 8: a run stopped by SIGINT (Ctrl-C) while it trains leaves no report folder behind.
    func testAnInterruptedRunLeavesNoReportFolder() throws {
        let report = try temporaryFolder().appendingPathComponent("interrupted-report")
        let process = Process()
        process.executableURL = try Products.executable("kindling")
        process.arguments = [
            "train", "--data", try dataset("digits.csv"), "--epochs", "100000", "--quiet", "--report", report.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 2)
        XCTAssertTrue(process.isRunning, "still training when interrupted")
        process.interrupt()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertFalse(FileManager.default.fileExists(atPath: report.path), "no empty report folder is left")
    }
}
