import Kindling
import XCTest

/// Freezing a subtree: no gradient, no update, no graph recorded for its weights.
final class FreezingTests: XCTestCase {
    final class Transfer: ModuleBase, Module {
        let backbone: Sequential<Double>
        let head: Linear<Double>

        init(seed: UInt32) {
            let generator = RandomGenerator(seed: seed)
            backbone = Sequential(
                Conv2d(2, 3, kernelSize: 3, padding: 1, generator: generator), BatchNorm2d(3), ReLU(),
                MaxPool2d(kernelSize: 2), Flatten())
            head = Linear(3 * 2 * 2, 2, generator: generator)
        }

        func callAsFunction(_ input: Tensor<Double>) -> Tensor<Double> { head(backbone(input)) }
    }

    let images = Tensor<Double>.randn([4, 2, 4, 4], generator: RandomGenerator(seed: 7))

    func testFrozenBackboneGetsNoGradientNoUpdateAndRecordsNoGraph() throws {
        let model = Transfer(seed: 1)
        model.backbone.freeze()
        XCTAssertEqual(
            model.trainableParameters.map(ObjectIdentifier.init), model.head.parameters.map(ObjectIdentifier.init))
        XCTAssertFalse(model.backbone(images).requiresGradient, "nothing below the head records a graph")
        let backbone = model.backbone.stateDictionary.filter { !$0.key.hasPrefix("1.") }
        let head = model.head.weight.value
        let optimizer = try SGD(model.parameters, learningRate: 0.5)
        let loss = crossEntropy(model(images), classIndices: [0, 1, 1, 0])
        loss.backward()
        XCTAssertTrue(model.backbone.parameters.allSatisfy { $0.grad == nil })
        XCTAssertNotNil(model.head.weight.grad)
        optimizer.step()
        XCTAssertEqual(
            model.backbone.stateDictionary.filter { !$0.key.hasPrefix("1.") }.map(\.value), backbone.map(\.value))
        XCTAssertNotEqual(model.head.weight.value, head)

        model.backbone.unfreeze()
        XCTAssertEqual(model.trainableParameters.count, model.parameters.count)
        XCTAssertTrue(model.backbone(images).requiresGradient)
    }

    /// A frozen layer between trainable ones passes the input gradient through (equal to the unfrozen
    /// model's) and computes none for its own weights.
    func testAFrozenMiddleLayerStillPassesTheInputGradient() {
        func network() -> Sequential<Double> {
            let generator = RandomGenerator(seed: 3)
            return Sequential(
                Linear(3, 5, generator: generator), Tanh(), Linear(5, 4, generator: generator), Tanh(),
                Linear(4, 1, generator: generator))
        }
        let input = Tensor<Double>.randn([6, 3], generator: RandomGenerator(seed: 4))
        let reference = network()
        let frozen = network()
        frozen.layers[2].freeze()
        for model in [reference, frozen] { model(input).sum().backward() }
        XCTAssertNil(frozen.layers[2].parameters[0].grad)
        XCTAssertNil(frozen.layers[2].parameters[1].grad)
        XCTAssertEqual(frozen.layers[0].parameters[0].grad, reference.layers[0].parameters[0].grad)
        XCTAssertEqual(frozen.layers[4].parameters[0].grad, reference.layers[4].parameters[0].grad)
    }

    /// With the input needing a gradient, a frozen conv/batch-norm stack records the graph for the
    /// input alone: the input gradient equals the unfrozen one, the weights get none.
    func testFrozenConvolutionAndBatchNormComputeOnlyTheInputGradient() {
        let reference = Transfer(seed: 2)
        let frozen = Transfer(seed: 2)
        frozen.freeze()
        var gradients: [Tensor<Double>?] = []
        for model in [reference, frozen] {
            let input = images.requiringGradient()
            model(input).sum().backward()
            gradients.append(input.grad)
        }
        XCTAssertNotNil(gradients[0])
        XCTAssertEqual(gradients[0], gradients[1])
        XCTAssertTrue(frozen.parameters.allSatisfy { $0.grad == nil })
    }
}
