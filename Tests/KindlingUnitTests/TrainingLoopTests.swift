import Kindling
import XCTest

/// `train` and `fit` are wrappers of one loop: on the same examples, batches and optimizer they make the same
/// updates, and fit's epoch loss is the batch-size-weighted mean of the losses `train` records.
final class TrainingLoopTests: XCTestCase {
    private func model() -> Sequential<Double> {
        let generator = RandomGenerator(seed: 3)
        return Sequential(Linear(2, 8, generator: generator), ReLU(), Linear(8, 1, generator: generator))
    }

    func testTrainAndFitMakeTheSameUpdates() throws {
        let circles: Dataset<Double> = .circles(count: 100, noise: 0.05, generator: RandomGenerator(seed: 1))
        let examples = LabeledExamples(features: circles.features, targets: circles.labels.map(Double.init))
        let trained = model()
        let fitted = model()
        let history = train(
            trained, on: examples, loss: { taskLoss($0, $1, task: .binary) },
            optimizer: try Adam(trained.parameters, learningRate: 0.01), for: .epochs(3),
            batchSize: 32, generator: RandomGenerator(seed: 5), showsProgress: false)
        let result = fit(
            fitted, training: examples, task: .binary,
            optimizer: try Adam(fitted.parameters, learningRate: 0.01), epochs: 3, batchSize: 32,
            generator: RandomGenerator(seed: 5))

        XCTAssertEqual(history.stepsCompleted, 12)
        XCTAssertEqual(trained.parameters.map(\.value.scalars), fitted.parameters.map(\.value.scalars))
        let sizes = [32.0, 32, 32, 4]
        for (epoch, record) in result.epochs.enumerated() {
            let losses = history.losses[(4 * epoch)..<(4 * epoch + 4)]
            XCTAssertEqual(record.trainingLoss, zip(losses, sizes).reduce(0.0) { $0 + $1.0 * $1.1 } / 100)
        }
    }
}

/// A stand-in for another process of a data-parallel run, inside this one: it owns the even examples of
/// every epoch, and the "other process" contributes a loss of `otherLoss` over as many examples.
private final class HalfOfTwoProcesses: TrainingDistribution {
    let otherLoss: Double
    private(set) var shardedEpochs: [Int] = []

    init(otherLoss: Double) { self.otherLoss = otherLoss }

    var processCount: Int { 2 }
    func shardLength(count: Int) -> Int { (count + 1) / 2 }
    func shard(epoch: Int, count: Int) -> [Int] {
        shardedEpochs.append(epoch)
        return Array(stride(from: 0, to: count, by: 2))
    }
    func synchronizeBuffers() {}
    func synchronizeGradients() {}
    func sum(_ values: [Double]) -> [Double] { [values[0] + otherLoss * values[1], 2 * values[1]] }
    func agree(_ value: Double) -> Double { value }
}

final class DistributedTrainingLoopTests: XCTestCase {
    /// With a distribution and no batch size, each step trains on this process's shard of that step (every
    /// step an epoch), and the recorded loss is the joint batch's: the mean of both processes' losses.
    func testTheFullBatchIsThisProcesssShardAndTheLossTheJointOne() throws {
        let circles: Dataset<Double> = .circles(count: 10, noise: 0.05, generator: RandomGenerator(seed: 1))
        let generator = RandomGenerator(seed: 3)
        let trained = Sequential<Double>(Linear(2, 1, generator: generator))
        let alone = Sequential<Double>(Linear(2, 1, generator: RandomGenerator(seed: 3)))
        let distribution = HalfOfTwoProcesses(otherLoss: 0.25)
        let loss: (Tensor<Double>, Dataset<Double>) -> Tensor<Double> = {
            binaryCrossEntropyWithLogits($0, $1.targets)
        }
        let history = train(
            trained, on: circles, loss: loss, optimizer: try SGD(trained.parameters, learningRate: 0.1),
            for: .iterations(3), showsProgress: false, distribution: distribution)
        let evens = circles.rows(Array(stride(from: 0, to: 10, by: 2)))
        let reference = train(
            alone, on: evens, loss: loss, optimizer: try SGD(alone.parameters, learningRate: 0.1),
            for: .iterations(3), showsProgress: false)
        XCTAssertEqual(distribution.shardedEpochs, [0, 1, 2])
        XCTAssertEqual(trained.parameters.map(\.value.scalars), alone.parameters.map(\.value.scalars))
        for (joint, own) in zip(history.losses, reference.losses) {
            XCTAssertEqual(joint, (own + 0.25) / 2, accuracy: 1e-15)
        }
    }

    /// A loss that is not finite on the other process stops this one too, before its update.
    func testALossThatIsNotFiniteElsewhereStopsTraining() throws {
        let circles: Dataset<Double> = .circles(count: 10, noise: 0.05, generator: RandomGenerator(seed: 1))
        let model = Sequential<Double>(Linear(2, 1, generator: RandomGenerator(seed: 3)))
        let before = model.parameters.map(\.value.scalars)
        let history = train(
            model, on: circles, loss: { binaryCrossEntropyWithLogits($0, $1.targets) },
            optimizer: try SGD(model.parameters, learningRate: 0.1), for: .iterations(3), showsProgress: false,
            distribution: HalfOfTwoProcesses(otherLoss: .nan))
        XCTAssertEqual(history.divergence?.step, 0)
        XCTAssertEqual(model.parameters.map(\.value.scalars), before)
    }
}
