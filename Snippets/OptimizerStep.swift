// One optimizer step by hand: the optimizer updates the very parameters the model holds.
import Kindling

// snippet.hide
let model = Sequential<Float>(Linear(4, 8), ReLU(), Linear(8, 3))
let images = Tensor<Float>.randn([16, 4], generator: RandomGenerator(seed: 0))
let labels = (0..<16).map { $0 % 3 }
// snippet.show
let optimizer = try AdamW(model.parameters, learningRate: 1e-3, weightDecay: 0.01)
optimizer.zeroGradients()
crossEntropy(model(images), classIndices: labels).backward()
optimizer.step()
optimizer.learningRate *= 0.9  // a schedule: takes effect at the next step
