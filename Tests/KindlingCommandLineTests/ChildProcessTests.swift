import Foundation
import KindlingTestSupport
import XCTest

/// The runner that the command-line tests start executables with (KindlingTestSupport's `runProcess`),
/// on small shell commands: standard input, both pipes past their buffer, signals, and the timeout.
final class ChildProcessTests: XCTestCase {
    let shell = URL(fileURLWithPath: "/bin/sh")

    func testStandardInputReachesTheChildAndBothOutputsComeBack() throws {
        let outcome = try runProcess(
            shell, arguments: ["-c", "cat; echo done >&2; exit 3"],
            input: Data("hello\n".utf8))
        XCTAssertEqual(outcome.reason, .exit)
        XCTAssertEqual(outcome.status, 3)
        XCTAssertEqual(outcome.output, "hello\n")
        XCTAssertEqual(outcome.errors, "done\n")
    }

    func testAChildFillingBothPipesFinishes() throws {
        // 1 MB on each stream: far beyond a pipe's buffer, so reading one after the other would block.
        let script = "head -c 1048576 /dev/zero >&2; head -c 1048576 /dev/zero"
        let outcome = try runProcess(shell, arguments: ["-c", script])
        XCTAssertEqual(outcome.status, 0)
        XCTAssertEqual(outcome.output.utf8.count, 1_048_576)
        XCTAssertEqual(outcome.errors.utf8.count, 1_048_576)
    }

    func testASignalIsReportedAsSuch() throws {
        let outcome = try runProcess(shell, arguments: ["-c", "kill -TERM $$"])
        XCTAssertEqual(outcome.reason, .uncaughtSignal)
        XCTAssertEqual(outcome.status, SIGTERM)
    }

    /// Without the timeout the child would exit normally after a minute and nothing would be thrown.
    func testAChildThatOutlivesTheTimeoutIsStoppedAndNamed() throws {
        XCTAssertThrowsError(try runProcess(shell, arguments: ["-c", "echo waiting >&2; exec sleep 60"], timeout: 1)) {
            let timeout = $0 as? ProcessTimeout
            XCTAssertEqual(timeout?.command, ["/bin/sh", "-c", "echo waiting >&2; exec sleep 60"])
            XCTAssertEqual(timeout?.errors, "waiting\n")
        }
    }
}
