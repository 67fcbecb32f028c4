// Named padding, pooling with ceil mode, and PyTorch's loss options.
import Kindling

// snippet.hide
let rng = RandomGenerator(seed: 0)
let images = Tensor<Float>.randn([8, 3, 32, 32], generator: rng)
let logits = Tensor<Float>.randn([4, 3], generator: rng)
let teacherLogits = logits * 2
let targets = Tensor<Float>(shape: [4, 3], scalars: [1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1])
// snippet.show
let conv = Conv2d<Float>(3, 16, kernelSize: 4, padding: .same)  // 32 x 32 stays 32 x 32
let pooled = MaxPool2d<Float>(kernelSize: 3, stride: 2, ceilMode: true)(conv(images))  // 16 x 16
let loss = crossEntropy(logits, classIndices: [0, 2, -100, 1], weight: Tensor([1, 2, 0.5]), ignoreIndex: -100)
let soft = crossEntropy(logits, probabilities: softmax(teacherLogits, alongAxis: 1), labelSmoothing: 0.1)
let multiLabel = binaryCrossEntropyWithLogits(logits, targets, positiveWeight: Tensor([3, 1, 0.5]))
// snippet.hide
print(pooled.shape, loss, soft, multiLabel)
