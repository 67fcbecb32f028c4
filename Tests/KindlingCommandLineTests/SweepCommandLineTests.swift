import Foundation
import KindlingTestSupport
import XCTest

/// The command line of the science features: LSUV, several seeds, diagnostics, and a sweep through GNU
/// parallel merged into the report a local run writes.
extension CommandLineTests {
    func testASweepThroughGNUParallelMergesIntoTheLocalReport() throws {
        let folder = try temporaryFolder()
        let study = [
            "compare-init", "--inits", "zeros,random,he", "--iterations", "300", "--record-every", "100",
            "--seeds", "2", "--diagnostics",
        ]
        let emitted = try kindling(arguments: study + ["--emit-jobs", folder.appendingPathComponent("cells").path])
        XCTAssertEqual(emitted.status, 0, emitted.errors)
        let jobs = emitted.output.split(separator: "\n")
        XCTAssertEqual(jobs.count, 6)
        XCTAssertTrue(jobs.allSatisfy { $0.contains("--cell ") && $0.contains("--result ") }, emitted.output)
        let jobFile = folder.appendingPathComponent("jobs.txt")
        try Data(emitted.output.utf8).write(to: jobFile)

        let parallel = try runProcess(
            URL(fileURLWithPath: "/usr/bin/env"),
            arguments: [
                "parallel", "--will-cite", "--halt", "now,fail=1", "-j", "2", "-a", jobFile.path,
            ])
        XCTAssertEqual(
            parallel.status, 0,
            "GNU parallel (Debian's 'parallel', installed by "
                + "Scripts/install-dependencies) failed: \(parallel.errors)")

        let cells = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("cells").path)
            .filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(
            cells,
            [
                "he-seed3.json", "he-seed4.json", "random-seed3.json", "random-seed4.json",
                "zeros-seed3.json", "zeros-seed4.json",
            ])
        let merged = folder.appendingPathComponent("merged")
        let local = folder.appendingPathComponent("local")
        let merging = try kindling(
            arguments: ["merge"] + cells.map { folder.appendingPathComponent("cells/\($0)").path }
                + ["--report", merged.path])
        XCTAssertEqual(merging.status, 0, merging.errors)
        let running = try kindling(arguments: study + ["--report", local.path])
        XCTAssertEqual(running.status, 0, running.errors)
        XCTAssertEqual(merging.output.replacingOccurrences(of: merged.path, with: local.path), running.output)

        let files = try FileManager.default.contentsOfDirectory(atPath: local.path).sorted()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: merged.path).sorted(), files)
        XCTAssertTrue(files.contains("diagnostics-symmetry.svg") && files.contains("runs.csv"), "\(files)")
        for file in files {
            let a = try Data(contentsOf: merged.appendingPathComponent(file))
            let b = try Data(contentsOf: local.appendingPathComponent(file))
            XCTAssertEqual(a, b, "\(file) differs between the merged and the local report")
        }

        // A missing cell and a file from another study are named.
        let partial = try kindling(
            arguments: ["merge"] + cells.dropLast().map { folder.appendingPathComponent("cells/\($0)").path })
        XCTAssertNotEqual(partial.status, 0)
        XCTAssertTrue(partial.errors.contains("missing cells: zeros:4"), partial.errors)
        let notJSON = folder.appendingPathComponent("jobs.txt").path
        let wrong = try kindling(arguments: ["merge", notJSON])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.errors.contains("'\(notJSON)': not a compare-init cell result"), wrong.errors)
    }

    func testSeveralSeedsPrintMeanAndSpread() throws {
        let outcome = try kindling(arguments: [
            "compare-init", "--inits", "he,lsuv", "--iterations", "200", "--seeds", "3",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        let lines = outcome.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("init") && lines[0].contains("seeds"), outcome.output)
        for name in ["he", "lsuv"] {
            let row = try XCTUnwrap(lines.first { $0.hasPrefix(name + " ") }, outcome.output)
            XCTAssertTrue(row.contains(" 3 ") && row.contains("±"), row)
        }
    }

    func testBadSweepOptionsAreNamed() throws {
        let refusedReport = try temporaryFolder().appendingPathComponent("refused").path
        let cases: [([String], String)] = [
            (["compare-init", "--seeds", "0"], "the number of seeds must be at least 1, got 0"),
            (["compare-init", "--cell", "he:3"], "--cell and --result go together"),
            (["compare-init", "--cell", "he:9", "--result", "x.json"], "'he:9' is not a cell of this study"),
            (["compare-init", "--cell", "he", "--result", "x.json"], "'he' is not INIT:SEED"),
            (
                ["compare-init", "--emit-jobs", "cells", "--report", refusedReport],
                "--emit-jobs prints the cells' commands"
            ),
            (["merge"], "Missing expected argument"),
        ]
        for (arguments, message) in cases {
            let outcome = try kindling(arguments: arguments)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.errors.contains(message), "\(arguments): \(outcome.errors)")
        }
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: refusedReport), "a refused command created its report folder")
    }
}
