import Kindling
import KindlingTestSupport
import XCTest

// Reference values come from Scripts/reference/torch_residual.py (Fixtures/torch_residual.json): float64
// F.adaptive_avg_pool2d, torchvision's BasicBlock, the Fixup authors' FixupBasicBlock and FixupResNet, and
// SkipInit's x + alpha f(x), with every state-dict entry set from RandomState(1), run in training mode; the
// gradients are those of sum(output · c), c = 1, 2, 3, ...

final class ResidualNetworkTests: XCTestCase {
    private func root() throws -> [String: Any] {
        let root = try XCTUnwrap(fixture("torch_residual.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_residual.py")
        return root
    }

    private func weighted(_ y: Tensor<Double>) -> Tensor<Double> {
        (y * Tensor(shape: y.shape, scalars: (1...y.count).map(Double.init))).sum()
    }

    func testAdaptiveAveragePoolingFollowsPyTorch() throws {
        let cases = try XCTUnwrap(try root()["adaptive_avg_pool2d"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 4)
        for entry in cases {
            let shape = try XCTUnwrap(entry["input_shape"] as? [Int])
            let size = try XCTUnwrap(entry["output_size"] as? [Int])
            let input = Tensor(shape: shape, scalars: try XCTUnwrap(entry["input"] as? [Double]))
            let x = input.requiringGradient()
            let y = adaptiveAvgPool2d(x, outputSize: (size[0], size[1]))
            XCTAssertEqual(y.shape, try XCTUnwrap(entry["output_shape"] as? [Int]))
            assertClose(y.scalars, try XCTUnwrap(entry["output"] as? [Double]), tolerance: 1e-14, "\(shape) -> \(size)")
            weighted(y).backward()
            assertClose(
                x.grad?.scalars ?? [], try XCTUnwrap(entry["input_gradient"] as? [Double]), tolerance: 1e-14,
                "\(shape) -> \(size): gradient")
            let result = gradcheck(
                { self.weighted(adaptiveAvgPool2d($0[0], outputSize: (size[0], size[1]))) }, inputs: [input])
            XCTAssertTrue(result.passed, "\(shape) -> \(size): \(result)")
            XCTAssertEqual(AdaptiveAvgPool2d<Double>(outputSize: (size[0], size[1]))(input).scalars, y.scalars)
        }
    }

    /// The Kindling module for each fixture entry, built as the reference script builds its PyTorch one.
    private func model(named name: String) throws -> any Module<Double> {
        switch name {
        case "block conv batchnorm stride 2":
            return ResidualBlock<Double>(convolutional: 3, 4, stride: 2, style: .batchNorm)
        case "block conv batchnorm identity": return ResidualBlock<Double>(convolutional: 3, 3, style: .batchNorm)
        case "block conv plain stride 2": return ResidualBlock<Double>(convolutional: 3, 4, stride: 2, style: .plain)
        case "block conv fixup stride 2": return ResidualBlock<Double>(convolutional: 3, 4, stride: 2, style: .fixup)
        case "block conv fixup identity": return ResidualBlock<Double>(convolutional: 3, 3, style: .fixup)
        case "block conv skipinit stride 2":
            return ResidualBlock<Double>(convolutional: 3, 4, stride: 2, style: .skipInit)
        case "block linear batchnorm": return ResidualBlock<Double>(linear: 5, 5, style: .batchNorm)
        case "block linear fixup": return ResidualBlock<Double>(linear: 5, 5, style: .fixup)
        default:
            let parts = name.split(separator: " ")
            let style = try XCTUnwrap(ResidualStyle(rawValue: String(parts[1])), name)
            if parts[0] == "resnet" {
                return ResNet<Double>(inChannels: 2, classes: 3, blocksPerStage: [1, 2], widths: [4, 6], style: style)
            }
            return ResidualMLP<Double>(features: 5, classes: 3, width: 4, depth: 2, style: style)
        }
    }

    func testBlocksAndNetworksMatchPyTorchKeysValuesAndGradients() throws {
        let models = try XCTUnwrap(try root()["models"] as? [[String: Any]])
        XCTAssertEqual(models.count, 15)
        for entry in models {
            let name = try XCTUnwrap(entry["name"] as? String)
            let model = try model(named: name)
            XCTAssertEqual(model.stateDictionary.map(\.key), try XCTUnwrap(entry["keys"] as? [String]), name)
            let state = try XCTUnwrap(entry["state"] as? [String: [Double]])
            let shapes = Dictionary(uniqueKeysWithValues: model.stateDictionary.map { ($0.key, $0.value.shape) })
            let result = try model.loadStateDictionary(
                state.map { key, values in (key, Tensor(shape: shapes[key] ?? [values.count], scalars: values)) },
                strict: false)
            XCTAssertTrue(result.missingKeys.allSatisfy { $0.hasSuffix("num_batches_tracked") }, "\(name): \(result)")
            XCTAssertTrue(result.unexpectedKeys.isEmpty && result.shapeMismatches.isEmpty, "\(name): \(result)")

            let x = Tensor(
                shape: try XCTUnwrap(entry["input_shape"] as? [Int]),
                scalars: try XCTUnwrap(entry["input"] as? [Double])
            ).requiringGradient()
            let y = model(x)
            XCTAssertEqual(y.shape, try XCTUnwrap(entry["output_shape"] as? [Int]), name)
            assertClose(y.scalars, try XCTUnwrap(entry["output"] as? [Double]), tolerance: 1e-12, name)
            weighted(y).backward()
            assertClose(
                x.grad?.scalars ?? [], try XCTUnwrap(entry["input_gradient"] as? [Double]), tolerance: 1e-11,
                "\(name): input gradient")
            let gradients = try XCTUnwrap(entry["parameter_gradients"] as? [String: [Double]])
            XCTAssertEqual(Set(model.namedParameters.map(\.name)), Set(gradients.keys), name)
            for (key, parameter) in model.namedParameters {
                assertClose(parameter.grad?.scalars ?? [], gradients[key] ?? [], tolerance: 1e-11, "\(name): \(key)")
            }
            let buffers = try XCTUnwrap(entry["buffers_after"] as? [String: [Double]])
            for (key, buffer) in model.namedBuffers where !key.hasSuffix("num_batches_tracked") {
                assertClose(buffer.value.scalars, buffers[key] ?? [], tolerance: 1e-12, "\(name): \(key)")
            }
        }
    }

    func testResidualBlocksPassTheGradientCheck() {
        let generator = RandomGenerator(seed: 4)
        for style in ResidualStyle.allCases {
            let block = ResidualBlock<Double>(convolutional: 2, 3, stride: 2, style: style, generator: generator)
            for (_, parameter) in block.namedParameters where parameter.shape == [1] {
                parameter.value = Tensor(shape: [1], scalars: [0.3])
            }
            let input = Tensor<Double>.randn([2, 2, 4, 4], generator: generator)
            let result = gradcheck({ self.weighted(block($0[0])) }, inputs: [input])
            XCTAssertTrue(result.passed, "\(style): \(result)")
        }
    }

    func testFixupFollowsTheAuthorsRule() {
        let depth = 8
        let net = ResidualMLP<Double>(features: 5, classes: 3, width: 16, depth: depth, style: .fixup)
        let stem = net.stem.weight.value.scalars
        ResidualInitialization.fixup.initialize(net, generator: RandomGenerator(seed: 5))
        let replay = RandomGenerator(seed: 5)
        // std = sqrt(2 / fan_out) · L^(-1/(2m-2)) with m = 2 layers per branch: sqrt(2 / 16) / sqrt(8).
        let standardDeviation = (2.0 / 16).squareRoot() * pow(Double(depth), -1.0 / (2 * 2 - 2))
        for block in net.residualBlocks {
            let expected = (0..<(16 * 16)).map { _ in replay.standardNormal() * standardDeviation }
            XCTAssertEqual(block.layer1.weight.value.scalars, expected)
            XCTAssertTrue(block.layer2.weight.value.scalars.allSatisfy { $0 == 0 })
            XCTAssertEqual(block.scale?.value.scalars, [1])
            for bias in [block.bias1a, block.bias1b, block.bias2a, block.bias2b] {
                XCTAssertEqual(bias?.value.scalars, [0])
            }
        }
        XCTAssertTrue((net.fc.weight.value.scalars + net.fc.bias!.value.scalars).allSatisfy { $0 == 0 })
        XCTAssertEqual(net.stem.weight.value.scalars, stem, "the stem keeps its PyTorch default")
        XCTAssertEqual(net(Tensor<Double>.randn([4, 5], generator: replay)).scalars, [Double](repeating: 0, count: 12))

        let resnet = ResNet<Double>(inChannels: 1, classes: 2, blocksPerStage: [2, 2], widths: [4, 8], style: .fixup)
        ResidualInitialization.fixup.initialize(resnet, generator: RandomGenerator(seed: 6))
        let images = RandomGenerator(seed: 6)
        for block in resnet.residualBlocks {
            // conv1 (out, in, 3, 3): fan_out = out · 9, scaled by 1 / sqrt(4 branches); the projection unscaled.
            let shape = block.layer1.weight.shape
            let std = (2.0 / Double(shape[0] * 9)).squareRoot() * pow(4, -1.0 / 2)
            XCTAssertEqual(
                block.layer1.weight.value.scalars, (0..<shape.reduce(1, *)).map { _ in images.standardNormal() * std })
            if let projection = block.projection {
                let shape = projection.weight.shape
                let std = (2.0 / Double(shape[0])).squareRoot()
                XCTAssertEqual(
                    projection.weight.value.scalars, (0..<shape.reduce(1, *)).map { _ in images.standardNormal() * std }
                )
            }
        }
        XCTAssertEqual(resnet.bias1?.value.scalars, [0])
        XCTAssertEqual(resnet.bias2?.value.scalars, [0])
    }

    func testZeroGainAndZeroGammaStartEveryBlockAsTheIdentity() {
        let skip = ResidualMLP<Double>(features: 4, classes: 2, width: 300, depth: 3, style: .skipInit)
        for block in skip.residualBlocks { block.alpha!.value = Tensor(shape: [1], scalars: [0.5]) }
        ResidualInitialization.skipInit.initialize(skip, generator: RandomGenerator(seed: 7))
        let replay = RandomGenerator(seed: 7)
        let he = Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu)
        let stem: Tensor<Double> = he.makeTensor(shape: [300, 4], generator: replay)
        XCTAssertEqual(skip.stem.weight.value.scalars, stem.scalars)
        for block in skip.residualBlocks {
            XCTAssertEqual(block.alpha?.value.scalars, [0])
            let first: Tensor<Double> = he.makeTensor(shape: [300, 300], generator: replay)
            XCTAssertEqual(block.layer1.weight.value.scalars, first.scalars)
            let second: Tensor<Double> = he.makeTensor(shape: [300, 300], generator: replay)
            XCTAssertEqual(block.layer2.weight.value.scalars, second.scalars)
            // N(0, 2 / fan_out), fan_out = 300: the sample std of 90000 draws within 1%.
            let values = block.layer1.weight.value.scalars
            let std = (values.reduce(0) { $0 + $1 * $1 } / Double(values.count)).squareRoot()
            XCTAssertEqual(std, (2.0 / 300).squareRoot(), accuracy: 0.01 * (2.0 / 300).squareRoot())
        }
        let rows = Tensor<Double>.randn([6, 300], generator: replay)
        XCTAssertEqual(skip.blocks(rows).scalars, relu(rows).scalars, "x + 0 · f(x), then ReLU")

        let resnet = ResNet<Double>(
            inChannels: 1, classes: 2, blocksPerStage: [1, 1], widths: [4, 8], style: .batchNorm)
        ResidualInitialization.zeroGamma.initialize(resnet, generator: RandomGenerator(seed: 8))
        for block in resnet.residualBlocks {
            XCTAssertEqual(block.bn2?.weight?.value.scalars, [Double](repeating: 0, count: block.bn2!.features))
            XCTAssertEqual(block.bn1?.weight?.value.scalars, [Double](repeating: 1, count: block.bn1!.features))
        }
        let projectionNorm = resnet.residualBlocks[1].downsample as! Sequential<Double>
        XCTAssertEqual(
            (projectionNorm.layers[1] as! BatchNorm2d<Double>).weight?.value.scalars, [Double](repeating: 1, count: 8))
    }
}
