import Kindling
import XCTest

/// The deep-signal trends of the reference articles (100 bias-free Linear(256, 256) layers, batch 16,
/// layers counted from 0), asserted for several seeds in Float, as issue 5 states them.
final class SignalPropagationTests: XCTestCase {
    let seeds: [UInt32] = [0, 1, 2, 3]

    func run(
        _ activation: SignalPropagation.Activation, _ initialization: InitializationName,
        gain: Double? = nil, seed: UInt32
    ) -> SignalPropagation.Result {
        var configuration = SignalPropagation.Configuration()
        configuration.activation = activation
        configuration.initialization = initialization
        configuration.gain = gain
        configuration.seed = seed
        return SignalPropagation.run(configuration, as: Float.self)
    }

    func deviations(_ result: SignalPropagation.Result) -> [Double] {
        result.layers.map(\.activationStandardDeviation)
    }

    func testStandardNormalWeightsWithoutActivationOverflowNearLayer31() {
        for seed in seeds {
            let result = run(.none, "normal", seed: seed)
            let layer = try! XCTUnwrap(result.firstNonFiniteLayer, "seed \(seed)")
            XCTAssert((29...33).contains(layer), "seed \(seed): first non-finite layer \(layer)")
            // The std before overflow is finite and huge: the statistic itself did not overflow.
            XCTAssertGreaterThan(result.layers[layer - 1].activationStandardDeviation, 1e30, "seed \(seed)")
            XCTAssertTrue(result.layers[layer - 1].activationStandardDeviation.isFinite)
        }
    }

    func testScaledWeightsWithoutActivationKeepTheSignal() {
        for seed in seeds {
            let stds = deviations(run(.none, "scaled", seed: seed))
            XCTAssertEqual(stds.count, 100)
            XCTAssertTrue(stds.allSatisfy { (0.5...2).contains($0) }, "seed \(seed): \(stds.min()!)...\(stds.max()!)")
        }
    }

    func testTanhWithScaledWeightsShrinks() {
        for seed in seeds {
            let stds = deviations(run(.tanh, "scaled", seed: seed))
            XCTAssertLessThan(stds[99], 0.15, "seed \(seed)")
        }
    }

    func testTanhWithXavierAtItsGainStaysPut() {
        for seed in seeds {
            let stds = deviations(run(.tanh, "xavier", seed: seed))
            XCTAssertTrue(stds.allSatisfy { (0.5...0.9).contains($0) }, "seed \(seed): \(stds.min()!)...\(stds.max()!)")
        }
    }

    func testReLUWithKaimingStaysPut() {
        for seed in seeds {
            let stds = deviations(run(.relu, "kaiming", seed: seed))
            XCTAssertEqual(stds.count, 100)
            XCTAssertTrue(stds.allSatisfy { (0.1...5).contains($0) }, "seed \(seed): \(stds.min()!)...\(stds.max()!)")
        }
    }

    func testReLUWithXavierAtGainOneVanishes() {
        for seed in seeds {
            let stds = deviations(run(.relu, "xavier", gain: 1, seed: seed))
            XCTAssertLessThan(stds[99], 1e-10, "seed \(seed)")
        }
    }

    func testReLUWithXavierAtTanhsGainExplodes() {
        for seed in seeds {
            let stds = deviations(run(.relu, "xavier", gain: 5.0 / 3, seed: seed))
            XCTAssertGreaterThan(stds.last!, 1e5, "seed \(seed)")
        }
    }

    func testGradientsAreReportedPerLayer() {
        var configuration = SignalPropagation.Configuration()
        configuration.layers = 10
        configuration.activation = .relu
        configuration.initialization = "kaiming"
        configuration.gradients = true
        let result = SignalPropagation.run(configuration, as: Double.self)
        XCTAssertEqual(result.layers.count, 10)
        XCTAssertTrue(result.layers.allSatisfy { ($0.gradientStandardDeviation ?? 0) > 0 })
    }
}
