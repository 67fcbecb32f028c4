// Transfer learning: a pretrained backbone loaded non-strictly and frozen, a new head initialized and trained.
import Foundation
import Kindling

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

// snippet.hide
let pretrainedURL = FileManager.default.temporaryDirectory.appendingPathComponent("kindling-pretrained-\(getpid())")
try Classifier(classes: 10).save(to: pretrainedURL)
defer { try? FileManager.default.removeItem(at: pretrainedURL) }
let images = Tensor<Float>.randn([12, 3, 8, 8], generator: RandomGenerator(seed: 2))
let labels = (0..<12).map { $0 % 3 }
// snippet.show
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
for _ in 0..<30 {
    optimizer.zeroGradients()
    let loss = crossEntropy(model(images), classIndices: labels)
    loss.backward()
    optimizer.step()
}
