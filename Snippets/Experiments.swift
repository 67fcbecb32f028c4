// The experiments behind `kindling compare-init` and `kindling propagate`, called from code.
import Kindling

var comparison = InitializationComparison.Configuration()  // the course's: circles, 2-10-5-1, 15000 steps
comparison.initializations = ["zeros", "he"]
comparison.iterations = 2000
for run in try InitializationComparison.run(comparison) {
    print(run.initialization, run.history.losses.last!, run.trainAccuracy, run.testAccuracy)
}

var propagation = SignalPropagation.Configuration()  // 100 Linear(256, 256) layers, batch 16
propagation.activation = .relu
propagation.initialization = "he"
let result = SignalPropagation.run(propagation, as: Float.self)
print(result.layers.last!.activationStandardDeviation, result.firstNonFiniteLayer as Any)
