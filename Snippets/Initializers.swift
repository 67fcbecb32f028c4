// Every torch.nn.init scheme is a case of Initializer, with PyTorch's defaults.
import Kindling

// snippet.hide
let model = Sequential<Float>(Conv2d(3, 64, kernelSize: 3), ReLU(), Flatten(), Linear(64, 10))
let conv1 = model.layers[0] as! Conv2d<Float>
let fc = model.layers[3] as! Linear<Float>
// snippet.show
let generator = RandomGenerator(seed: 0)
let w: Tensor<Float> = Initializer.xavierUniform().makeTensor(shape: [128, 256], generator: generator)
Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu).initialize(conv1.weight, generator: generator)
Initializer.orthogonal(gain: calculateGain(.tanh)).initialize(fc.weight)  // QR through LAPACKE
print(calculateGain(.leakyReLU(negativeSlope: 0.2)))  // sqrt(2 / 1.04), as torch.nn.init.calculate_gain
print(Fans(shape: [64, 3, 3, 3]).fanIn)  // 27
// snippet.hide
print(w.shape)
