import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// A backbone and a classifier head, as in the article's transfer-learning workflow.
final class Classifier: ModuleBase, Module {
    let backbone: Sequential<Float>
    let head: Linear<Float>

    init(classes: Int) {
        backbone = Sequential(
            Conv2d(3, 8, kernelSize: 3, padding: 1), BatchNorm2d(8), ReLU(),
            MaxPool2d(kernelSize: 2), Flatten())
        head = Linear(8 * 4 * 4, classes)
    }

    func callAsFunction(_ images: Tensor<Float>) -> Tensor<Float> { head(backbone(images)) }
}

/// The transfer example of Snippets/TransferLearning.swift (the CheckpointsAndPyTorch article), line for
/// line: load a pretrained backbone non-strictly, freeze it, initialize a new head (Xavier uniform, zero
/// bias) and train only the head.
final class TransferExampleTests: XCTestCase {
    func testTheDocumentedTransferFlow() throws {
        let folder = try temporaryFolder()
        let pretrainedURL = folder.appendingPathComponent("pretrained.safetensors")
        let pretrained = Classifier(classes: 10)
        _ = pretrained(.randn([16, 3, 8, 8], generator: RandomGenerator(seed: 1)))  // running statistics move
        try pretrained.save(to: pretrainedURL)
        let images = Tensor<Float>.randn([12, 3, 8, 8], generator: RandomGenerator(seed: 2))
        let labels = (0..<12).map { $0 % 3 }

        // Snippets/TransferLearning.swift
        let model = Classifier(classes: 3)
        let result = try model.load(from: pretrainedURL, strict: false)
        print(result.shapeMismatches.map(\.key))  // ["head.weight", "head.bias"]: the new head keeps its own
        model.backbone.freeze()  // no gradients, no updates, no graph for its weights
        model.backbone.eval()  // and BatchNorm keeps the pretrained running statistics
        model.head.initializeWeights { module in
            if let linear = module as? Linear<Float> {
                Initializer.xavierUniform().initialize(linear.weight)
                if let bias = linear.bias { Initializer.zeros.initialize(bias) }
            }
        }
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.05, momentum: 0.9)
        var losses: [Float] = []
        for _ in 0..<30 {
            optimizer.zeroGradients()
            let loss = crossEntropy(model(images), classIndices: labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.scalar)
        }
        // end of the snippet's code

        XCTAssertEqual(result.shapeMismatches.map(\.key), ["head.weight", "head.bias"])
        XCTAssertEqual(result.missingKeys, [])
        XCTAssertEqual(result.unexpectedKeys, [])
        XCTAssertEqual(
            optimizer.parameters.map(ObjectIdentifier.init), model.head.parameters.map(ObjectIdentifier.init))
        let backbone = model.stateDictionary.filter { $0.key.hasPrefix("backbone.") }
        XCTAssertEqual(
            backbone.map(\.value), pretrained.stateDictionary.filter { $0.key.hasPrefix("backbone.") }.map(\.value),
            "the frozen backbone in eval mode is exactly the pretrained one after training")
        XCTAssertLessThan(losses.last!, losses.first! * 0.5, "the head learns: \(losses)")
    }

    func testTheNewHeadStartsXavierUniformWithZeroBias() throws {
        let model = Classifier(classes: 3)
        model.head.initializeWeights { module in
            if let linear = module as? Linear<Float> {
                Initializer.xavierUniform().initialize(linear.weight, generator: RandomGenerator(seed: 4))
                if let bias = linear.bias { Initializer.zeros.initialize(bias) }
            }
        }
        let expected: Tensor<Float> = Initializer.xavierUniform().makeTensor(
            shape: [3, 128], generator: RandomGenerator(seed: 4))
        XCTAssertEqual(model.head.weight.value, expected)
        XCTAssertEqual(model.head.bias?.value.scalars, [0, 0, 0])
    }
}
