// NaN goes in, NaN comes out, and gradients at NaN and at the kinks follow PyTorch.
import Kindling

let x = Tensor<Double>([.nan, -1, 0.5, 2, .infinity]).requiringGradient()
print(relu(x).scalars)  // [nan, 0.0, 0.5, 2.0, inf]
print(x.max().scalar, x.argmax(alongAxis: 0))  // nan [0]
print(Tensor<Double>([[1, 3, 3], [2, .nan, 0]]).maxWithIndices(alongAxis: 1))  // values [3.0, nan], indices [1, 1]
let y = clamp(x, min: -1, max: 2)
y.sum().backward()
print(y.scalars, x.grad!.scalars)  // [nan, -1.0, 0.5, 2.0, 2.0] [0.0, 0.0, 1.0, 0.0, 0.0]
print(Tensor<Double>.arange(0.3, 2.0, step: 0.1).scalars[3...5])
// [0.6000000000000001, 0.7000000000000002, 0.8000000000000003], numpy.arange's values bit for bit
