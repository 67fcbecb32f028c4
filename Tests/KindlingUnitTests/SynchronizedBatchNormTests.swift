import Foundation
import Kindling
import XCTest

/// Two "processes" in two threads, each summing its per-channel sums with the other's.
private final class Rendezvous: @unchecked Sendable {
    private let condition = NSCondition()
    private var deposited: [[Double]?] = [nil, nil]
    private var round = 0
    private var total: [Double] = []

    /// The element-wise sum of what both threads pass (the first thread's values first, so that both get
    /// the same rounding), once both have passed theirs. The next round cannot overwrite the total before
    /// the waiting thread has read it, since that round needs the waiting thread too.
    func sum(_ values: [Double], from side: Int) -> [Double] {
        condition.lock()
        defer { condition.unlock() }
        deposited[side] = values
        let current = round
        if let first = deposited[0], let second = deposited[1] {
            total = zip(first, second).map { $0 + $1 }
            deposited = [nil, nil]
            round += 1
            condition.broadcast()
        } else {
            while round == current { condition.wait() }
        }
        return total
    }
}

final class SynchronizedBatchNormTests: XCTestCase {
    let generator = RandomGenerator(seed: 23)

    /// One batch split between two threads that normalize synchronized gives each its rows of the joint
    /// batch's output, the joint running statistics, and, for the sum of both halves' losses, each its rows
    /// of the joint input gradient (to rounding).
    func testTwoHalvesNormalizeAsTheirJointBatch() throws {
        for shape in [[6, 3], [4, 2, 5]] {
            let channels = shape[1]
            let x = Tensor<Double>.randn(shape, generator: generator) * 2 + 0.5
            let weight = Tensor<Double>.randn([channels], generator: generator)
            let bias = Tensor<Double>.randn([channels], generator: generator)
            let upstream = Tensor<Double>.randn(shape, generator: generator)
            var jointMean = Tensor<Double>.zeros([channels])
            var jointVariance = Tensor<Double>.ones([channels])
            let joint = x.requiringGradient()
            let jointOutput = batchNormalization(
                joint, weight: weight, bias: bias, runningMean: &jointMean, runningVariance: &jointVariance,
                training: true)
            (jointOutput * upstream).sum().backward()

            let half = shape[0] / 2
            let rendezvous = Rendezvous()
            nonisolated(unsafe) var results:
                [(output: [Double], gradient: [Double], mean: [Double], variance: [Double])?] =
                    [nil, nil]
            // What each thread gets: its rows and their upstream gradient, as arrays (tensors are not Sendable).
            let parts = (0..<2).map { side in
                let rows = Array((side * half)..<((side + 1) * half))
                return (x.gatheringRows(rows).scalars, upstream.gatheringRows(rows).scalars)
            }
            let partShape = [half] + shape.dropFirst()
            let (weights, biases) = (weight.scalars, bias.scalars)
            DispatchQueue.concurrentPerform(iterations: 2) { side in
                let part = Tensor(shape: partShape, scalars: parts[side].0).requiringGradient()
                var mean = Tensor<Double>.zeros([channels])
                var variance = Tensor<Double>.ones([channels])
                let output = batchNormalization(
                    part, weight: Tensor(weights), bias: Tensor(biases), runningMean: &mean,
                    runningVariance: &variance, training: true,
                    summingAcrossProcesses: { rendezvous.sum($0, from: side) })
                (output * Tensor(shape: partShape, scalars: parts[side].1)).sum().backward()
                results[side] = (output.scalars, part.grad!.scalars, mean.scalars, variance.scalars)
            }
            let perHalf = x.count / 2
            for side in 0..<2 {
                let result = try XCTUnwrap(results[side])
                let range = (side * perHalf)..<((side + 1) * perHalf)
                for (a, b) in zip(result.output, jointOutput.scalars[range]) { XCTAssertEqual(a, b, accuracy: 1e-13) }
                for (a, b) in zip(result.gradient, joint.grad!.scalars[range]) {
                    XCTAssertEqual(a, b, accuracy: 1e-12)
                }
                for (a, b) in zip(result.mean, jointMean.scalars) { XCTAssertEqual(a, b, accuracy: 1e-14) }
                for (a, b) in zip(result.variance, jointVariance.scalars) { XCTAssertEqual(a, b, accuracy: 1e-13) }
            }
        }
    }

    /// With one process (the sum returning its argument) the synchronized path computes what the plain one
    /// does, bit for bit, fused with ReLU or not; and it passes gradcheck in Double.
    func testOneProcessIsPlainBatchNormalizationAndPassesGradcheck() {
        for shape in [[5, 3], [3, 2, 4]] {
            for rectified in [false, true] {
                let x = Tensor<Double>.randn(shape, generator: generator)
                let weight = Tensor<Double>.randn([shape[1]], generator: generator)
                let bias = Tensor<Double>.randn([shape[1]], generator: generator)
                var outcomes: [[[Double]]] = []
                for sum in [nil, { (values: [Double]) in values }] {
                    var mean = Tensor<Double>.zeros([shape[1]])
                    var variance = Tensor<Double>.ones([shape[1]])
                    let input = x.requiringGradient()
                    let (w, b) = (weight.requiringGradient(), bias.requiringGradient())
                    let output = batchNormalization(
                        input, weight: w, bias: b, runningMean: &mean, runningVariance: &variance, training: true,
                        applyingReLU: rectified, summingAcrossProcesses: sum)
                    (output * output).sum().backward()
                    outcomes.append([
                        output.scalars, mean.scalars, variance.scalars, input.grad!.scalars, w.grad!.scalars,
                        b.grad!.scalars,
                    ])
                }
                XCTAssertEqual(outcomes[0], outcomes[1], "\(shape), ReLU \(rectified)")
            }
            let result = gradcheck(
                { inputs in
                    var mean = Tensor<Double>.zeros([shape[1]])
                    var variance = Tensor<Double>.ones([shape[1]])
                    return batchNormalization(
                        inputs[0], weight: inputs[1], bias: inputs[2], runningMean: &mean, runningVariance: &variance,
                        training: true, summingAcrossProcesses: { $0 })
                },
                inputs: [
                    Tensor<Double>.randn(shape, generator: generator),
                    Tensor<Double>.randn([shape[1]], generator: generator),
                    Tensor<Double>.randn([shape[1]], generator: generator),
                ])
            XCTAssertTrue(result.passed, result.description)
        }
    }
}
