import Dispatch
import Foundation

/// Runs work over 0..<count on every core, one contiguous range each, when there is enough of it to
/// repay starting the threads (as PyTorch's CPU kernels split large tensors).
package enum ParallelChunks {
    /// The fewest elements worth a thread of their own.
    static let minimumPerThread = 1 << 16

    /// The number of cores.
    package static let coreCount = ProcessInfo.processInfo.activeProcessorCount

    /// The number of parts `forEach` splits 0..<count into: one per core at most, one per item at most,
    /// and at least `minimumPerThread` elements of work each, where each item stands for
    /// `elementsPerItem` elements (a channel of batch normalization, say).
    package static func partCount(count: Int, elementsPerItem: Int = 1) -> Int {
        max(1, min(coreCount, count, count * elementsPerItem / minimumPerThread))
    }

    /// Calls `body` once per range of a partition of 0..<count into `partCount` parts, concurrently when
    /// there is more than one.
    package static func forEach(count: Int, elementsPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        forEachPart(count: count, elementsPerItem: elementsPerItem) { _, range in body(range) }
    }

    /// `forEach`, telling `body` which part (0..<partCount) each range is.
    static func forEachPart(count: Int, elementsPerItem: Int = 1, _ body: (_ part: Int, Range<Int>) -> Void) {
        let parts = partCount(count: count, elementsPerItem: elementsPerItem)
        guard parts > 1 else { return body(0, 0..<count) }
        // The ranges are disjoint and concurrentPerform returns when all are done, so sharing `body` (and
        // the buffers it writes) across the threads is safe although the compiler cannot prove it.
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                body(part, (count * part / parts)..<(count * (part + 1) / parts))
            }
        }
    }
}
