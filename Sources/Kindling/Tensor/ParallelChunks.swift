import Dispatch
import Foundation

/// Runs work over 0..<count on every core, one contiguous range each, when there is enough of it to
/// repay starting the threads (as PyTorch's CPU kernels split large tensors).
enum ParallelChunks {
    /// The fewest elements worth a thread of their own.
    static let minimumPerThread = 1 << 16

    /// The number of cores.
    static let coreCount = ProcessInfo.processInfo.activeProcessorCount

    /// Calls `body` once per range of a partition of 0..<count, concurrently when there is more than one.
    /// Each item stands for `elementsPerItem` elements of work (a channel of batch normalization, say);
    /// a thread gets at least `minimumPerThread` elements.
    static func forEach(count: Int, elementsPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = min(coreCount, count, count * elementsPerItem / minimumPerThread)
        guard chunks > 1 else { return body(0..<count) }
        // The ranges are disjoint and concurrentPerform returns when all are done, so sharing `body` (and
        // the buffers it writes) across the threads is safe although the compiler cannot prove it.
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                body((count * chunk / chunks)..<(count * (chunk + 1) / chunks))
            }
        }
    }
}
