// A whole model takes one call, or a visitor for a policy of your own (PyTorch's _initialize_weights loop).
import Kindling

let model = Sequential<Float>(
    Conv2d(3, 8, kernelSize: 3, padding: 1), BatchNorm2d(8), ReLU(),
    Flatten(), Linear(8 * 8 * 8, 10))
model.initializeWeights(.he, generator: RandomGenerator(seed: 3))

model.initializeWeights { module in
    if let conv = module as? Conv2d<Float> {
        Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu).initialize(conv.weight)
        if let bias = conv.bias { Initializer.zeros.initialize(bias) }
    } else if let norm = module as? BatchNorm2d<Float> {
        Initializer.ones.initialize(norm.weight!)
        Initializer.zeros.initialize(norm.bias!)
    } else if let linear = module as? Linear<Float> {
        Initializer.xavierUniform().initialize(linear.weight)
        if let bias = linear.bias { Initializer.zeros.initialize(bias) }
    }
}
