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
