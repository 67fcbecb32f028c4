import Kindling
import XCTest

/// Per-layer diagnostics: each statistic against the test's own computation from the same weights and
/// batch, and the articles' claims (zeros never break symmetry) shown by the recorder.
final class LayerDiagnosticsTests: XCTestCase {
    func makeModel(seed: UInt32, scheme: InitializationScheme) -> Sequential<Double> {
        let model = Sequential<Double>(Linear(2, 4), Tanh(), Linear(4, 3), ReLU(), Linear(3, 1))
        model.initializeWeights(scheme, generator: RandomGenerator(seed: seed))
        return model
    }

    func testStatisticsOfOneStepMatchAHandComputation() throws {
        let data: Dataset<Double> = .circles(count: 40, noise: 0.05, generator: RandomGenerator(seed: 1))
        let model = makeModel(seed: 7, scheme: .random(scale: 1.5))
        let twin = makeModel(seed: 7, scheme: .random(scale: 1.5))
        let diagnostics = LayerDiagnostics(model, every: 2)
        let learningRate = 0.1
        let loss = { (logits: Tensor<Double>, batch: Dataset<Double>) in
            binaryCrossEntropyWithLogits(logits, batch.targets)
        }
        _ = train(
            model, on: data, loss: loss,
            optimizer: diagnostics.observing(try SGD(model.parameters, learningRate: learningRate)),
            for: .iterations(3), recordEvery: 1,
            evaluate: { model in ["extra": model(Tensor.zeros([5, 2])).scalars[0]] },
            showsProgress: false)
        diagnostics.detach()
        XCTAssertEqual(diagnostics.records.map(\.step), [0, 0, 0, 2, 2, 2])
        XCTAssertEqual(diagnostics.records.map(\.layer), ["0", "2", "4", "0", "2", "4"])

        // Step 0 by hand on the twin: activations after each weight layer's activation, gradients, updates.
        let x = data.features
        let w0 = twin.parameters.map(\.value.scalars)
        let hidden1 = tanh(twin.layers[0](x))
        let hidden2 = relu(twin.layers[2](hidden1))
        let logits = twin.layers[4](hidden2)
        loss(logits, data).backward()
        func std(_ values: [Double]) -> Double {
            let mean = values.reduce(0, +) / Double(values.count)
            return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
        }
        let records = Array(diagnostics.records.prefix(3))
        XCTAssertEqual(records[0].activationStandardDeviation, std(hidden1.scalars), accuracy: 1e-12)
        XCTAssertEqual(records[0].activationMean, hidden1.scalars.reduce(0, +) / 160, accuracy: 1e-12)
        XCTAssertEqual(
            try XCTUnwrap(records[0].saturatedFraction),
            Double(hidden1.scalars.filter { Swift.abs($0) > 0.99 }.count) / 160)
        XCTAssertNil(records[0].deadFraction)
        let deadUnits = (0..<3).filter { unit in (0..<40).allSatisfy { hidden2.scalars[$0 * 3 + unit] <= 0 } }.count
        XCTAssertEqual(try XCTUnwrap(records[1].deadFraction), Double(deadUnits) / 3)
        XCTAssertEqual(records[2].activationStandardDeviation, std(logits.scalars), accuracy: 1e-12)
        for (index, parameterIndex) in [(0, 0), (1, 2), (2, 4)] {
            let weight = twin.parameters[parameterIndex]
            let gradient = try XCTUnwrap(weight.grad).scalars
            XCTAssertEqual(records[index].weightGradientStandardDeviation, std(gradient), accuracy: 1e-12)
            let old = w0[parameterIndex]
            let update = gradient.map { -learningRate * $0 }
            let ratio = (update.reduce(0) { $0 + $1 * $1 } / old.reduce(0) { $0 + $1 * $1 }).squareRoot()
            XCTAssertEqual(records[index].updateToWeightRatio, ratio, accuracy: 1e-12)
            let bias = twin.parameters[parameterIndex + 1].value.scalars
            let units = weight.shape[0]
            let inputs = weight.shape[1]
            var largest = 0.0
            for i in 0..<units {
                for j in 0..<units {
                    for k in 0..<inputs {
                        largest = Swift.max(largest, Swift.abs(old[i * inputs + k] - old[j * inputs + k]))
                    }
                    largest = Swift.max(largest, Swift.abs(bias[i] - bias[j]))
                }
            }
            XCTAssertEqual(records[index].symmetryBreaking, largest, accuracy: 1e-15)
        }
        XCTAssertEqual(diagnostics.table.rows.count, 6)
        XCTAssertEqual(diagnostics.table.header.first, "step")
    }

    /// An evaluation between two updates (as `fit`'s validation pass before an epoch's first step) runs
    /// without a graph; the step's activations are those of its training pass.
    func testForwardPassesWithoutAGraphAreNotRecorded() throws {
        let data: Dataset<Double> = .circles(count: 20, noise: 0.05, generator: RandomGenerator(seed: 2))
        let model = makeModel(seed: 3, scheme: .random(scale: 1))
        let expected = withoutGradient { tanh(model.layers[0](data.features)) }.scalars
        let diagnostics = LayerDiagnostics(model, every: 1)
        let optimizer = diagnostics.observing(try SGD(model.parameters, learningRate: 0.1))
        _ = model.evaluationOutput(Tensor.zeros([5, 2]))
        binaryCrossEntropyWithLogits(model(data.features), data.targets).backward()
        optimizer.step()
        diagnostics.detach()
        XCTAssertEqual(
            diagnostics.records[0].activationMean, expected.reduce(0, +) / Double(expected.count), accuracy: 1e-12)
    }

    func testZerosNeverBreakSymmetryAndHeDoes() throws {
        var configuration = InitializationComparison.Configuration()
        configuration.iterations = 3000
        configuration.diagnosticsEvery = 500
        configuration.initializations = ["zeros", "he"]
        let runs = try InitializationComparison.run(configuration)
        let zeros = runs[0].diagnostics
        let he = runs[1].diagnostics
        XCTAssertEqual(zeros.count, 18)
        XCTAssertTrue(zeros.allSatisfy { $0.symmetryBreaking == 0 }, "\(zeros.map(\.symmetryBreaking))")
        XCTAssertTrue(
            zeros.filter { $0.layer != "4" }.allSatisfy {
                $0.deadFraction == 1 && $0.weightGradientStandardDeviation == 0
            })
        XCTAssertTrue(he.filter { $0.layer != "4" }.allSatisfy { $0.symmetryBreaking > 0.1 })
        XCTAssertTrue(he.allSatisfy { $0.updateToWeightRatio > 0 })
    }
}
