// Forward and backward hooks, PyTorch's register_forward_hook and register_full_backward_hook.
import Kindling

// snippet.hide
let model = Sequential<Float>(Linear(4, 8), ReLU(), Linear(8, 2))
let x = Tensor<Float>.randn([3, 4], generator: RandomGenerator(seed: 0))
// snippet.show
let handle = model.layers[0].registerForwardHook { module, input, output in print(output.shape) }
let gradients = model.layers[0].registerBackwardHook { module, inputGradient, outputGradient in
    print(outputGradient.shape, inputGradient?.shape as Any)  // nil when the input needs no gradient
}
_ = model(x)  // Sequential: prints the first layer's output shape
handle.remove()
gradients.remove()
