import Kindling

extension Workload {
    /// See `CNNWorkload`.
    static let cnn = Workload(
        name: "cnn",
        summary:
            "SimpleCNN (conv 3->32 3x3 pad 1, batch norm, ReLU, max pool 2, linear 8192->10), batch 64, SGD momentum, Float: 3 + 20 steps (--steps N)",
        run: { try CNNWorkload.run(options: $0, frozenBackbone: false) })

    /// See `CNNWorkload`: the same steps with the convolution and batch norm frozen.
    static let cnnFrozen = Workload(
        name: "cnn-frozen",
        summary: "the cnn workload with conv1 and bn1 frozen (freeze()), the optimizer over the linear head only",
        run: { try CNNWorkload.run(options: $0, frozenBackbone: true) })
}

/// Training steps of the SimpleCNN in Float: Conv2d(3, 32, 3, padding 1), BatchNorm2d(32), ReLU,
/// MaxPool2d(2), Flatten, Linear(8192, 10), on one fixed batch of 64 standard-normal 3x32x32 images with
/// random labels among 10 classes, cross-entropy, SGD(lr 0.01, momentum 0.9). 3 warm-up steps, then 20
/// timed ones. Reference: reference_workloads.py cnn. With `frozenBackbone` (cnn-frozen) the convolution
/// and batch norm are frozen and the optimizer gets the linear head's parameters only; the backward pass
/// then stops at the head (reference: reference_workloads.py cnn-frozen, `requires_grad_(False)`).
enum CNNWorkload {
    static func run(options: BenchmarkOptions, frozenBackbone: Bool) throws {
        try options.rejectUnknown(["steps"])
        let steps = try options.integer("steps", default: 20)
        let generator = RandomGenerator(seed: 0)
        let model = Sequential<Float>(
            Conv2d(3, 32, kernelSize: 3, padding: 1, generator: generator), BatchNorm2d(32), ReLU(),
            MaxPool2d(kernelSize: 2), Flatten(), Linear(32 * 16 * 16, 10, generator: generator))
        let input = Tensor<Float>.randn([64, 3, 32, 32], generator: generator)
        let labels = (0..<64).map { _ in generator.randint(low: 0, high: 10) }
        if frozenBackbone {
            model.layers[0].freeze()
            model.layers[1].freeze()
        }
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.01, momentum: 0.9)
        measureSteps(workload: frozenBackbone ? "cnn-frozen" : "cnn", warmUp: 3, steps: steps) {
            optimizer.zeroGradients()
            crossEntropy(model(input), classIndices: labels).backward()
            optimizer.step()
        }
    }
}
