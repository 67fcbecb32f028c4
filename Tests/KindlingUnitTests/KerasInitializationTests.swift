import Kindling
import XCTest

/// The five initializers the Keras article compares, as `--init` and `compare-init --inits` name them, against
/// Keras's documented definitions (keras.io/api/layers/initializers): the bounds, and the sample spread of a
/// 256 x 512 Dense kernel (fan_in 512, fan_out 256); biases are zeros, Keras's default `bias_initializer`.
final class KerasInitializationTests: XCTestCase {
    func weights(_ name: String, seed: UInt32 = 7) throws -> (weight: [Double], bias: [Double]) {
        let initialization = try XCTUnwrap(InitializationName(rawValue: name))
        let model = Sequential<Double>(Linear(512, 256))
        model.initializeWeights(
            initialization.scheme(InitializationSettings(randomScale: 1)), generator: RandomGenerator(seed: seed))
        let layer = model.layers[0] as! Linear<Double>
        return (layer.weight.value.scalars, layer.bias!.value.scalars)
    }

    func standardDeviation(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    }

    func testBoundsAndSpreadAreKeras() throws {
        // name, bound (nil: unbounded), expected standard deviation
        let cases: [(String, Double?, Double)] = [
            ("random-uniform", 0.05, 0.05 / 3.0.squareRoot()),  // RandomUniform(-0.05, 0.05)
            // limit sqrt(6 / (fan_in + fan_out))
            ("glorot-uniform", (6.0 / 768).squareRoot(), (2.0 / 768).squareRoot()),
            (
                "he-normal", 2 * (2.0 / 512).squareRoot() / 0.87962566103423978,  // truncated at 2 sigma,
                (2.0 / 512).squareRoot()
            ),  // variance 2 / fan_in after truncation
            ("lecun-uniform", (3.0 / 512).squareRoot(), (1.0 / 512).squareRoot()),  // limit sqrt(3 / fan_in)
        ]
        for (name, bound, spread) in cases {
            let (weight, bias) = try weights(name)
            XCTAssertEqual(bias, [Double](repeating: 0, count: 256), name)
            if let bound {
                XCTAssertLessThanOrEqual(weight.map(abs).max()!, bound, name)
                XCTAssertGreaterThan(weight.map(abs).max()!, 0.99 * bound, "\(name): the bound is reached")
            }
            XCTAssertEqual(standardDeviation(weight), spread, accuracy: 0.02 * spread, name)
        }
    }

    func testOrthogonalRowsAreOrthonormal() throws {
        let (weight, bias) = try weights("orthogonal")
        XCTAssertEqual(bias, [Double](repeating: 0, count: 256))
        for (i, j) in [(0, 0), (0, 1), (17, 17), (100, 255)] {
            let dot = (0..<512).reduce(0.0) { $0 + weight[i * 512 + $1] * weight[j * 512 + $1] }
            XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-12)
        }
    }

    func testSummaryListsLayersShapesAndParameterCounts() {
        let model = Sequential<Float>(Linear(64, 32), BatchNorm1d(32), ReLU(), Linear(32, 10))
        let summary = model.summary(inputShape: [64])
        XCTAssertTrue(summary.contains("0 (Linear)                   (None, 32)                2,080"), summary)
        XCTAssertTrue(summary.contains("1 (BatchNorm1d)              (None, 32)                64"), summary)
        XCTAssertTrue(summary.contains("3 (Linear)                   (None, 10)                330"), summary)
        // 2080 + 64 + 330 trainable; BatchNorm's running mean and variance (32 + 32) and batch count (1) are not.
        XCTAssertTrue(summary.contains("Total params: 2,539 (9.92 KB)"), summary)
        XCTAssertTrue(summary.contains("Trainable params: 2,474 (9.66 KB)"), summary)
        XCTAssertTrue(summary.contains("Non-trainable params: 65 (260.00 B)"), summary)
        XCTAssertTrue(model.isTraining, "the summary restores the training mode")
    }
}
