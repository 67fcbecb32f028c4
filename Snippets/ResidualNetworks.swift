// Residual networks with PyTorch's keys, and the initializations made for them (Fixup, SkipInit, zero-γ).
import Kindling

// torchvision's BasicBlock layout: conv1, bn1, layer1.0.conv1, ..., layer2.0.downsample.0, fc
let resnet = ResNet<Float>(
    inChannels: 1, classes: 10, blocksPerStage: [3, 3, 3], widths: [16, 32, 64], style: .batchNorm)
ResidualInitialization.zeroGamma.initialize(resnet, generator: RandomGenerator(seed: 0))

// 64 blocks without normalization, Fixup's scalar biases and multipliers, initialized as the authors do
let deep = ResidualMLP<Float>(features: 64, classes: 10, width: 64, depth: 64, style: .fixup)
ResidualInitialization.fixup.initialize(deep, generator: RandomGenerator(seed: 0))
print(deep.stateDictionary.prefix(4).map(\.key))  // ["bias2", "stem.weight", "stem.bias", "blocks.0.bias1a"]
