// Parameter groups, a warm-up then cosine schedule, and gradient clipping, stepped as in PyTorch.
import Kindling

// snippet.hide
let model = Sequential<Float>(Linear(4, 8), BatchNorm1d(8), ReLU(), Linear(8, 3))
let x = Tensor<Float>.randn([16, 4], generator: RandomGenerator(seed: 0))
let labels = (0..<16).map { $0 % 3 }
// snippet.show
let optimizer = try AdamW(model.weightDecayGroups(weightDecay: 0.05), learningRate: 1e-3, amsgrad: true)
let scheduler = try LearningRateScheduler(
    optimizer,
    schedule: .sequential(
        [.linear(startFactor: 0.01, totalSteps: 100), .cosineAnnealing(maxSteps: 900)], milestones: [100]))
for _ in 0..<1000 {
    optimizer.zeroGradients()
    crossEntropy(model(x), classIndices: labels, labelSmoothing: 0.1).backward()
    clipGradientNorm(model.parameters, maxNorm: 1.0)
    optimizer.step()
    scheduler.step()
}
