import Kindling
import KindlingTestSupport
import XCTest

/// The `initializeWeights` visitor and the named schemes.
final class InitializationSchemeTests: XCTestCase {
    // MARK: - The course's numpy-seeded results

    func testRandomTimesTenReproducesTheCourseWeights() {
        // The course's initialize_parameters_random([3, 2, 1]) after np.random.seed(3):
        // W = np.random.randn(out, in) * 10, layer by layer (values quoted to 8 decimals).
        let w1 = [17.88628473, 4.36509851, 0.96497468, -18.63492703, -2.77388203, -3.54758979]
        let w2 = [-0.82741481, -6.27000677]
        let double = Sequential<Double>(Linear(3, 2), ReLU(), Linear(2, 1))
        double.initializeWeights(.random(scale: 10), generator: RandomGenerator(seed: 3))
        assertWeights(double, [w1, w2], tolerance: 1e-8)
        let float = Sequential<Float>(Linear(3, 2), ReLU(), Linear(2, 1))
        float.initializeWeights(.random(scale: 10), generator: RandomGenerator(seed: 3))
        assertWeights(float, [w1, w2], tolerance: 4e-6)
    }

    func testHeReproducesTheCourseWeights() {
        // The course's initialize_parameters_he([2, 4, 1]) after np.random.seed(3):
        // W = np.random.randn(out, in) * np.sqrt(2 / in).
        let w1 = [1.78862847, 0.43650985, 0.09649747, -1.8634927, -0.2773882, -0.35475898, -0.08274148, -0.62700068]
        let w2 = [-0.03098412, -0.33744411, -0.92904268, 0.62552248]
        let double = Sequential<Double>(Linear(2, 4), ReLU(), Linear(4, 1))
        double.initializeWeights(.he, generator: RandomGenerator(seed: 3))
        assertWeights(double, [w1, w2], tolerance: 1e-8)
        let float = Sequential<Float>(Linear(2, 4), ReLU(), Linear(4, 1))
        float.initializeWeights(.he, generator: RandomGenerator(seed: 3))
        assertWeights(float, [w1, w2], tolerance: 4e-7)
    }

    func testHeIsKaimingNormalForReLU() {
        // Same distribution and draws; PyTorch's sqrt(2)/sqrt(n) and the course's sqrt(2/n) differ by an ulp at most.
        let model = Sequential<Double>(Linear(30, 20), ReLU(), Linear(20, 5))
        model.initializeWeights(.he, generator: RandomGenerator(seed: 8))
        let generator = RandomGenerator(seed: 8)
        let kaiming = Initializer.kaimingNormal(nonlinearity: .relu)
        for layer in linearLayers(model) {
            let expected: Tensor<Double> = kaiming.makeTensor(shape: layer.weight.shape, generator: generator)
            assertClose(layer.weight.value.scalars, expected.scalars, tolerance: 1e-15)
        }
    }

    // MARK: - Biases, normalization layers, zeros

    func testEverySchemeButPytorchDefaultZeroesBiasesAndResetsNormalization() {
        let schemes: [InitializationScheme] = [
            .zeros, .random(scale: 0.1), .he, .xavier, .lecun, .orthogonal, .automatic,
        ]
        for scheme in schemes {
            let norm = BatchNorm1d<Double>(6)
            norm.weight!.value = .full([6], 3)
            norm.bias!.value = .full([6], 3)
            norm.runningMean.value = .full([6], 7)
            let model = Sequential<Double>(Linear(4, 6), norm, ReLU(), Linear(6, 3))
            model.initializeWeights(scheme, generator: RandomGenerator(seed: 1))
            for layer in linearLayers(model) {
                XCTAssertEqual(layer.bias?.value.scalars, [Double](repeating: 0, count: layer.outFeatures), "\(scheme)")
            }
            XCTAssertEqual(norm.weight?.value.scalars, [Double](repeating: 1, count: 6), "\(scheme)")
            XCTAssertEqual(norm.bias?.value.scalars, [Double](repeating: 0, count: 6), "\(scheme)")
            XCTAssertEqual(norm.runningMean.value.scalars, [Double](repeating: 7, count: 6), "buffers untouched")
        }
    }

    func testZerosSchemeZeroesEveryWeight() {
        let model = Sequential<Float>(Linear(5, 4), Tanh(), Linear(4, 2))
        model.initializeWeights(.zeros)
        for layer in linearLayers(model) {
            XCTAssertEqual(layer.weight.value.scalars, [Float](repeating: 0, count: layer.weight.value.count))
        }
    }

    func testPytorchDefaultRedrawsWhatConstructionDrew() {
        // Linear's constructor draws weight then bias from U(±1/sqrt(in)); the scheme from the same seed
        // must give the same model bit for bit.
        let constructed = Sequential<Double>(Linear(4, 3, generator: RandomGenerator(seed: 7)))
        let generator = RandomGenerator(seed: 7)
        let constructedTwoLayers = Sequential<Double>(
            Linear(5, 4, generator: generator), ReLU(),
            Linear(4, 2, generator: generator))
        let model = Sequential<Double>(Linear(4, 3))
        model.initializeWeights(.pytorchDefault, generator: RandomGenerator(seed: 7))
        XCTAssertEqual(model.stateDictionary.map(\.value), constructed.stateDictionary.map(\.value))
        let twoLayers = Sequential<Double>(Linear(5, 4), ReLU(), Linear(4, 2))
        twoLayers.initializeWeights(.pytorchDefault, generator: RandomGenerator(seed: 7))
        XCTAssertEqual(twoLayers.stateDictionary.map(\.value), constructedTwoLayers.stateDictionary.map(\.value))
    }

    // MARK: - Schemes apply their initializer layer by layer

    func testXavierLecunAndOrthogonalSchemesDrawTheirInitializerLayerByLayer() {
        let cases: [(InitializationScheme, Initializer)] = [
            (.xavier, .xavierUniform()), (.lecun, .lecunNormal), (.orthogonal, .orthogonal()),
        ]
        for (scheme, initializer) in cases {
            let model = Sequential<Double>(Linear(6, 9), ReLU(), Linear(9, 4), Tanh(), Linear(4, 4))
            model.initializeWeights(scheme, generator: RandomGenerator(seed: 12))
            let generator = RandomGenerator(seed: 12)
            for layer in linearLayers(model) {
                let expected: Tensor<Double> = initializer.makeTensor(shape: layer.weight.shape, generator: generator)
                XCTAssertEqual(layer.weight.value.scalars, expected.scalars, "\(scheme)")
            }
        }
    }

    func testAutomaticPicksEachLayersInitializerFromTheNonlinearityAfterIt() {
        // Nested containers and a normalization layer between a weight layer and its activation.
        let model = Sequential<Double>(
            Sequential<Double>(Linear(3, 8), BatchNorm1d(8)), ReLU(),
            Linear(8, 8), Tanh(),
            Linear(8, 8), LeakyReLU(negativeSlope: 0.2),
            Linear(8, 8), SELU(),
            Linear(8, 8), Sigmoid(),
            Linear(8, 2))
        model.initializeWeights(.automatic, generator: RandomGenerator(seed: 5))
        let expectedInitializers: [Initializer] = [
            .kaimingNormal(nonlinearity: .relu), .xavierUniform(gain: 5.0 / 3),
            .kaimingNormal(nonlinearity: .leakyReLU(negativeSlope: 0.2)), .lecunNormal, .xavierUniform(),
            .xavierUniform(),
        ]
        let layers = linearLayers(model)
        XCTAssertEqual(layers.count, expectedInitializers.count)
        let generator = RandomGenerator(seed: 5)
        for (layer, initializer) in zip(layers, expectedInitializers) {
            let expected: Tensor<Double> = initializer.makeTensor(shape: layer.weight.shape, generator: generator)
            XCTAssertEqual(layer.weight.value.scalars, expected.scalars, "\(initializer)")
        }
    }

    func testRecommendedInitializers() {
        XCTAssertEqual(Initializer.recommended(for: .relu), .kaimingNormal(nonlinearity: .relu))
        XCTAssertEqual(
            Initializer.recommended(for: .leakyReLU(negativeSlope: 0.1)),
            .kaimingNormal(nonlinearity: .leakyReLU(negativeSlope: 0.1)))
        XCTAssertEqual(Initializer.recommended(for: .tanh), .xavierUniform(gain: 5.0 / 3))
        XCTAssertEqual(Initializer.recommended(for: .selu), .lecunNormal)
        XCTAssertEqual(Initializer.recommended(for: .sigmoid), .xavierUniform())
        XCTAssertEqual(Initializer.recommended(for: nil), .xavierUniform())
    }

    // MARK: - The visitor

    func testVisitorVisitsEveryModuleOnceInNamedModulesOrder() {
        let shared = Linear<Double>(2, 2)
        let model = Sequential<Double>(shared, ReLU(), Sequential<Double>(shared, Tanh()), Linear(2, 1))
        var visited: [ObjectIdentifier] = []
        model.initializeWeights { visited.append(ObjectIdentifier($0)) }
        var expected: [ObjectIdentifier] = []
        for (_, module) in model.namedModules where !expected.contains(ObjectIdentifier(module)) {
            expected.append(ObjectIdentifier(module))
        }
        XCTAssertEqual(visited, expected)
        XCTAssertEqual(visited.count, 6)  // model, shared, relu, inner, tanh, last
        XCTAssertEqual(visited.first, ObjectIdentifier(model))
    }

    func testSchemesAndConvolutionShapedWeightLayers() {
        // A 4-D weight takes its fans from (out, in, kH, kW): He std sqrt(2 / (3·9)) for the conv.
        let model = SimpleCNN<Float>()
        model.initializeWeights(.he, generator: RandomGenerator(seed: 2))
        let generator = RandomGenerator(seed: 2)
        let expected = (0..<864).map { _ in Float(generator.standardNormal() * (2.0 / 27).squareRoot()) }
        XCTAssertEqual(model.conv1.weight.value.scalars, expected)
        XCTAssertEqual(model.bn1.weight?.value.scalars, [Float](repeating: 1, count: 32))
    }

    func testEqualSeedsGiveBitIdenticalModels() {
        let schemes: [InitializationScheme] = [
            .random(scale: 1), .he, .xavier, .lecun, .orthogonal, .pytorchDefault,
            .automatic,
        ]
        for scheme in schemes {
            let a = SimpleCNN<Double>()
            let b = SimpleCNN<Double>()
            a.initializeWeights(scheme, generator: RandomGenerator(seed: 99))
            b.initializeWeights(scheme, generator: RandomGenerator(seed: 99))
            XCTAssertEqual(a.stateDictionary.map(\.value), b.stateDictionary.map(\.value), "\(scheme)")
            b.initializeWeights(scheme, generator: RandomGenerator(seed: 100))
            XCTAssertNotEqual(a.stateDictionary.map(\.value), b.stateDictionary.map(\.value), "\(scheme)")
        }
    }

    // MARK: - Helpers

    private func linearLayers<Scalar>(_ model: some Module<Scalar>) -> [Linear<Scalar>] {
        model.namedModules.compactMap { $0.module as? Linear<Scalar> }
    }

    private func assertWeights<Scalar>(
        _ model: Sequential<Scalar>, _ expected: [[Double]], tolerance: Double,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let layers = linearLayers(model)
        XCTAssertEqual(layers.count, expected.count, file: file, line: line)
        for (layer, weights) in zip(layers, expected) {
            assertClose(
                layer.weight.value.scalars.map { Double($0) }, weights, tolerance: tolerance,
                file: file, line: line)
            XCTAssertEqual(
                layer.bias?.value.scalars, [Scalar](repeating: 0, count: layer.outFeatures),
                file: file, line: line)
        }
    }
}
