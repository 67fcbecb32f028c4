import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Runs the `kindling` executable built beside the tests, as a user would.
final class CommandLineTests: XCTestCase {
    func testBadValuesAreNamedAndExitNonZero() throws {
        let cases: [([String], String)] = [
            (["compare-init", "--inits", "he,bogus"], "'bogus' is not one of zeros"),
            (["compare-init", "--lr", "-1"], "learning rate must be a positive number, got -1.0"),
            (["compare-init", "--layers", "10,x"], "'x' is not a positive integer"),
            (["compare-init", "--precision", "half"], "'half' is invalid"),
            (["propagate", "--batch-size", "1"], "--batch-size must be at least 2"),
            (["propagate", "--compare", "normal,nope"], "'nope' is not one of zeros"),
        ]
        for (arguments, message) in cases {
            let outcome = try kindling(arguments: arguments)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.errors.contains(message), "\(arguments): \(outcome.errors)")
        }
    }

    /// Every registry name and alias is taken by `propagate --init` and `compare-init --inits`, and printed as typed.
    func testEveryRegistryNameIsAnInitOfEveryCommand() throws {
        let names = InitializerRegistry.entries.flatMap { [$0.name] + $0.aliases }
        for name in names {
            let outcome = try kindling(
                "propagate", "--init", name, "--layers", "2", "--width", "8", "--batch-size", "4")
            XCTAssertEqual(outcome.status, 0, "\(name): \(outcome.errors)")
            XCTAssertTrue(outcome.output.hasPrefix("activation none, init \(name), "), outcome.output)
        }
        let outcome = try kindling(
            "compare-init", "--inits", names.joined(separator: ","), "--iterations", "2",
            "--record-every", "1")
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        let rows = outcome.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        for name in names { XCTAssertTrue(rows.contains(name), "compare-init has no row \(name)") }
    }

    func testUnusableReportFolderFailsBeforeTrainingAndWritesNothing() throws {
        let folder = try temporaryFolder()
        let missingParent = folder.appendingPathComponent("missing/report").path
        var outcome = try kindling(arguments: ["compare-init", "--report", missingParent])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.errors.contains("does not exist"), outcome.errors)
        XCTAssertTrue(outcome.output.isEmpty, "nothing trained or printed: \(outcome.output)")

        let file = folder.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        outcome = try kindling(arguments: ["compare-init", "--report", file.path])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.errors.contains("is not a folder"), outcome.errors)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["a-file"])
    }

    func testCompareInitPrintsTheTableAndWritesTheReport() throws {
        let report = try temporaryFolder().appendingPathComponent("report")
        let outcome = try kindling(arguments: ["compare-init", "--iterations", "2000", "--report", report.path])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        // After 1000 iterations the course's He cost is 0.6879825919728063 and zeros stay at ln 2.
        let rows = outcome.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let zeros = try XCTUnwrap(rows.first { $0.first == "zeros" }, outcome.output)
        XCTAssertEqual(zeros[1...2].compactMap(Double.init), [0.6931471806, 0.6931471806])
        let he = try XCTUnwrap(rows.first { $0.first == "he" }, outcome.output)
        let costs = he[1...2].compactMap(Double.init)
        XCTAssertEqual(costs.count, 2)
        XCTAssertEqual(costs[0], 0.8830537463419761, accuracy: 1e-10)
        XCTAssertEqual(costs[1], 0.6879825919728063, accuracy: 1e-10)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: report.path))
        XCTAssertEqual(
            files,
            [
                "index.html", "loss-curves.svg", "loss-curves.csv", "boundary-zeros.svg",
                "boundary-random.svg", "boundary-he.svg",
            ])
        let csv = try String(contentsOf: report.appendingPathComponent("loss-curves.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("iteration,zeros,random,he"), csv)
        XCTAssertEqual(csv.split(separator: "\n").count, 3, csv)  // header, iterations 0 and 1000
    }

    func testPropagateReportChartsEveryComparedInitialization() throws {
        let report = try temporaryFolder().appendingPathComponent("report")
        let outcome = try kindling(arguments: [
            "propagate", "--layers", "12", "--activation", "tanh", "--report", report.path,
        ])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertEqual(
            Set(try FileManager.default.contentsOfDirectory(atPath: report.path)),
            ["index.html", "std-per-layer.svg", "std-per-layer.csv"])
        let csv = try String(contentsOf: report.appendingPathComponent("std-per-layer.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("layer,normal,scaled,xavier,kaiming,orthogonal"), csv)
        XCTAssertEqual(csv.split(separator: "\n").count, 13, csv)
    }

    func testPropagateStopsAtTheFirstNonFiniteLayer() throws {
        let outcome = try kindling(arguments: ["propagate", "--layers", "40"])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertTrue(outcome.output.contains("layer 0: std "), outcome.output)
        let stop = try XCTUnwrap(outcome.output.split(separator: "\n").last { $0.hasPrefix("non-finite at layer ") })
        let layer = try XCTUnwrap(Int(stop.dropFirst("non-finite at layer ".count)))
        XCTAssert((29...33).contains(layer), String(stop))
    }

    func testVersion() throws {
        let outcome = try kindling(arguments: ["--version"])
        XCTAssertEqual(outcome.status, 0)
        XCTAssertFalse(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }
}
