import CLinearAlgebra
import Foundation
import Kindling
import XCTest

/// Single-threaded BLAS scopes (the encoder's inference pass): OpenBLAS runs on one thread inside, and the
/// thread count from before comes back when the last of nested or concurrent scopes ends.
final class BLASThreadingTests: XCTestCase {
    func testScopesRunOnOneThreadAndRestoreTheCountAfterTheLast() {
        let original = openblas_get_num_threads()
        defer { openblas_set_num_threads(original) }
        openblas_set_num_threads(2)
        BLASThreading.singleThreaded {
            XCTAssertEqual(openblas_get_num_threads(), 1)
            BLASThreading.singleThreaded { XCTAssertEqual(openblas_get_num_threads(), 1) }
            XCTAssertEqual(openblas_get_num_threads(), 1, "an inner scope does not restore the count")
        }
        XCTAssertEqual(openblas_get_num_threads(), 2)
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            BLASThreading.singleThreaded {
                usleep(useconds_t(1000 * (index + 1)))
                XCTAssertEqual(openblas_get_num_threads(), 1)
            }
        }
        XCTAssertEqual(openblas_get_num_threads(), 2)
    }
}
