// Tensors, broadcasting and reverse-mode autograd; the generator reproduces numpy.random.seed(3).
import Kindling

let rng = RandomGenerator(seed: 3)  // numpy.random.seed(3), bit for bit
let x = Tensor<Double>.randn([4, 3], generator: rng)  // = numpy.random.randn(4, 3)
let w = Tensor<Double>.randn([3, 2], generator: rng).requiringGradient()
let b = Tensor<Double>([0.1, -0.2]).requiringGradient()

let loss = relu(x.matmul(w) + b).mean()  // numpy broadcasting; every product is a GEMM
loss.backward()  // reverse mode; gradients accumulate on the leaves
print(w.grad!, b.grad!)

let y = withoutGradient { x * 2 }  // records nothing, like torch.no_grad()
print(y.shape)
