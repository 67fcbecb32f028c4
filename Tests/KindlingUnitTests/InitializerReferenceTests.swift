import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Kindling's initializers against torch.nn.init itself: Fixtures/torch_init.json, written by
/// Scripts/reference/torch_init.py, which runs PyTorch's functions in float64 with their random fills
/// (uniform_, normal_, randperm) taken from numpy's RandomState with the same seed. Kindling's generator
/// is that stream, so the values must agree to rounding: formulas, gains, fans, draw order, the
/// inverse-CDF truncated normal, orthogonal's QR sign convention and sparse's zero pattern.
final class InitializerReferenceTests: XCTestCase {
    private var reference: [String: Any] = [:]

    override func setUpWithError() throws {
        reference = try XCTUnwrap(fixture("torch_init.json") as? [String: Any])
        XCTAssertEqual(reference["generator"] as? String, "Scripts/reference/torch_init.py")
    }

    func testCalculateGainMatchesTorch() throws {
        let gains = try XCTUnwrap(reference["gains"] as? [[String: Any]])
        XCTAssertEqual(gains.count, 15)
        for entry in gains {
            let name = try XCTUnwrap(entry["nonlinearity"] as? String)
            let nonlinearity = try Self.nonlinearity(name, slope: entry["param"] as? Double)
            let expected = try XCTUnwrap(entry["gain"] as? Double)
            XCTAssertEqual(calculateGain(nonlinearity), expected, accuracy: 1e-15, "\(name) \(entry["param"] ?? "")")
        }
    }

    func testFansMatchTorchForLinearAndConvolutionShapes() throws {
        let fans = try XCTUnwrap(reference["fans"] as? [[String: Any]])
        XCTAssertEqual(fans.count, 7)
        for entry in fans {
            let shape = try XCTUnwrap(entry["shape"] as? [Int])
            XCTAssertEqual(Fans(shape: shape).fanIn, entry["fan_in"] as? Int, "fan_in of \(shape)")
            XCTAssertEqual(Fans(shape: shape).fanOut, entry["fan_out"] as? Int, "fan_out of \(shape)")
        }
    }

    func testEyeAndDiracEqualTorchExactly() throws {
        let entries = try XCTUnwrap(reference["deterministic"] as? [[String: Any]])
        XCTAssertEqual(entries.count, 9)
        for entry in entries {
            let (initializer, shape, expected) = try Self.parse(entry)
            for precision in InitializerPrecision.allCases {
                XCTAssertEqual(
                    precision.sample(initializer, shape: shape), expected, "\(initializer) \(shape) \(precision)")
            }
        }
    }

    func testRandomInitializersEqualTorchFedTheSameNumpyStream() throws {
        let entries = try XCTUnwrap(reference["random"] as? [[String: Any]])
        XCTAssertEqual(entries.count, 23)
        for entry in entries {
            let (initializer, shape, expected) = try Self.parse(entry)
            let seed = try XCTUnwrap(entry["seed"] as? Int)
            // Double: rounding differences only (1e-12; orthogonal's QR 1e-10). Float: one rounding of
            // values of magnitude below 4, so 1e-6.
            let doubleTolerance = (entry["name"] as? String) == "orthogonal" ? 1e-10 : 1e-12
            assertClose(
                InitializerPrecision.double.sample(initializer, shape: shape, seed: UInt32(seed)), expected,
                tolerance: doubleTolerance, "\(initializer) \(shape) Double")
            assertClose(
                InitializerPrecision.float.sample(initializer, shape: shape, seed: UInt32(seed)), expected,
                tolerance: 1e-6, "\(initializer) \(shape) Float")
        }
    }

    func testInverseErrorFunctionMatchesTorch() throws {
        let table = try XCTUnwrap(reference["erfinv"] as? [String: [Double]])
        let ys = try XCTUnwrap(table["y"])
        let xs = try XCTUnwrap(table["x"])
        XCTAssertEqual(ys.count, 16)
        for (y, x) in zip(ys, xs) {
            XCTAssertEqual(inverseErrorFunction(y), x, accuracy: 4e-15 * max(abs(x), 1e-300), "erfinv(\(y))")
        }
    }

    func testInverseErrorFunctionInvertsErfAndHandlesTheEnds() {
        // erf(erfinv(y)) = y to a few ulps of y across (-1, 1), and erfinv is odd.
        for i in -999...999 {
            let y = Double(i) / 1000
            XCTAssertEqual(
                erf(inverseErrorFunction(y)), y, accuracy: 4 * Double.ulpOfOne * max(abs(y), 1e-3),
                "erf(erfinv(\(y)))")
            XCTAssertEqual(inverseErrorFunction(-y), -inverseErrorFunction(y))
        }
        // erfinv(erf(x)) = x up to the rounding of erf(x) to a double, which moves the answer by
        // ulp(erf(x)) / erf'(x), erf'(x) = 2/√π·e^(-x²); allow 4 of those plus 4 ulps of x.
        for i in -300...300 {
            let x = Double(i) / 100
            let y = erf(x)
            let conditioning = y.ulp / (2 / Double.pi.squareRoot() * exp(-x * x))
            XCTAssertEqual(
                inverseErrorFunction(y), x, accuracy: 4 * conditioning + 4 * max(abs(x), 1e-3).ulp,
                "erfinv(erf(\(x)))")
        }
        XCTAssertEqual(inverseErrorFunction(1), .infinity)
        XCTAssertEqual(inverseErrorFunction(-1), -.infinity)
        XCTAssertTrue(inverseErrorFunction(1.5).isNaN)
        XCTAssertTrue(inverseErrorFunction(.nan).isNaN)
        XCTAssertEqual(inverseErrorFunction(0), 0)
    }

    // MARK: - Fixture entries as Kindling initializers

    private static func parse(_ entry: [String: Any]) throws -> (Initializer, [Int], [Double]) {
        let name = try XCTUnwrap(entry["name"] as? String)
        let shape = try XCTUnwrap(entry["shape"] as? [Int])
        let values = try XCTUnwrap(entry["values"] as? [Double])
        let arguments = try XCTUnwrap(entry["arguments"] as? [String: Any])
        func number(_ key: String, _ fallback: Double) -> Double { arguments[key] as? Double ?? fallback }
        func mode() throws -> FanMode {
            switch arguments["mode"] as? String ?? "fan_in" {
            case "fan_in": return .fanIn
            case "fan_out": return .fanOut
            case let other: throw FixtureError.unknown("mode \(other)")
            }
        }
        let initializer: Initializer
        switch name {
        case "eye": initializer = .eye
        case "dirac": initializer = .dirac(groups: arguments["groups"] as? Int ?? 1)
        case "uniform": initializer = .uniform(low: number("a", 0), high: number("b", 1))
        case "normal": initializer = .normal(mean: number("mean", 0), standardDeviation: number("std", 1))
        case "trunc_normal":
            initializer = .truncatedNormal(
                mean: number("mean", 0), standardDeviation: number("std", 1),
                low: number("a", -2), high: number("b", 2))
        case "xavier_uniform": initializer = .xavierUniform(gain: number("gain", 1))
        case "xavier_normal": initializer = .xavierNormal(gain: number("gain", 1))
        case "kaiming_uniform", "kaiming_normal":
            let nonlinearity = try Self.nonlinearity(arguments["nonlinearity"] as? String ?? "leaky_relu", slope: nil)
            initializer =
                name == "kaiming_uniform"
                ? .kaimingUniform(a: number("a", 0), mode: try mode(), nonlinearity: nonlinearity)
                : .kaimingNormal(a: number("a", 0), mode: try mode(), nonlinearity: nonlinearity)
        case "orthogonal": initializer = .orthogonal(gain: number("gain", 1))
        case "sparse":
            initializer = .sparse(sparsity: number("sparsity", 0), standardDeviation: number("std", 0.01))
        default: throw FixtureError.unknown("initializer \(name)")
        }
        return (initializer, shape, values)
    }

    private static func nonlinearity(_ name: String, slope: Double?) throws -> Nonlinearity {
        switch name {
        case "linear": return .linear
        case "conv1d": return .conv1d
        case "conv2d": return .conv2d
        case "conv3d": return .conv3d
        case "conv_transpose1d": return .convTranspose1d
        case "conv_transpose2d": return .convTranspose2d
        case "conv_transpose3d": return .convTranspose3d
        case "sigmoid": return .sigmoid
        case "tanh": return .tanh
        case "relu": return .relu
        case "leaky_relu": return .leakyReLU(negativeSlope: slope)
        case "selu": return .selu
        default: throw FixtureError.unknown("nonlinearity \(name)")
        }
    }

    private enum FixtureError: Error { case unknown(String) }
}
