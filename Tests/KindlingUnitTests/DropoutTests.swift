import Foundation
import Kindling
import XCTest

final class DropoutTests: XCTestCase {
    func testKeptFractionIsOneMinusPWithinFiveStandardErrors() {
        let n = 200_000
        let ones = Tensor<Double>.ones([400, 500])
        for p in [0.1, 0.5, 0.8] {
            let y = dropout(ones, probability: p, training: true, generator: RandomGenerator(seed: 42))
            let kept = Double(y.scalars.filter { $0 != 0 }.count) / Double(n)
            // The kept count is Binomial(n, 1 - p): its fraction has standard error sqrt(p (1 - p) / n).
            let standardError = (p * (1 - p) / Double(n)).squareRoot()
            XCTAssertEqual(kept, 1 - p, accuracy: 5 * standardError, "p = \(p)")
            // Scaling by 1 / (1 - p) keeps the expectation: the mean is kept / (1 - p).
            XCTAssertEqual(y.mean().scalar, 1, accuracy: 5 * standardError / (1 - p), "p = \(p)")
        }
    }

    func testKeptUnitsAreScaledExactlyAndTheMaskIsTheDocumentedDraw() {
        let p = 0.3
        let x = Tensor<Float>.randn([7, 9], generator: RandomGenerator(seed: 1))
        let y = dropout(x, probability: p, training: true, generator: RandomGenerator(seed: 9))
        // One randomSample per element in row-major order; kept when u >= p.
        let replay = RandomGenerator(seed: 9)
        let scale = 1 / Float(1 - p)
        for i in 0..<x.count {
            let kept = replay.randomSample() >= p
            XCTAssertEqual(y.scalars[i], kept ? x.scalars[i] * scale : 0, "element \(i)")
        }
    }

    func testSameSeedSameMaskAndTheGeneratorAdvances() {
        let x = Tensor<Double>.ones([10, 10])
        let a = dropout(x, probability: 0.5, training: true, generator: RandomGenerator(seed: 3))
        let b = dropout(x, probability: 0.5, training: true, generator: RandomGenerator(seed: 3))
        XCTAssertEqual(a, b)
        let shared = RandomGenerator(seed: 3)
        let first = dropout(x, probability: 0.5, training: true, generator: shared)
        let second = dropout(x, probability: 0.5, training: true, generator: shared)
        XCTAssertEqual(first, a)
        XCTAssertNotEqual(first, second)
    }

    func testIdentityWhenNotTrainingOrPIsZeroWithoutDrawing() {
        let x = Tensor<Double>.randn([4, 5], generator: RandomGenerator(seed: 2))
        let generator = RandomGenerator(seed: 8)
        XCTAssertEqual(dropout(x, probability: 0.5, training: false, generator: generator), x)
        XCTAssertEqual(dropout(x, probability: 0, training: true, generator: generator), x)
        XCTAssertEqual(generator.randomSample(), RandomGenerator(seed: 8).randomSample())
    }

    func testProbabilityOneGivesZerosAndZeroGradient() {
        let x = Tensor<Double>.randn([3, 3], generator: RandomGenerator(seed: 2)).requiringGradient()
        let y = dropout(x, probability: 1, training: true, generator: RandomGenerator(seed: 0))
        XCTAssertEqual(y.scalars, [Double](repeating: 0, count: 9))
        y.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [Double](repeating: 0, count: 9))
    }

    func testGradientPassesThroughTheSameMask() {
        for (shape, p) in [([6], 0.5), ([3, 4], 0.25), ([2, 3, 2], 0.6)] {
            let x = Tensor<Double>.randn(shape, generator: RandomGenerator(seed: 4))
            // A fresh generator with one seed per evaluation, so every evaluation uses the same mask.
            let result = gradcheck(
                { dropout($0[0], probability: p, training: true, generator: RandomGenerator(seed: 6)) },
                inputs: [x])
            XCTAssertTrue(result.passed, result.description)
        }
        let x = Tensor<Double>.ones([20]).requiringGradient()
        let y = dropout(x, probability: 0.5, training: true, generator: RandomGenerator(seed: 6))
        y.sum().backward()
        XCTAssertEqual(x.grad, y.detached())
    }

    func testLayerDropsInTrainingAndPassesThroughInEvaluation() {
        let layer = Dropout<Double>(probability: 0.4, generator: RandomGenerator(seed: 12))
        let model = Sequential<Double>(Linear(3, 50, generator: RandomGenerator(seed: 1)), layer)
        let x = Tensor<Double>.ones([2, 3])
        XCTAssertTrue(layer.isTraining)
        let training = model(x)
        XCTAssertGreaterThan(training.scalars.filter { $0 == 0 }.count, 0)
        model.eval()
        XCTAssertFalse(layer.isTraining)
        let linear = model.layers[0] as! Linear<Double>
        XCTAssertEqual(model(x), linear(x))
        XCTAssertEqual(Dropout<Float>().probability, 0.5)
        XCTAssertTrue(layer.stateDictionary.isEmpty)
    }
}
