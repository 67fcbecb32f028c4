import Kindling
import XCTest

/// Plain gradient descent p -= lr * grad, so that these tests do not depend on the optimizers' own code.
private final class GradientDescent<Scalar: TensorScalar>: Optimizer {
    let parameters: [Parameter<Scalar>]
    var learningRate: Double

    init(_ parameters: [Parameter<Scalar>], learningRate: Double) {
        self.parameters = parameters
        self.learningRate = learningRate
    }

    func step() {
        let rate = Scalar(learningRate)
        for parameter in parameters {
            guard let gradient = parameter.grad else { continue }
            parameter.updateInPlace { values in
                for i in values.indices { values[i] -= rate * gradient.scalars[i] }
            }
        }
    }
}

/// Binary cross-entropy on logits from primitives: mean(max(z, 0) - z y + log(1 + e^-|z|)).
private func logisticLoss<Scalar>(_ logits: Tensor<Scalar>, _ batch: Dataset<Scalar>) -> Tensor<Scalar> {
    (relu(logits) - logits * batch.targets + log(1 + exp(-abs(logits)))).mean()
}

/// Mean squared error of the output against the labels as numbers.
private func squaredError<Scalar>(_ output: Tensor<Scalar>, _ batch: Dataset<Scalar>) -> Tensor<Scalar> {
    let difference = output - batch.targets
    return (difference * difference).mean()
}

private func circlesModel(seed: UInt32) -> Sequential<Double> {
    let generator = RandomGenerator(seed: seed)
    return Sequential(
        Linear(2, 10, generator: generator), ReLU(), Linear(10, 5, generator: generator), ReLU(),
        Linear(5, 1, generator: generator))
}

final class TrainingTests: XCTestCase {
    private let circles: Dataset<Double> = .circles(count: 300, noise: 0.05, generator: RandomGenerator(seed: 1))

    func testFullBatchTrainingLearnsTheCircles() {
        let model = circlesModel(seed: 3)
        let before = accuracy(of: model, on: circles)
        let history = train(
            model, on: circles, loss: logisticLoss,
            optimizer: GradientDescent(model.parameters, learningRate: 0.5),
            for: .iterations(1500), recordEvery: 100, showsProgress: false)
        XCTAssertNil(history.divergence)
        XCTAssertEqual(history.stepsCompleted, 1500)
        XCTAssertEqual(history.losses.count, 15)
        let losses = history.losses
        XCTAssertLessThan(losses.last!, 0.3 * losses.first!, "loss curve \(losses)")
        XCTAssertGreaterThan(accuracy(of: model, on: circles), 0.95, "accuracy before training was \(before)")
    }

    func testLossIsRecordedEveryKStepsBeforeThatStepsUpdate() {
        let reference = circlesModel(seed: 4)
        let model = circlesModel(seed: 4)
        let short = train(
            reference, on: circles, loss: logisticLoss,
            optimizer: GradientDescent(reference.parameters, learningRate: 0.1),
            for: .iterations(10), showsProgress: false)
        let initialLoss = withoutGradient { logisticLoss(model(circles.features), circles).scalar }
        let history = train(
            model, on: circles, loss: logisticLoss,
            optimizer: GradientDescent(model.parameters, learningRate: 0.1),
            for: .iterations(25), recordEvery: 10, showsProgress: false)
        XCTAssertEqual(history.steps, [0, 10, 20])
        XCTAssertEqual(short.steps, Array(0..<10))
        XCTAssertEqual(history.stepsCompleted, 25)
        XCTAssertEqual(history.losses[0], initialLoss, "step 0 records the loss of the untrained model")
        // Step 10's record is the loss after exactly 10 updates: the reference model, trained 10 steps.
        let afterTen = withoutGradient { logisticLoss(reference(circles.features), circles).scalar }
        XCTAssertEqual(history.losses[1], afterTen)
        XCTAssertEqual(Array(short.losses.prefix(1)), [initialLoss])
    }

    func testEvaluationMetricsAreRecordedWithTheLoss() {
        let model = circlesModel(seed: 5)
        let test: Dataset<Double> = .circles(count: 100, noise: 0.05, generator: RandomGenerator(seed: 2))
        let initialAccuracy = accuracy(of: model, on: test)
        let history = train(
            model, on: circles, loss: logisticLoss,
            optimizer: GradientDescent(model.parameters, learningRate: 0.5),
            for: .iterations(600), recordEvery: 200,
            evaluate: { ["test accuracy": accuracy(of: $0, on: test)] }, showsProgress: false)
        let recorded = history.metric("test accuracy")
        XCTAssertEqual(recorded.count, 3)
        XCTAssertEqual(recorded[0], initialAccuracy)
        XCTAssertEqual(history.metric("missing"), [nil, nil, nil])
        XCTAssertTrue(model.isTraining, "evaluation restores training mode")
    }

    func testNonFiniteLossStopsTrainingAtThatStep() throws {
        let points = Dataset(features: Tensor<Double>([[1, 2], [3, -4], [-5, 6]]), labels: [0, 1, 1])
        func run(continueOnNonFinite: Bool) -> TrainingHistory {
            let model = Linear<Double>(2, 1, generator: RandomGenerator(seed: 0))
            return train(
                model, on: points, loss: squaredError,
                optimizer: GradientDescent(model.parameters, learningRate: 100),
                for: .iterations(500), continueOnNonFinite: continueOnNonFinite, showsProgress: false)
        }
        let stopped = run(continueOnNonFinite: false)
        let divergence = try XCTUnwrap(stopped.divergence, "a learning rate of 100 must blow the loss up")
        XCTAssertFalse(divergence.loss.isFinite)
        XCTAssertGreaterThan(divergence.step, 10)
        XCTAssertEqual(stopped.stepsCompleted, divergence.step, "no update is made from a non-finite loss")
        XCTAssertEqual(stopped.records.last?.step, divergence.step)
        XCTAssertTrue(stopped.losses.dropLast().allSatisfy(\.isFinite))
        XCTAssertTrue(divergence.description.contains("step \(divergence.step)"), divergence.description)

        let continued = run(continueOnNonFinite: true)
        XCTAssertNil(continued.divergence)
        XCTAssertEqual(continued.stepsCompleted, 500)
        XCTAssertEqual(Array(continued.losses.prefix(divergence.step)), Array(stopped.losses.prefix(divergence.step)))
    }

    func testMiniBatchesFollowNumpyPermutationsEachEpoch() {
        // Rows labelled by their index; the loss closure sees which rows each batch holds.
        let rows = Dataset(
            features: Tensor<Double>(shape: [10, 1], scalars: (0..<10).map(Double.init)),
            labels: Array(0..<10))
        let model = Linear<Double>(1, 1, generator: RandomGenerator(seed: 0))
        var batches: [[Int]] = []
        let history = train(
            model, on: rows,
            loss: { output, batch in
                batches.append(batch.labels)
                return (output * output).mean()
            }, optimizer: GradientDescent(model.parameters, learningRate: 0.01), for: .epochs(2), batchSize: 4,
            generator: RandomGenerator(seed: 7), showsProgress: false)
        // np.random.seed(7); np.random.permutation(10) twice:
        // [8, 5, 0, 2, 1, 9, 7, 3, 6, 4] and [1, 3, 2, 5, 9, 0, 4, 6, 7, 8].
        XCTAssertEqual(batches, [[8, 5, 0, 2], [1, 9, 7, 3], [6, 4], [1, 3, 2, 5], [9, 0, 4, 6], [7, 8]])
        XCTAssertEqual(history.stepsCompleted, 6)
    }

    func testMiniBatchTrainingIsReproducibleFromTheSeed() {
        func run(shuffleSeed: UInt32) -> (TrainingHistory, [Double]) {
            let model = circlesModel(seed: 3)
            let history = train(
                model, on: circles, loss: logisticLoss,
                optimizer: GradientDescent(model.parameters, learningRate: 0.1),
                for: .iterations(50), batchSize: 32, generator: RandomGenerator(seed: shuffleSeed),
                showsProgress: false)
            return (history, model.parameters.flatMap(\.value.scalars))
        }
        let (first, firstWeights) = run(shuffleSeed: 11)
        let (second, secondWeights) = run(shuffleSeed: 11)
        let (other, otherWeights) = run(shuffleSeed: 12)
        XCTAssertEqual(first.records, second.records)
        XCTAssertEqual(firstWeights, secondWeights)
        XCTAssertNotEqual(first.losses, other.losses)
        XCTAssertNotEqual(firstWeights, otherWeights)
    }

    func testTrainingReleasesEveryGraph() {
        let model = circlesModel(seed: 3)
        let before = Autograd.liveNodeCount
        _ = train(
            model, on: circles, loss: logisticLoss, optimizer: GradientDescent(model.parameters, learningRate: 0.1),
            for: .iterations(20), batchSize: 50, recordEvery: 5,
            evaluate: { ["accuracy": accuracy(of: $0, on: self.circles)] }, showsProgress: false)
        XCTAssertEqual(Autograd.liveNodeCount, before)
    }

    func testFloatTrainingWorksToo() {
        let generator = RandomGenerator(seed: 3)
        let model = Sequential<Float>(Linear(2, 8, generator: generator), Tanh(), Linear(8, 1, generator: generator))
        let history = train(
            model, on: circles.converted(to: Float.self), loss: logisticLoss,
            optimizer: GradientDescent(model.parameters, learningRate: 0.5),
            for: .iterations(300), recordEvery: 299, showsProgress: false)
        XCTAssertEqual(history.steps, [0, 299])
        XCTAssertLessThan(history.losses[1], history.losses[0])
    }

    func testAccuracyOfBinaryAndMultiClassLogits() {
        let binary = Tensor<Double>(shape: [4, 1], scalars: [2, -1, 0, 0.5])
        XCTAssertEqual(predictedClasses(fromLogits: binary), [1, 0, 0, 1], "logit > 0 means probability > 0.5")
        XCTAssertEqual(accuracy(logits: binary, labels: [1, 0, 1, 1]), 0.75)
        let multi = Tensor<Double>([[0.1, 3, -1], [5, 5, 1], [0, 0, 9]])
        XCTAssertEqual(predictedClasses(fromLogits: multi), [1, 0, 2])
        XCTAssertEqual(accuracy(logits: multi, labels: [1, 2, 2]), 2.0 / 3.0)
    }
}
