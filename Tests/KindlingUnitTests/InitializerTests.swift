import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Statistical and structural tests of every initializer, in Double and Float, on large tensors.
///
/// Tolerances come from the sample size n. With σ the distribution's standard deviation and
/// κ = μ₄/σ⁴ its kurtosis (normal 3, uniform 9/5, truncated normal computed by quadrature):
/// - the sample mean has standard error σ/√n;
/// - the sample variance s² has variance σ⁴(κ - 1)/n + O(n⁻²), so by the delta method the sample
///   standard deviation s has standard error σ·sqrt((κ - 1)/n)/2;
/// and every assertion allows 5 standard errors (a correct implementation fails one with probability
/// below 6e-7 under the normal approximation, which is excellent at n ≥ 6·10⁴).
/// For a support [low, high] where the density is at least f at the ends, the smallest of n values
/// exceeds low + t with probability (1 - f·t)ⁿ ≈ e^(-n f t); t = 20/(n f) makes that e^-20, so the
/// extremes must lie within t of the bounds (and never outside them).
final class InitializerTests: XCTestCase {
    // MARK: - Constant fills

    func testZerosOnesAndConstantFillExactly() {
        for precision in InitializerPrecision.allCases {
            XCTAssertEqual(precision.sample(.zeros, shape: [3, 4, 5]), [Double](repeating: 0, count: 60))
            XCTAssertEqual(precision.sample(.ones, shape: [7, 2]), [Double](repeating: 1, count: 14))
            XCTAssertEqual(precision.sample(.constant(0.25), shape: [2, 3]), [Double](repeating: 0.25, count: 6))
        }
    }

    // MARK: - Uniform family

    func testUniformHasItsMomentsAndBounds() {
        assertUniform(.uniform(low: -0.3, high: 0.7), shape: [512, 512], low: -0.3, high: 0.7)
        assertUniform(.uniform(), shape: [600, 500], low: 0, high: 1)
    }

    func testXavierUniformBoundIsGainTimesRootSixOverFanSum() {
        // Linear (512, 512): fans 512 + 512; Conv2d (256, 128, 3, 3): fan_in 1152, fan_out 2304.
        let linearBound = 5.0 / 3 * (6.0 / 1024).squareRoot()
        assertUniform(.xavierUniform(gain: 5.0 / 3), shape: [512, 512], low: -linearBound, high: linearBound)
        let convBound = (6.0 / (1152 + 2304)).squareRoot()
        assertUniform(.xavierUniform(), shape: [256, 128, 3, 3], low: -convBound, high: convBound)
    }

    func testKaimingUniformBoundIsRootThreeGainOverRootFan() {
        // PyTorch's default (a = 0, leaky ReLU): gain sqrt(2), bound sqrt(6 / fan_in).
        let defaultBound = (6.0 / 512).squareRoot()
        assertUniform(.kaimingUniform(), shape: [512, 512], low: -defaultBound, high: defaultBound)
        // a = sqrt(5), the Linear/Conv2d constructor default: bound 1/sqrt(fan_in).
        let constructorBound = 1 / 768.0.squareRoot()
        assertUniform(
            .kaimingUniform(a: 5.0.squareRoot()), shape: [400, 768], low: -constructorBound,
            high: constructorBound)
        // fan_out of a conv weight (128, 64, 3, 3) is 128 * 9, relu gain sqrt(2).
        let fanOutBound = 3.0.squareRoot() * 2.0.squareRoot() / (128.0 * 9).squareRoot()
        assertUniform(
            .kaimingUniform(mode: .fanOut, nonlinearity: .relu), shape: [128, 64, 3, 3],
            low: -fanOutBound, high: fanOutBound)
    }

    func testLecunUniformBoundIsRootThreeOverFanIn() {
        let bound = (3.0 / 256).squareRoot()
        assertUniform(.lecunUniform, shape: [1024, 256], low: -bound, high: bound)
    }

    // MARK: - Normal family

    func testNormalHasItsMeanAndStandardDeviation() {
        assertNormal(.normal(mean: 0.5, standardDeviation: 2), shape: [512, 512], mean: 0.5, standardDeviation: 2)
        assertNormal(.normal(), shape: [512, 512], mean: 0, standardDeviation: 1)
    }

    func testXavierNormalStandardDeviationIsGainTimesRootTwoOverFanSum() {
        assertNormal(
            .xavierNormal(gain: 2.0.squareRoot()), shape: [384, 768], mean: 0,
            standardDeviation: 2.0.squareRoot() * (2.0 / 1152).squareRoot())
        assertNormal(
            .xavierNormal(), shape: [64, 32, 5, 5], mean: 0,
            standardDeviation: (2.0 / (32 * 25 + 64 * 25)).squareRoot())
    }

    func testKaimingNormalStandardDeviationIsGainOverRootFan() {
        assertNormal(.kaimingNormal(), shape: [512, 512], mean: 0, standardDeviation: (2.0 / 512).squareRoot())
        // The SimpleCNN policy: fan_out = 128 * 3 * 3, relu.
        assertNormal(
            .kaimingNormal(mode: .fanOut, nonlinearity: .relu), shape: [128, 64, 3, 3], mean: 0,
            standardDeviation: (2.0 / (128 * 9)).squareRoot())
        // Leaky ReLU slope 0.2, given as a (PyTorch's spelling) or on the nonlinearity.
        let leaky = (2 / 1.04).squareRoot() / 512.0.squareRoot()
        assertNormal(.kaimingNormal(a: 0.2), shape: [512, 512], mean: 0, standardDeviation: leaky)
        assertNormal(
            .kaimingNormal(nonlinearity: .leakyReLU(negativeSlope: 0.2)), shape: [512, 512], mean: 0,
            standardDeviation: leaky)
        // fan average of (256, 1024): 640; tanh gain 5/3.
        assertNormal(
            .kaimingNormal(mode: .fanAverage, nonlinearity: .tanh), shape: [256, 1024], mean: 0,
            standardDeviation: 5.0 / 3 / 640.0.squareRoot())
    }

    func testLecunNormalStandardDeviationIsRootOneOverFanIn() {
        assertNormal(.lecunNormal, shape: [1024, 256], mean: 0, standardDeviation: (1.0 / 256).squareRoot())
        assertNormal(.lecunNormal, shape: [64, 16, 3, 3], mean: 0, standardDeviation: (1.0 / 144).squareRoot())
    }

    // MARK: - Truncated normal

    func testTruncatedNormalStaysInsideBoundsWithTheTruncatedMoments() {
        for (mean, standardDeviation, low, high) in [
            (0.0, 1.0, -2.0, 2.0), (1.0, 0.5, 0.2, 2.5),
            (0.0, 1.0, 1.5, 3.0), (-3.0, 2.0, -4.0, 10.0),
        ] {
            assertTruncatedNormal(
                .truncatedNormal(mean: mean, standardDeviation: standardDeviation, low: low, high: high),
                shape: [512, 512], mean: mean, standardDeviation: standardDeviation,
                low: low, high: high)
        }
    }

    func testTruncatedNormalTheoryMatchesTheClosedForm() {
        // The ±2σ truncation has standard deviation 0.87962566103423978 σ (Keras's constant).
        let theory = TruncatedNormalTheory(mean: 0, standardDeviation: 1, low: -2, high: 2)
        XCTAssertEqual(theory.standardDeviation, 0.87962566103423978, accuracy: 1e-14)
        XCTAssertEqual(theory.mean, 0, accuracy: 1e-15)
        XCTAssertLessThan(theory.kurtosis, 3)
    }

    // MARK: - Variance scaling (Keras)

    func testVarianceScalingHasVarianceScaleOverFanInEveryModeAndDistribution() {
        // (256, 1024): fan_in 1024, fan_out 256, fan average 640; scale 2 gives s = 2 / n.
        for (mode, fan) in [(FanMode.fanIn, 1024.0), (.fanOut, 256), (.fanAverage, 640)] {
            let s = 2 / fan
            let initializer = { Initializer.varianceScaling(scale: 2, mode: mode, distribution: $0) }
            let sigma = s.squareRoot() / 0.87962566103423978
            assertTruncatedNormal(
                initializer(.truncatedNormal), shape: [256, 1024], mean: 0,
                standardDeviation: sigma, low: -2 * sigma, high: 2 * sigma)
            let truncated = TruncatedNormalTheory(mean: 0, standardDeviation: sigma, low: -2 * sigma, high: 2 * sigma)
            XCTAssertEqual(truncated.standardDeviation, s.squareRoot(), accuracy: 1e-14 * s.squareRoot())
            assertNormal(
                initializer(.untruncatedNormal), shape: [256, 1024], mean: 0, standardDeviation: s.squareRoot())
            let limit = (3 * s).squareRoot()
            assertUniform(initializer(.uniform), shape: [256, 1024], low: -limit, high: limit)
        }
    }

    func testVarianceScalingDividesByAtLeastOne() {
        // A (1, 1, 1, 1) kernel has fan 1; scale 0.5 keeps s = 0.5 (max(1, n) = 1). Uniform limit sqrt(1.5).
        let values = InitializerPrecision.double.sample(
            .varianceScaling(scale: 0.5, distribution: .uniform), shape: [1, 1, 1, 1])
        XCTAssertLessThanOrEqual(abs(values[0]), 1.5.squareRoot())
        assertUniform(
            .varianceScaling(scale: 0.5, mode: .fanOut, distribution: .uniform), shape: [1, 300_000],
            low: -1.5.squareRoot(), high: 1.5.squareRoot())
    }

    // MARK: - Orthogonal

    func testOrthogonalRowsOrColumnsAreOrthonormalTimesGain() {
        // Tall (rows ≥ columns): WᵀW = gain²·I; wide: WWᵀ = gain²·I; conv weights flattened to
        // (out, in·kH·kW): (16, 72) is wide, (64, 16) tall.
        for (shape, gain) in [
            ([64, 32], 1.0), ([32, 64], 2.0), ([40, 40], 1.5), ([16, 8, 3, 3], 2.0.squareRoot()),
            ([64, 4, 2, 2], 1.0), ([300, 200], 1.0),
        ] {
            for precision in InitializerPrecision.allCases {
                let values = precision.sample(.orthogonal(gain: gain), shape: shape, seed: 5)
                let rows = shape[0]
                let columns = values.count / rows
                let gram =
                    rows >= columns
                    ? Tensor.matmul(
                        Tensor(shape: [rows, columns], scalars: values),
                        Tensor(shape: [rows, columns], scalars: values), transposingLeft: true)
                    : Tensor.matmul(
                        Tensor(shape: [rows, columns], scalars: values),
                        Tensor(shape: [rows, columns], scalars: values), transposingRight: true)
                let size = min(rows, columns)
                let expected = Tensor<Double>.eye(size).scalars.map { $0 * gain * gain }
                assertClose(
                    gram.scalars, expected, tolerance: precision == .double ? 1e-12 : 1e-5,
                    "orthogonal \(shape) gain \(gain) \(precision)")
            }
        }
    }

    // MARK: - Sparse

    func testSparseHasExactlyCeilSparsityTimesRowsZerosPerColumn() {
        for (shape, sparsity) in [
            ([1000, 300], 0.1), ([7, 5], 0.5), ([10, 4], 0.0), ([9, 3], 1.0), ([20, 6], 0.33),
        ] {
            for precision in InitializerPrecision.allCases {
                let values = precision.sample(.sparse(sparsity: sparsity), shape: shape, seed: 9)
                let rows = shape[0]
                let columns = shape[1]
                let expected = Int((sparsity * Double(rows)).rounded(.up))
                for column in 0..<columns {
                    let zeros = (0..<rows).filter { values[$0 * columns + column] == 0 }.count
                    XCTAssertEqual(
                        zeros, expected, "sparse \(shape) sparsity \(sparsity) column \(column) \(precision)")
                }
            }
        }
    }

    func testSparseNonzerosAreNormalWithTheStandardDeviation() {
        // The kept values are the N(0, std²) draws at the kept positions, independent of the positions.
        for precision in InitializerPrecision.allCases {
            let values = precision.sample(.sparse(sparsity: 0.1, standardDeviation: 0.05), shape: [1000, 300], seed: 4)
            let kept = values.filter { $0 != 0 }
            XCTAssertEqual(kept.count, 900 * 300)
            assertSampleMoments(kept, mean: 0, standardDeviation: 0.05, kurtosis: 3, "sparse \(precision)")
        }
    }

    // MARK: - Eye and Dirac

    func testEyeIsTheRectangularIdentity() {
        XCTAssertEqual(InitializerPrecision.double.sample(.eye, shape: [2, 3]), [1, 0, 0, 0, 1, 0])
        XCTAssertEqual(InitializerPrecision.float.sample(.eye, shape: [3, 2]), [1, 0, 0, 1, 0, 0])
    }

    func testDiracKernelsHaveOneCentredOnePerOutputChannelInEachGroup() {
        // (4, 2, 3, 3) with groups 2: output channels 0, 1 (group 0) and 2, 3 (group 1) each map input
        // channel d = 0, 1 through the centre (1, 1).
        let values = InitializerPrecision.double.sample(.dirac(groups: 2), shape: [4, 2, 3, 3])
        var expected = [Double](repeating: 0, count: 72)
        for output in 0..<4 { expected[output * 18 + (output % 2) * 9 + 4] = 1 }
        XCTAssertEqual(values, expected)
        // (3, 5, 4) in 1-D: output channel d maps input channel d at position 4/2 = 2; inputs 3, 4 unused.
        let oneD = InitializerPrecision.float.sample(.dirac(), shape: [3, 5, 4])
        var expectedOneD = [Double](repeating: 0, count: 60)
        for d in 0..<3 { expectedOneD[d * 20 + d * 4 + 2] = 1 }
        XCTAssertEqual(oneD, expectedOneD)
    }

    // MARK: - Reproducibility and the three entry points

    func testSameSeedGivesIdenticalValuesAndAnotherSeedDifferentOnes() {
        let initializers: [Initializer] = [
            .uniform(), .normal(), .truncatedNormal(), .xavierUniform(), .xavierNormal(), .kaimingUniform(),
            .kaimingNormal(), .lecunUniform, .lecunNormal, .orthogonal(), .sparse(sparsity: 0.2),
            .varianceScaling(), .varianceScaling(distribution: .uniform),
            .varianceScaling(distribution: .untruncatedNormal),
        ]
        for initializer in initializers {
            for precision in InitializerPrecision.allCases {
                let first = precision.sample(initializer, shape: [12, 8], seed: 42)
                XCTAssertEqual(first, precision.sample(initializer, shape: [12, 8], seed: 42), "\(initializer)")
                XCTAssertNotEqual(first, precision.sample(initializer, shape: [12, 8], seed: 43), "\(initializer)")
            }
        }
    }

    func testInitializeParameterAndTensorInPlaceEqualsMakeTensor() {
        let initializer = Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu)
        let expected: Tensor<Float> = initializer.makeTensor(shape: [6, 3, 3, 3], generator: RandomGenerator(seed: 1))

        let parameter = Parameter(Tensor<Float>.zeros([6, 3, 3, 3]))
        let sameObject = parameter
        initializer.initialize(parameter, generator: RandomGenerator(seed: 1))
        XCTAssertTrue(sameObject === parameter)
        XCTAssertEqual(parameter.value.scalars, expected.scalars)
        XCTAssertTrue(parameter.requiresGradient)

        var tensor = Tensor<Float>.ones([6, 3, 3, 3])
        initializer.initialize(&tensor, generator: RandomGenerator(seed: 1))
        XCTAssertEqual(tensor, expected)
    }

    func testInitializersContinueTheGeneratorStream() {
        // Two initializations from one generator equal one numpy stream split in two, row-major.
        let generator = RandomGenerator(seed: 3)
        let first: Tensor<Double> = Initializer.normal().makeTensor(shape: [2, 3], generator: generator)
        let second: Tensor<Double> = Initializer.normal().makeTensor(shape: [1, 2], generator: generator)
        let stream = RandomGenerator(seed: 3)
        XCTAssertEqual(first.scalars + second.scalars, (0..<8).map { _ in stream.standardNormal() })
    }

    // MARK: - Gains and fans (the table; the PyTorch fixture checks them too)

    func testCalculateGainTable() {
        for nonlinearity in [
            Nonlinearity.linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d,
            .convTranspose3d, .sigmoid,
        ] {
            XCTAssertEqual(calculateGain(nonlinearity), 1)
        }
        XCTAssertEqual(calculateGain(.tanh), 5.0 / 3)
        XCTAssertEqual(calculateGain(.relu), 2.0.squareRoot())
        XCTAssertEqual(calculateGain(.leakyReLU()), (2 / (1 + 0.01 * 0.01)).squareRoot())
        XCTAssertEqual(calculateGain(.leakyReLU(negativeSlope: 0.2)), (2 / 1.04).squareRoot())
        XCTAssertEqual(calculateGain(.selu), 0.75)
    }

    func testFansOfLinearAndConvolutionWeights() {
        XCTAssertEqual(Fans(shape: [10, 5]).fanIn, 5)
        XCTAssertEqual(Fans(shape: [10, 5]).fanOut, 10)
        XCTAssertEqual(Fans(shape: [32, 3, 3, 3]).fanIn, 27)
        XCTAssertEqual(Fans(shape: [32, 3, 3, 3]).fanOut, 288)
        XCTAssertEqual(Fans(shape: [8, 4, 3, 3, 3]).fan(.fanAverage), (108 + 216) / 2)
    }

    // MARK: - Assertions

    private func assertUniform(
        _ initializer: Initializer, shape: [Int], low: Double, high: Double,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        for precision in InitializerPrecision.allCases {
            let values = precision.sample(initializer, shape: shape)
            let label = "\(initializer) \(shape) \(precision)"
            assertSampleMoments(
                values, mean: (low + high) / 2, standardDeviation: (high - low) / 12.0.squareRoot(),
                kurtosis: 9.0 / 5, label, file: file, line: line)
            let density = 1 / (high - low)
            assertSampleSupport(
                values, low: low, high: high, densityAtEnds: (density, density), label, file: file, line: line)
        }
    }

    private func assertNormal(
        _ initializer: Initializer, shape: [Int], mean: Double, standardDeviation: Double,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        for precision in InitializerPrecision.allCases {
            assertSampleMoments(
                precision.sample(initializer, shape: shape), mean: mean,
                standardDeviation: standardDeviation, kurtosis: 3, "\(initializer) \(shape) \(precision)",
                file: file, line: line)
        }
    }

    private func assertTruncatedNormal(
        _ initializer: Initializer, shape: [Int], mean: Double,
        standardDeviation: Double, low: Double, high: Double,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let theory = TruncatedNormalTheory(mean: mean, standardDeviation: standardDeviation, low: low, high: high)
        for precision in InitializerPrecision.allCases {
            let values = precision.sample(initializer, shape: shape)
            let label = "\(initializer) \(shape) \(precision)"
            assertSampleMoments(
                values, mean: theory.mean, standardDeviation: theory.standardDeviation,
                kurtosis: theory.kurtosis, label, file: file, line: line)
            assertSampleSupport(
                values, low: low, high: high, densityAtEnds: theory.densityAtBounds, label, file: file, line: line)
        }
    }
}

/// The two scalar types, each sampling an initializer into Double values for the statistics.
enum InitializerPrecision: CaseIterable, CustomStringConvertible {
    case double, float

    var description: String { self == .double ? "Double" : "Float" }

    func sample(_ initializer: Initializer, shape: [Int], seed: UInt32 = 2024) -> [Double] {
        let generator = RandomGenerator(seed: seed)
        switch self {
        case .double:
            let tensor: Tensor<Double> = initializer.makeTensor(shape: shape, generator: generator)
            XCTAssertEqual(tensor.shape, shape)
            return tensor.scalars
        case .float:
            let tensor: Tensor<Float> = initializer.makeTensor(shape: shape, generator: generator)
            XCTAssertEqual(tensor.shape, shape)
            return tensor.scalars.map(Double.init)
        }
    }
}

/// Sample mean and standard deviation within 5 standard errors of the distribution's (see the
/// derivation at the top of InitializerTests).
func assertSampleMoments(
    _ values: [Double], mean: Double, standardDeviation: Double, kurtosis: Double,
    _ label: String, file: StaticString = #filePath, line: UInt = #line
) {
    let n = Double(values.count)
    let sampleMean = values.reduce(0, +) / n
    let sampleVariance = values.reduce(0) { $0 + ($1 - sampleMean) * ($1 - sampleMean) } / (n - 1)
    let meanTolerance = 5 * standardDeviation / n.squareRoot()
    let standardDeviationTolerance = 5 * standardDeviation * ((kurtosis - 1) / n).squareRoot() / 2
    XCTAssertEqual(sampleMean, mean, accuracy: meanTolerance, "mean of \(label)", file: file, line: line)
    XCTAssertEqual(
        sampleVariance.squareRoot(), standardDeviation, accuracy: standardDeviationTolerance,
        "standard deviation of \(label)", file: file, line: line)
}

/// Every value inside [low, high], and the extremes within 20/(n·f) of the bounds (probability e^-20 of
/// failing when the density at the bound is f).
func assertSampleSupport(
    _ values: [Double], low: Double, high: Double, densityAtEnds: (low: Double, high: Double),
    _ label: String, file: StaticString = #filePath, line: UInt = #line
) {
    let n = Double(values.count)
    let minimum = values.min()!
    let maximum = values.max()!
    XCTAssertGreaterThanOrEqual(minimum, low, "minimum of \(label)", file: file, line: line)
    XCTAssertLessThanOrEqual(maximum, high, "maximum of \(label)", file: file, line: line)
    XCTAssertLessThan(
        minimum - low, 20 / (n * densityAtEnds.low), "minimum of \(label) far from \(low)",
        file: file, line: line)
    XCTAssertLessThan(
        high - maximum, 20 / (n * densityAtEnds.high), "maximum of \(label) far from \(high)",
        file: file, line: line)
}

/// Moments of N(mean, standardDeviation²) restricted to [low, high]. With α, β the standardized bounds,
/// φ, Φ the standard normal density and CDF and Z = Φ(β) - Φ(α):
/// mean = μ + σ(φ(α) - φ(β))/Z and variance = σ²[1 + (αφ(α) - βφ(β))/Z - ((φ(α) - φ(β))/Z)²];
/// the kurtosis (only used for tolerances) by Simpson's rule.
struct TruncatedNormalTheory {
    let mean: Double
    let standardDeviation: Double
    let kurtosis: Double
    let densityAtBounds: (low: Double, high: Double)

    init(mean mu: Double, standardDeviation sigma: Double, low: Double, high: Double) {
        func phi(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }
        func cdf(_ x: Double) -> Double { (1 + erf(x / 2.0.squareRoot())) / 2 }
        let alpha = (low - mu) / sigma
        let beta = (high - mu) / sigma
        let z = cdf(beta) - cdf(alpha)
        let shift = (phi(alpha) - phi(beta)) / z
        let variance = 1 + (alpha * phi(alpha) - beta * phi(beta)) / z - shift * shift
        mean = mu + sigma * shift
        standardDeviation = sigma * variance.squareRoot()
        densityAtBounds = (phi(alpha) / (sigma * z), phi(beta) / (sigma * z))
        let intervals = 20_000
        let h = (beta - alpha) / Double(intervals)
        var fourth = 0.0
        for i in 0...intervals {
            let x = alpha + Double(i) * h
            let weight: Double = i == 0 || i == intervals ? 1 : (i % 2 == 1 ? 4 : 2)
            fourth += weight * pow(x - shift, 4) * phi(x) / z
        }
        kurtosis = fourth * h / 3 / (variance * variance)
    }
}
