import Kindling

extension Workload {
    /// See `MLPWorkload`, with SGD.
    static let mlpSGD = Workload(
        name: "mlp-sgd",
        summary:
            "784-1024-1024-10 ReLU MLP, batch 256, cross-entropy, SGD(lr 0.01, momentum 0.9), Float: 5 + 60 steps (--steps N)",
        run: { try MLPWorkload.run(options: $0, optimizer: .sgd) })

    /// See `MLPWorkload`, with AdamW.
    static let mlpAdamW = Workload(
        name: "mlp-adamw",
        summary: "784-1024-1024-10 ReLU MLP, batch 256, cross-entropy, AdamW(lr 1e-3), Float: 5 + 60 steps (--steps N)",
        run: { try MLPWorkload.run(options: $0, optimizer: .adamW) })
}

/// Training steps of a 784-1024-1024-10 ReLU MLP in Float on one fixed batch of 256 standard-normal rows
/// with random labels among 10 classes: zero the gradients, forward, cross-entropy, backward, optimizer
/// step. 5 warm-up steps, then 60 timed ones. Reference: reference_workloads.py mlp-sgd and mlp-adamw.
enum MLPWorkload {
    enum OptimizerChoice {
        /// SGD(lr 0.01, momentum 0.9).
        case sgd
        /// AdamW(lr 1e-3) with PyTorch's other defaults.
        case adamW
    }

    static func run(options: BenchmarkOptions, optimizer choice: OptimizerChoice) throws {
        try options.rejectUnknown(["steps"])
        let steps = try options.integer("steps", default: 60)
        let generator = RandomGenerator(seed: 0)
        let model = Sequential<Float>(
            Linear(784, 1024, generator: generator), ReLU(),
            Linear(1024, 1024, generator: generator), ReLU(),
            Linear(1024, 10, generator: generator))
        let input = Tensor<Float>.randn([256, 784], generator: generator)
        let labels = (0..<256).map { _ in generator.randint(low: 0, high: 10) }
        let optimizer: any Optimizer<Float>
        let name: String
        switch choice {
        case .sgd:
            optimizer = try SGD(model.parameters, learningRate: 0.01, momentum: 0.9)
            name = "mlp-sgd"
        case .adamW:
            optimizer = try AdamW(model.parameters, learningRate: 1e-3)
            name = "mlp-adamw"
        }
        measureSteps(workload: name, warmUp: 5, steps: steps) {
            optimizer.zeroGradients()
            crossEntropy(model(input), classIndices: labels).backward()
            optimizer.step()
        }
    }
}
