// LSUV (Mishkin & Matas 2015): orthonormal pre-initialization, then each layer scaled to unit output std.
import Kindling

// snippet.hide
let trainSet: Dataset<Double> = .circles(count: 300, noise: 0.05, generator: RandomGenerator(seed: 1))
// snippet.show
let net = Sequential<Double>(Linear(2, 64), Tanh(), Linear(64, 64), Tanh(), Linear(64, 1))
let report = net.initializeWeights(.lsuv(batch: trainSet.features), generator: RandomGenerator(seed: 3))
print(report.layers.map(\.finalStandardDeviation))  // each within 1 ± 0.1
print(report.unreachedLayers)  // weight layers the forward pass never called
// .lsuv(batch:targetStandardDeviation:tolerance:maxAttempts:orthonormalPreinitialization:)
