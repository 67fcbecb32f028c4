import CLinearAlgebra
import Synchronization

/// Runs work that splits its own products between the cores with OpenBLAS on one thread, so that OpenBLAS's
/// threads do not compete with the caller's (each of which then calls OpenBLAS on its own share).
package enum BLASThreading {
    /// The scopes open in the process, and OpenBLAS's thread count before the first one opened.
    private static let state = Mutex((open: 0, threads: 1))

    /// `body` with OpenBLAS on one thread; the thread count in force before the outermost of concurrent
    /// scopes is put back when the last one ends. Other threads' products meanwhile run on one thread too.
    package static func singleThreaded<Result>(_ body: () throws -> Result) rethrows -> Result {
        state.withLock { state in
            if state.open == 0 {
                state.threads = Int(openblas_get_num_threads())
                openblas_set_num_threads(1)
            }
            state.open += 1
        }
        defer {
            state.withLock { state in
                state.open -= 1
                if state.open == 0 { openblas_set_num_threads(Int32(state.threads)) }
            }
        }
        return try body()
    }
}
