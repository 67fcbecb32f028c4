import Foundation
import KindlingTestSupport
import XCTest

/// `propagate --theory` and the trainability sweep, run as a user would.
extension CommandLineTests {
    func testPropagateTheoryPrintsTheFixedPointAndWritesItsCharts() throws {
        let folder = try temporaryFolder()
        let report = folder.appendingPathComponent("report")
        let outcome = try kindling(
            "propagate", "--activation", "tanh", "--init", "xavier", "--layers", "6", "--width", "64",
            "--batch-size", "4", "--compare", "xavier", "--theory", "--report", report.path)
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        let lines = outcome.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[1].hasPrefix("layer 0: std ") && lines[1].contains("predicted std"), outcome.output)
        XCTAssertTrue(lines[1].contains("pair correlation"), outcome.output)
        XCTAssertTrue(outcome.output.contains("chaotic phase"), outcome.output)
        XCTAssertTrue(outcome.output.contains("q* = ") && outcome.output.contains("ξ_c = "), outcome.output)
        XCTAssertTrue(outcome.output.contains("at σ_b² = 0: σ_w² = 1\n"), outcome.output)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: report.path))
        XCTAssertTrue(
            files.isSuperset(of: ["theory-std.svg", "theory-correlation.svg", "phase-diagram.svg", "theory.csv"]),
            "\(files)")
        let csv = try String(contentsOf: report.appendingPathComponent("theory.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 7, csv)

        let bad = try kindling("propagate", "--theory", "--input-correlation", "2")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.errors.contains("--input-correlation must lie in [-1, 1], got 2.0"), bad.errors)
    }

    func testATrainabilitySweepMergesIntoTheLocalTable() throws {
        let folder = try temporaryFolder()
        let digits = try fixtureURL("datasets/digits.csv").path
        let grid = [
            "trainability", "--data", digits, "--weight-variances", "1,2.5", "--depths", "2,3", "--width", "8",
            "--steps", "4", "--batch-size", "16",
        ]
        let emitted = try kindling(arguments: grid + ["--emit-jobs", folder.appendingPathComponent("cells").path])
        XCTAssertEqual(emitted.status, 0, emitted.errors)
        let jobs = emitted.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(jobs.count, 4, emitted.output)
        for job in jobs {
            let ran = try runProcess(URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", job])
            XCTAssertEqual(ran.status, 0, "\(job): \(ran.errors)")
        }
        let cells = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("cells").path)
            .sorted().map { folder.appendingPathComponent("cells/\($0)").path }
        XCTAssertEqual(cells.count, 4)
        let report = folder.appendingPathComponent("merged")
        let merged = try kindling(arguments: ["merge"] + cells + ["--report", report.path])
        XCTAssertEqual(merged.status, 0, merged.errors)
        let local = try kindling(arguments: grid + ["--concurrency", "2"])
        XCTAssertEqual(local.status, 0, local.errors)
        XCTAssertEqual(merged.output, local.output + "Report written to \(report.path)/index.html\n")
        XCTAssertTrue(local.output.contains("6 ξ_c") && local.output.contains("depth 3"), local.output)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: report.path))
        XCTAssertEqual(files, ["index.html", "trainability.svg", "cells.csv"])

        let partial = try kindling(arguments: ["merge"] + cells.dropLast())
        XCTAssertNotEqual(partial.status, 0)
        XCTAssertTrue(partial.errors.contains("missing cells: 2.5:3"), partial.errors)
        let outside = try kindling(
            arguments: grid + ["--cell", "3:2", "--result", folder.appendingPathComponent("x").path])
        XCTAssertNotEqual(outside.status, 0)
        XCTAssertTrue(outside.errors.contains("--cell: '3:2' is not a cell of this grid"), outside.errors)
    }
}
