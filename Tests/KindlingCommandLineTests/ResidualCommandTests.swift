import Foundation
import KindlingTestSupport
import XCTest

/// `kindling residual`: a small run writes its lines and report; bad flags and data fail with a message
/// naming them, before anything is written.
final class ResidualCommandTests: XCTestCase {
    func testASmallRunPrintsEveryVariantAndWritesTheReport() throws {
        let report = try temporaryFolder().appendingPathComponent("report")
        let outcome = try kindling(
            "residual", "--data", fixtureURL("datasets/digits.csv").path, "--depth", "3", "--width", "8",
            "--seeds", "0,1", "--epochs", "1", "--variants", "plain,fixup,zero-gamma", "--report", report.path)
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        for variant in ["plain", "fixup", "zero-gamma"] {
            for seed in [0, 1] {
                XCTAssertTrue(
                    outcome.output.contains(
                        "\(variant.padding(toLength: 11, withPad: " ", startingAt: 0)) seed \(seed): "),
                    outcome.output)
            }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: report.path)
        for file in ["index.html", "loss-curves.svg", "activation-std.svg", "gradient-std.svg", "diagnostics.csv"] {
            XCTAssertTrue(files.contains(file), "\(file) in \(files)")
        }
        let diagnostics = try String(contentsOf: report.appendingPathComponent("diagnostics.csv"), encoding: .utf8)
        XCTAssertTrue(diagnostics.hasPrefix("variant,seed,step,layer,"), diagnostics)
    }

    func testBadFlagsAndImagesForTheMLPFailWithAMessage() throws {
        let digits = try fixtureURL("datasets/digits.csv").path
        let cases: [([String], String)] = [
            (["--depth", "0"], "--depth must be at least 1 for mlp, got 0"),
            (
                ["--variants", "fixup,bogus"],
                "--variants: 'bogus' is not one of plain, fixup, skipinit, batchnorm, zero-gamma"
            ),
            (["--model", "resnet"], "--model resnet needs images (channels x height x width)"),
            (["--lr", "-1"], "--lr must be a positive number, got -1.0"),
        ]
        for (arguments, message) in cases {
            let outcome = try kindling(arguments: ["residual", "--data", digits, "--epochs", "1"] + arguments)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.errors.contains(message), "\(arguments): \(outcome.errors)")
        }
    }
}
