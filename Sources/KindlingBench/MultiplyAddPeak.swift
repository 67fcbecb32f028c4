import CVectorKernels
import Dispatch
import Foundation

/// The CPU's Float multiply-add peak in GFLOP/s (2 FLOPs per multiply-add): `kindling_multiply_add_peak`
/// on every core at once (`ProcessInfo.activeProcessorCount` threads, as many as the pass uses), the
/// fastest of 3 runs of about 0.15 s each. No engine's pass can be faster than its FLOPs at this rate.
func multiplyAddPeakGFLOPS() -> Double {
    let threads = ProcessInfo.processInfo.activeProcessorCount
    nonisolated(unsafe) let sinks = UnsafeMutableBufferPointer<Float>.allocate(capacity: threads)
    nonisolated(unsafe) let flops = UnsafeMutableBufferPointer<Double>.allocate(capacity: threads)
    defer {
        sinks.deallocate()
        flops.deallocate()
    }
    sinks.initialize(repeating: 0)
    flops.initialize(repeating: 0)
    var fastest = 0.0
    for _ in 0..<3 {
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            flops[thread] = kindling_multiply_add_peak(100_000_000, sinks.baseAddress! + thread)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        fastest = max(fastest, flops.reduce(0, +) / seconds / 1e9)
    }
    return fastest
}
