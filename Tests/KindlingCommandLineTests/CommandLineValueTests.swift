import Foundation
import KindlingTestSupport
import XCTest

/// Negative integers reach validation (issue 10, section 5): the option parser would otherwise read
/// `-5` as a flag and say "Missing value"; and the report folder is checked by creating it.
extension CommandLineTests {
    func testNegativeIntegersAreReadAndNamedWithTheAllowedRange() throws {
        let cases: [([String], String)] = [
            (["compare-init", "--iterations", "-5"], "iterations must be at least 1, got -5"),
            (["compare-init", "--batch-size", "-2"], "the batch size must be at least 1, got -2"),
            (["compare-init", "--record-every", "-1"], "the recording interval must be at least 1, got -1"),
            (["compare-init", "--seed", "-3"], "--seed must be in 0...4294967295, got -3"),
            (["compare-init", "--layers", "-5"], "hidden layer widths must be positive, got [-5]"),
            (["propagate", "--layers", "-1"], "--layers must be at least 1, got -1"),
            (["propagate", "--width", "-4"], "--width must be at least 1, got -4"),
            (["propagate", "--batch-size", "-1"], "--batch-size must be at least 2 (a std needs two rows), got -1"),
            (["propagate", "--seed", "4294967296"], "--seed must be in 0...4294967295, got 4294967296"),
        ]
        for (arguments, message) in cases {
            let outcome = try kindling(arguments: arguments)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.errors.contains(message), "\(arguments): \(outcome.errors)")
            XCTAssertFalse(outcome.errors.contains("Missing value"), "\(arguments): \(outcome.errors)")
            XCTAssertTrue(outcome.output.isEmpty, "\(arguments): nothing ran: \(outcome.output)")
        }
    }

    func testAReportFolderThatCannotBeCreatedFailsBeforeTrainingWithTheReason() throws {
        // Permission bits do not tell: as root /proc looks writable, yet nothing can be created there.
        var outcome = try kindling(arguments: ["compare-init", "--report", "/proc/kindling-report"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.errors.contains(
                "--report: cannot create the folder '/proc/kindling-report': No such file or directory"),
            outcome.errors)
        XCTAssertTrue(outcome.output.isEmpty, "nothing trained or printed: \(outcome.output)")

        outcome = try kindling(arguments: ["propagate", "--report", "/proc"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.errors.contains("--report: cannot write a file into '/proc': No such file or directory"),
            outcome.errors)
        XCTAssertTrue(outcome.output.isEmpty, "nothing computed or printed: \(outcome.output)")
    }

    func testTheReportCheckLeavesOnlyTheReport() throws {
        let report = try temporaryFolder().appendingPathComponent("report")
        let outcome = try kindling(arguments: ["propagate", "--layers", "3", "--width", "8", "--report", report.path])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertEqual(
            Set(try FileManager.default.contentsOfDirectory(atPath: report.path)),
            ["index.html", "std-per-layer.svg", "std-per-layer.csv"], "no probe file left behind")
    }
}
