import Foundation
import KindlingTestSupport
import XCTest

/// Runs the release-built `KindlingMistakes` executable (Sources/KindlingMistakes) in a child process for
/// each caller's mistake and checks that it stops abnormally with `Kindling: <operation>: ...` and the
/// shapes or values on standard error. A release build is what users run, and `precondition` would stop
/// there silently; `require` must not.
final class MistakeMessageTests: XCTestCase {
    /// The release-built executable, found (or, in a debug run, built) once for the class; see
    /// `Products.releaseExecutable`.
    static let executable = Result { try Products.releaseExecutable("KindlingMistakes") }

    /// The exit status, whether a signal ended the process, and standard error.
    func run(_ mistake: String) throws -> (status: Int32, reason: Process.TerminationReason, errors: String) {
        // The Swift runtime's backtracer adds seconds and a page of registers; the message comes first.
        let environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        let outcome = try runProcess(Self.executable.get(), arguments: [mistake], environment: environment)
        return (outcome.status, outcome.reason, outcome.errors)
    }

    func testEachMistakeStopsTheReleaseBuildWithItsMessage() throws {
        let cases: [(mistake: String, message: String)] = [
            ("broadcast", "Kindling: add: shapes [2, 3] and [4] do not broadcast (axis 1 of the result: 3 vs 4)"),
            ("matmul", "Kindling: matmul: shapes [2, 3] and [4, 5] do not fit (3 vs 4)"),
            (
                "conv2d-channels",
                "Kindling: conv2d: the weight [4, 2, 3, 3] has 2 input channels per group; the input [1, 3, 8, 8] with groups 1 needs 3"
            ),
            ("reshape", "Kindling: reshape: [2, 3] (6 elements) cannot be reshaped to [4, 2]"),
            (
                "backward-twice",
                "Kindling: backward(): the graph through 'sum' was already released by an earlier backward()"
            ),
            ("cross-entropy-class", "Kindling: crossEntropy: class index 5 (sample 1) is out of range for 3 classes"),
            ("linear-features", "Kindling: Linear(4 -> 2): input of shape [3, 5] has 5 features"),
            (
                "batchnorm-channels",
                "Kindling: BatchNorm2d<Float>(3): expects an input of rank [4] with 3 channels on axis 1, got [2, 4, 5, 5]"
            ),
            ("tensor-scalars", "Kindling: Tensor: 5 scalars do not fill shape [2, 3] (6 needed)"),
            ("axis", "Kindling: sum: axis 2 is out of range for a tensor of rank 2"),
            ("clamp-bounds", "Kindling: clamp: min 1.0 is greater than max 0.0"),
            ("dropout-probability", "Kindling: Dropout: the probability must be in [0, 1], got 1.5"),
            ("max-pool-padding", "Kindling: maxPool2d: padding (2, 2) must be at most half the kernel size (2, 2)"),
            ("tensor-index", "Kindling: Tensor: index [1, 3] is out of range for shape [2, 3] (axis 1)"),
            ("backward-not-scalar", "Kindling: backward(): a tensor of shape [2] needs an explicit upstream gradient"),
            ("clip-norm-type", "Kindling: clipGradientNorm: the norm type must be > 0 or .infinity, got -1.0"),
        ]
        for (mistake, message) in cases {
            let outcome = try run(mistake)
            XCTAssertEqual(outcome.reason, .uncaughtSignal, "\(mistake) must stop the process: \(outcome.errors)")
            XCTAssertNotEqual(outcome.status, 0, mistake)
            XCTAssertTrue(outcome.errors.contains(message), "\(mistake): expected '\(message)' in:\n\(outcome.errors)")
        }
    }

    func testAnUnknownMistakeIsRefusedWithoutAMessageFromKindling() throws {
        let outcome = try run("no-such-mistake")
        XCTAssertEqual(outcome.reason, .exit)
        XCTAssertEqual(outcome.status, 2)
        XCTAssertFalse(outcome.errors.contains("Kindling:"), outcome.errors)
    }
}
