import Kindling
import KindlingTestSupport
import XCTest

/// The reference article's SimpleCNN: Conv2d 3->32 3x3 pad 1, BatchNorm2d, ReLU, MaxPool2d 2, Linear
/// 32*16*16 -> 10, with the same property names as the PyTorch class.
final class SimpleCNN<Scalar: TensorScalar>: ModuleBase, Module {
    let conv1: Conv2d<Scalar>
    let bn1 = BatchNorm2d<Scalar>(32)
    let relu = ReLU<Scalar>()
    let pool = MaxPool2d<Scalar>(kernelSize: 2, stride: 2)
    let fc: Linear<Scalar>

    init(classes: Int = 10, generator: RandomGenerator = .global) {
        conv1 = Conv2d(3, 32, kernelSize: 3, padding: 1, generator: generator)
        fc = Linear(32 * 16 * 16, classes, generator: generator)
    }

    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        fc(pool(relu(bn1(conv1(input)))).flattened())
    }

    /// The article's `_initialize_weights` policy, written with the visitor.
    func initializeLikeTheArticle(generator: RandomGenerator) {
        initializeWeights { module in
            if let conv = module as? Conv2d<Scalar> {
                Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu).initialize(
                    conv.weight, generator: generator)
                if let bias = conv.bias { Initializer.constant(0).initialize(bias) }
            } else if let norm = module as? BatchNorm2d<Scalar> {
                Initializer.constant(1).initialize(norm.weight!)
                Initializer.constant(0).initialize(norm.bias!)
            } else if let linear = module as? Linear<Scalar> {
                Initializer.xavierUniform().initialize(linear.weight, generator: generator)
                if let bias = linear.bias { Initializer.constant(0).initialize(bias) }
            }
        }
    }
}

final class SimpleCNNTests: XCTestCase {
    // Reference: Scripts/reference/torch_simple_cnn.py -> Fixtures/torch_simple_cnn.json (PyTorch).
    func reference() throws -> [String: Any] { try fixture("torch_simple_cnn.json") as! [String: Any] }

    func testStateDictionaryKeysAndShapesEqualPyTorchs() throws {
        let reference = try reference()
        let model = SimpleCNN<Float>()
        XCTAssertEqual(model.stateDictionary.map(\.key), reference["keys"] as! [String])
        XCTAssertEqual(model.stateDictionary.map(\.value.shape), reference["shapes"] as! [[Int]])
        XCTAssertEqual(model.namedParameters.map(\.name), reference["parameter_names"] as! [String])
    }

    func testArticlePolicyThroughTheVisitor() {
        let model = SimpleCNN<Double>()
        for (_, parameter) in model.namedParameters { parameter.value = .full(parameter.shape, 9) }
        model.initializeLikeTheArticle(generator: RandomGenerator(seed: 21))

        let replay = RandomGenerator(seed: 21)
        let conv: Tensor<Double> = Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu)
            .makeTensor(shape: [32, 3, 3, 3], generator: replay)
        let fc: Tensor<Double> = Initializer.xavierUniform().makeTensor(shape: [10, 8192], generator: replay)
        XCTAssertEqual(model.conv1.weight.value.scalars, conv.scalars)
        XCTAssertEqual(model.conv1.bias?.value.scalars, [Double](repeating: 0, count: 32))
        XCTAssertEqual(model.bn1.weight?.value.scalars, [Double](repeating: 1, count: 32))
        XCTAssertEqual(model.bn1.bias?.value.scalars, [Double](repeating: 0, count: 32))
        XCTAssertEqual(model.fc.weight.value.scalars, fc.scalars)
        XCTAssertEqual(model.fc.bias?.value.scalars, [Double](repeating: 0, count: 10))

        // kaimingNormal(fanOut, relu) on (32, 3, 3, 3): std sqrt(2 / (32 * 9)); with 864 values the
        // sample std is within 5 standard errors, 5 * sigma / sqrt(2 * 864), of it.
        let sigma = (2.0 / 288).squareRoot()
        let values = conv.scalars
        let mean = values.reduce(0, +) / 864
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 863).squareRoot()
        XCTAssertEqual(std, sigma, accuracy: 5 * sigma / (2.0 * 864).squareRoot())
        // xavierUniform on (10, 8192): every value inside ±sqrt(6 / (8192 + 10)).
        let bound = (6.0 / 8202).squareRoot()
        XCTAssertTrue(fc.scalars.allSatisfy { Swift.abs($0) <= bound })
    }

    func testForwardMatchesPyTorchInTrainingAndEvaluation() throws {
        let reference = try reference()
        let model = SimpleCNN<Double>()
        let generator = RandomGenerator(seed: 5)
        for (key, value) in model.stateDictionary where !key.hasSuffix("num_batches_tracked") {
            let drawn: Tensor<Double> =
                key.hasSuffix("running_var")
                ? .uniform(value.shape, low: 0.5, high: 1.5, generator: generator)
                : .randn(value.shape, generator: generator) * 0.1
            if let parameter = model.namedParameters.first(where: { $0.name == key })?.parameter {
                parameter.value = drawn
            } else {
                model.namedBuffers.first { $0.name == key }!.buffer.value = drawn
            }
        }
        let x = Tensor<Double>.randn([2, 3, 32, 32], generator: generator)
        model.eval()
        assertClose(model(x).scalars, reference["eval_output"] as! [Double], tolerance: 1e-10)
        model.train()
        assertClose(model(x).scalars, reference["train_output"] as! [Double], tolerance: 1e-10)
    }
}
