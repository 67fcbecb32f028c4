// matmul follows torch.matmul: 1-D operands and broadcasting batch axes.
import Kindling

let rng = RandomGenerator(seed: 0)
let v = Tensor<Double>.randn([3], generator: rng)
let m = Tensor<Double>.randn([3, 4], generator: rng)
let batch = Tensor<Double>.randn([2, 5, 4, 3], generator: rng)
print(v.matmul(v).shape)  // []            (a dot product)
print(v.matmul(m).shape)  // [4]
print(batch.matmul(v).shape)  // [2, 5, 4]
print(batch.matmul(m).shape)  // [2, 5, 4, 4]  (one GEMM of 40 x 3 by 3 x 4)
