// Checks a function's gradients against central differences in Double, with PyTorch's tolerances.
import Kindling

let rng = RandomGenerator(seed: 0)
let result = gradcheck(
    { inputs in (inputs[0] * inputs[1]).sum() },
    inputs: [Tensor<Double>.randn([3], generator: rng), Tensor<Double>.randn([3], generator: rng)])
print(result.passed, result)
