// Per-layer statistics while training: activations, dead units, gradients, update ratios, symmetry.
import Kindling

// snippet.hide
let data: Dataset<Double> = .circles(count: 300, noise: 0.05, generator: RandomGenerator(seed: 1))
let model = Sequential<Double>(Linear(2, 10), ReLU(), Linear(10, 5), ReLU(), Linear(5, 1))
model.initializeWeights(.he, generator: RandomGenerator(seed: 3))
let optimizer = try SGD(model.parameters, learningRate: 0.01)
let loss = { (logits: Tensor<Double>, batch: Dataset<Double>) in binaryCrossEntropyWithLogits(logits, batch.targets) }
// snippet.show
let diagnostics = LayerDiagnostics(model, every: 100)
let history = train(model, on: data, loss: loss, optimizer: diagnostics.observing(optimizer), for: .iterations(3000))
diagnostics.detach()
print(diagnostics.records.count)  // [LayerDiagnosticsRecord]: step, layer, activationMean, ..., symmetryBreaking
print(diagnostics.table.text)  // the same as CSV
