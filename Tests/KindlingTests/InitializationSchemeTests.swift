import XCTest
import Kindling

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
        let schemes: [InitializationScheme] = [.zeros, .random(scale: 0.1), .he, .xavier, .lecun, .orthogonal, .automatic]
        for scheme in schemes {
            let model = Sequential<Double>(Linear(4, 6), NormShapedLayer(6), ReLU(), Linear(6, 3))
            model.initializeWeights(scheme, generator: RandomGenerator(seed: 1))
            for layer in linearLayers(model) {
                XCTAssertEqual(layer.bias?.value.scalars, [Double](repeating: 0, count: layer.outFeatures), "\(scheme)")
            }
            let norm = model.layers[1] as! NormShapedLayer<Double>
            XCTAssertEqual(norm.weight.value.scalars, [Double](repeating: 1, count: 6), "\(scheme)")
            XCTAssertEqual(norm.bias.value.scalars, [Double](repeating: 0, count: 6), "\(scheme)")
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
        let constructedTwoLayers = Sequential<Double>(Linear(5, 4, generator: generator), ReLU(),
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
            Sequential<Double>(Linear(3, 8), NormShapedLayer(8)), ReLU(),
            Linear(8, 8), Tanh(),
            Linear(8, 8), StandInActivation(.leakyReLU(negativeSlope: 0.2)),
            Linear(8, 8), StandInActivation(.selu),
            Linear(8, 8), Sigmoid(),
            Linear(8, 2))
        model.initializeWeights(.automatic, generator: RandomGenerator(seed: 5))
        let expectedInitializers: [Initializer] = [
            .kaimingNormal(nonlinearity: .relu), .xavierUniform(gain: 5.0 / 3),
            .kaimingNormal(nonlinearity: .leakyReLU(negativeSlope: 0.2)), .lecunNormal, .xavierUniform(), .xavierUniform(),
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
        XCTAssertEqual(Initializer.recommended(for: .leakyReLU(negativeSlope: 0.1)),
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
        XCTAssertEqual(visited.count, 6)   // model, shared, relu, inner, tanh, last
        XCTAssertEqual(visited.first, ObjectIdentifier(model))
    }

    func testClassicPolicyWrittenWithTheVisitor() {
        // The SimpleCNN `_initialize_weights` policy from the reference article: Conv2d kaimingNormal
        // (fanOut, relu), BatchNorm weight 1 and bias 0, Linear xavierUniform, biases 0.
        let model = InitializationCNN<Double>()
        let generator = RandomGenerator(seed: 21)
        model.initializeWeights { module in
            if let conv = module as? ConvShapedWeightLayer<Double> {
                Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu).initialize(conv.weight, generator: generator)
                if let bias = conv.bias { Initializer.zeros.initialize(bias) }
            } else if let norm = module as? NormShapedLayer<Double> {
                Initializer.ones.initialize(norm.weight)
                Initializer.zeros.initialize(norm.bias)
            } else if let linear = module as? Linear<Double> {
                Initializer.xavierUniform().initialize(linear.weight, generator: generator)
                if let bias = linear.bias { Initializer.zeros.initialize(bias) }
            }
        }
        let replay = RandomGenerator(seed: 21)
        let conv: Tensor<Double> = Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu)
            .makeTensor(shape: [32, 3, 3, 3], generator: replay)
        let fc: Tensor<Double> = Initializer.xavierUniform().makeTensor(shape: [10, 32 * 4 * 4], generator: replay)
        let state = Dictionary(uniqueKeysWithValues: model.stateDictionary.map { ($0.key, $0.value.scalars) })
        XCTAssertEqual(model.stateDictionary.map(\.key),
                       ["conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "fc.weight", "fc.bias"])
        XCTAssertEqual(state["conv1.weight"], conv.scalars)
        XCTAssertEqual(state["conv1.bias"], [Double](repeating: 0, count: 32))
        XCTAssertEqual(state["bn1.weight"], [Double](repeating: 1, count: 32))
        XCTAssertEqual(state["bn1.bias"], [Double](repeating: 0, count: 32))
        XCTAssertEqual(state["fc.weight"], fc.scalars)
        XCTAssertEqual(state["fc.bias"], [Double](repeating: 0, count: 10))
        // kaimingNormal(fanOut, relu) on (32, 3, 3, 3): std sqrt(2 / (32·9)) = 0.0833; 864 values, so the
        // sample std lies within 5·σ/sqrt(2·864) of it (InitializerTests derives the tolerance).
        let sigma = (2.0 / 288).squareRoot()
        let mean = conv.scalars.reduce(0, +) / 864
        let std = (conv.scalars.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 863).squareRoot()
        XCTAssertEqual(std, sigma, accuracy: 5 * sigma / (2.0 * 864).squareRoot())
    }

    func testSchemesAndConvolutionShapedWeightLayers() {
        // A 4-D weight takes its fans from (out, in, kH, kW): He std sqrt(2 / (3·9)) for the conv.
        let model = InitializationCNN<Float>()
        model.initializeWeights(.he, generator: RandomGenerator(seed: 2))
        let generator = RandomGenerator(seed: 2)
        let expected = (0..<864).map { _ in Float(generator.standardNormal() * (2.0 / 27).squareRoot()) }
        XCTAssertEqual(model.conv1.weight.value.scalars, expected)
        XCTAssertEqual(model.bn1.weight.value.scalars, [Float](repeating: 1, count: 32))
    }

    func testEqualSeedsGiveBitIdenticalModels() {
        let schemes: [InitializationScheme] = [.random(scale: 1), .he, .xavier, .lecun, .orthogonal, .pytorchDefault,
                                               .automatic]
        for scheme in schemes {
            let a = InitializationCNN<Double>(), b = InitializationCNN<Double>()
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

    private func assertWeights<Scalar>(_ model: Sequential<Scalar>, _ expected: [[Double]], tolerance: Double,
                                       file: StaticString = #filePath, line: UInt = #line) {
        let layers = linearLayers(model)
        XCTAssertEqual(layers.count, expected.count, file: file, line: line)
        for (layer, weights) in zip(layers, expected) {
            assertClose(layer.weight.value.scalars.map { Double($0) }, weights, tolerance: tolerance,
                        file: file, line: line)
            XCTAssertEqual(layer.bias?.value.scalars, [Scalar](repeating: 0, count: layer.outFeatures),
                           file: file, line: line)
        }
    }
}

// MARK: - Test doubles for layers written elsewhere (their forward passes are not exercised here)

/// A weight layer shaped like Conv2d: weight (out, in, k, k) and a bias.
final class ConvShapedWeightLayer<Scalar: TensorScalar>: Module, WeightLayer {
    let weight: Parameter<Scalar>
    let bias: Parameter<Scalar>?

    init(_ input: Int, _ output: Int, kernelSize: Int) {
        weight = Parameter(.zeros([output, input, kernelSize, kernelSize]))
        bias = Parameter(.zeros([output]))
    }

    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input }
}

/// A normalization layer shaped like BatchNorm: weight, bias and a running mean (set to 7 so that a
/// test can see it is left alone).
final class NormShapedLayer<Scalar: TensorScalar>: Module, NormalizationLayer {
    let weight: Parameter<Scalar>
    let bias: Parameter<Scalar>
    let runningMean: Buffer<Scalar>

    init(_ features: Int) {
        weight = Parameter(.full([features], 3))
        bias = Parameter(.full([features], 3))
        runningMean = Buffer(.full([features], 7))
    }

    var namedOwnBuffers: [(name: String, buffer: Buffer<Scalar>)] { [("running_mean", runningMean)] }

    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input }
}

/// An activation with a given nonlinearity (stands in for LeakyReLU and SELU).
final class StandInActivation<Scalar: TensorScalar>: Module, ActivationLayer {
    let nonlinearity: Nonlinearity

    init(_ nonlinearity: Nonlinearity) { self.nonlinearity = nonlinearity }

    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input }
}

/// The reference article's SimpleCNN layout (conv1, bn1, relu, fc) with a 4x4 feature map.
final class InitializationCNN<Scalar: TensorScalar>: Module {
    let conv1 = ConvShapedWeightLayer<Scalar>(3, 32, kernelSize: 3)
    let bn1 = NormShapedLayer<Scalar>(32)
    let relu = ReLU<Scalar>()
    let fc = Linear<Scalar>(32 * 4 * 4, 10)

    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { fc(relu(bn1(conv1(input)))) }
}
