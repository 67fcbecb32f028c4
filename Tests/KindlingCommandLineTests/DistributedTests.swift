import Foundation
import KindlingTestSupport
import XCTest

/// Data-parallel training under `mpirun`: Tests/KindlingDistributedWorker runs each scenario on every rank.
/// Open MPI is told through its documented environment variables that it may run as root (CI's user) and
/// place more ranks than the machine has cores.
final class DistributedTests: XCTestCase {
    private func mpirun(ranks: Int, _ arguments: String...) throws -> ProcessOutcome {
        let launcher = try XCTUnwrap(
            ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "mpirun not found: Scripts/install-dependencies installs openmpi-bin")
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        environment["OPENBLAS_NUM_THREADS"] = "1"
        let worker = try Products.executable("KindlingDistributedWorker")
        return try runProcess(
            URL(fileURLWithPath: launcher), arguments: ["-np", "\(ranks)", worker.path] + arguments,
            environment: environment, timeout: 120)
    }

    /// N ranks with batches of 4 make, step after step, the updates of one process with batches of 4·N made
    /// of the same examples (in Double, to 1e-12): the gradients are averaged exactly.
    func testRanksTogetherMakeTheUpdatesOfOneProcessOverTheirJointBatches() throws {
        for (ranks, steps) in [(2, 12), (3, 9)] {
            let outcome = try mpirun(ranks: ranks, "exactness")
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            let fields = outcome.output.split(whereSeparator: \.isWhitespace)
            XCTAssertEqual(fields.count, 6, outcome.output)
            guard fields.count == 6 else { continue }
            XCTAssertEqual(fields[1], "\(steps)")
            XCTAssertEqual(fields[3], "\(ranks)")
            let difference = try XCTUnwrap(Double(fields[5]), outcome.output)
            XCTAssertLessThanOrEqual(difference, 1e-12, "\(ranks) ranks")
        }
    }

    func testARankThatCannotReadItsFileEndsTheJobNamingRankAndFile() throws {
        let outcome = try mpirun(ranks: 2, "missing-file", "/nonexistent/train.csv")
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.errors.contains("rank 1 of 2: cannot read /nonexistent/train.csv: no such file"), outcome.errors)
    }

    func testModelsThatDifferAcrossRanksEndTheJobBeforeTraining() throws {
        let outcome = try mpirun(ranks: 2, "mismatch")
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.errors.contains("the model on rank 1 differs from rank 0's"), outcome.errors)
    }

    func testARankThatExitsBeforeJoiningEndsTheJob() throws {
        let outcome = try mpirun(ranks: 2, "early-exit")
        XCTAssertEqual(outcome.status, 3, outcome.errors)
    }
}
