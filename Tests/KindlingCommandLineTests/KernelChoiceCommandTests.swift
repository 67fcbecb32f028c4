import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// The `kindling` executable's restart on the best OpenBLAS kernels the CPU can run, seen through
/// `kindling doctor` (the choice itself: LinearAlgebraBackendTests).
final class KernelChoiceCommandTests: XCTestCase {
    /// The widest kernel level the CPU supports, from /proc/cpuinfo rather than Kindling's own reading.
    func widestLevelFromProcCPUInfo() throws -> Int {
        let flags = try procCPUInfoFlags()
        if flags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]) { return 3 }
        if flags.isSuperset(of: ["avx2", "fma"]) { return 2 }
        return flags.contains("avx") ? 1 : 0
    }

    /// Runs `kindling doctor` with the given changes to this process's environment (nil removes).
    func doctor(_ changes: [String: String?]) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in changes { environment[name] = value }
        let outcome = try kindling(arguments: ["doctor"], environment: environment)
        return (outcome.status, outcome.output + outcome.errors)
    }

    func reportedCore(_ output: String) throws -> String {
        let line = try XCTUnwrap(output.split(separator: "\n").first { $0.hasPrefix("kernels: ") }, output)
        return String(line.dropFirst("kernels: ".count).prefix { $0 != "," })
    }

    func testTheExecutableRunsKernelsAtLeastAsWideAsTheCPUSupports() throws {
        let environment = ProcessInfo.processInfo.environment
        if let user = environment["OPENBLAS_CORETYPE"], environment[LinearAlgebraBackend.detectedCoreVariable] == nil {
            // This machine's environment chose the kernels (as on CPUs that some OpenBLAS builds get wrong):
            // that choice wins, and Kindling says so.
            let (status, output) = try doctor([:])
            XCTAssertEqual(status, 0, output)
            XCTAssertTrue(output.contains("OPENBLAS_CORETYPE=\(user) set by the user"), output)
            return
        }
        // What Kindling does on its own: without any setting that this test process inherited from a script.
        let (status, output) = try doctor(["OPENBLAS_CORETYPE": nil, LinearAlgebraBackend.detectedCoreVariable: nil])
        XCTAssertEqual(status, 0, output)
        let core = try reportedCore(output)
        XCTAssertGreaterThanOrEqual(OpenBLASCore.level(ofCoreNamed: core), try widestLevelFromProcCPUInfo(), output)
    }

    func testTheChoiceCanBeTurnedOffAndNeverRestartsTwice() throws {
        var (status, output) = try doctor([
            "OPENBLAS_CORETYPE": nil, LinearAlgebraBackend.keepCoreVariable: "1",
            LinearAlgebraBackend.detectedCoreVariable: nil,
        ])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("detected by OpenBLAS"), output)
        XCTAssertTrue(output.contains("Kindling keeps these kernels: KINDLING_KEEP_OPENBLAS_CORE is set."), output)
        // A process started by a restart (the marker set) does not restart again, even if the setting is gone.
        (status, output) = try doctor(["OPENBLAS_CORETYPE": nil, LinearAlgebraBackend.detectedCoreVariable: "Prescott"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("detected by OpenBLAS"), output)
    }
}
