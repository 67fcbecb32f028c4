import Foundation

/// Keeps a value alive and opaque to the optimizer, so that the work producing it is not removed.
@inline(never)
func consume<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// Seconds taken by `iterations` calls of `body`, divided by `iterations`.
func secondsPerCall(iterations: Int, _ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations { body() }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(iterations)
}

/// How many calls of `body` make one timing sample last at least `minimumSeconds` (measured after one
/// warm-up call).
func iterationsPerSample(minimumSeconds: Double, _ body: () -> Void) -> Int {
    body()
    let once = secondsPerCall(iterations: 1, body)
    return max(1, Int((minimumSeconds / max(once, 1e-9)).rounded(.up)))
}

/// Kindling's and the reference's median seconds per call over `repeats` samples each, and the median
/// over the samples of reference time / Kindling time. The samples are taken in pairs, one of each, with
/// the order inside a pair alternating, so that a change in machine load or clock speed falls on both
/// members of a pair and drops out of its ratio.
func compareMedians(
    repeats: Int, minimumSampleSeconds: Double, kindling: () -> Void, reference: () -> Void
) -> (kindling: Double, reference: Double, ratio: Double) {
    let iterations = max(
        iterationsPerSample(minimumSeconds: minimumSampleSeconds, kindling),
        iterationsPerSample(minimumSeconds: minimumSampleSeconds, reference))
    var kindlingSamples = [Double]()
    var referenceSamples = [Double]()
    for pair in 0..<repeats {
        if pair % 2 == 0 {
            kindlingSamples.append(secondsPerCall(iterations: iterations, kindling))
            referenceSamples.append(secondsPerCall(iterations: iterations, reference))
        } else {
            referenceSamples.append(secondsPerCall(iterations: iterations, reference))
            kindlingSamples.append(secondsPerCall(iterations: iterations, kindling))
        }
    }
    let ratios = zip(referenceSamples, kindlingSamples).map { $0 / $1 }
    return (median(kindlingSamples), median(referenceSamples), median(ratios))
}

/// The middle value (the mean of the two middle values for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
