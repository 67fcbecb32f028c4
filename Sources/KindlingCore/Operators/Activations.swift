import KindlingPlatform

/// max(x, 0) element-wise, with NaN kept as NaN (`torch.relu`); the gradient is 0 where x <= 0 and
/// passes elsewhere, NaN included (PyTorch's convention at 0 and for NaN). The backward pass reads the
/// mask from the output (y <= 0 exactly where x <= 0), so the forward pass keeps nothing besides its
/// result.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func relu<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    let output = Kernels.rectified(x.scalars)
    let result = Tensor(shape: x.shape, scalars: output)
    guard Tensor.recording(x) else { return result }
    let shape = x.shape
    return Tensor.record("relu", result, inputs: [x]) { gradient in
        [Tensor(shape: shape, scalars: Kernels.passingWherePositive(gradient.scalars, output))]
    }
}

extension Kernels {
    /// max(x, 0) for every element (NaN stays NaN), split between the cores for large arrays.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func rectified<S: TensorScalar>(_ x: [S]) -> [S] {
        let count = x.count
        return [S](unsafeUninitializedCapacity: count) { out, initialized in
            x.withUnsafeBufferPointer { x in
                guard count > 0 else { return }
                let (x, out) = (x.baseAddress!, out.baseAddress!)
                ParallelChunks.forEach(count: count) { range in
                    for i in range { out[i] = x[i] <= 0 ? 0 : x[i] }
                }
            }
            initialized = count
        }
    }

    /// 0 where mask <= 0, else g (NaN in the mask passes g), split between the cores for large arrays.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func passingWherePositive<S: TensorScalar>(_ g: [S], _ mask: [S]) -> [S] {
        require(g.count == mask.count, "relu backward: \(g.count) gradients for \(mask.count) inputs")
        let count = g.count
        return [S](unsafeUninitializedCapacity: count) { out, initialized in
            g.withUnsafeBufferPointer { g in
                mask.withUnsafeBufferPointer { mask in
                    guard count > 0 else { return }
                    let (g, mask, out) = (g.baseAddress!, mask.baseAddress!, out.baseAddress!)
                    ParallelChunks.forEach(count: count) { range in
                        // Both loads unconditional: a load under the condition would keep the loop scalar.
                        for i in range {
                            let (value, key) = (g[i], mask[i])
                            out[i] = key <= 0 ? 0 : value
                        }
                    }
                }
            }
            initialized = count
        }
    }
}

/// The logistic function 1 / (1 + e^-x), computed without overflow for large |x|: e^-|x| is the only
/// exponential taken, so sigmoid(±1000) is exactly 1 and 0. The derivative is y (1 - y).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func sigmoid<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    x.elementwise("sigmoid", stableSigmoid) { _, y in y * (1 - y) }
}

/// 1 / (1 + e^-x) for one value, taking only e^-|x| so that nothing overflows.
@inline(__always)
func stableSigmoid<Scalar: TensorScalar>(_ x: Scalar) -> Scalar {
    if x >= 0 { return 1 / (1 + Scalar.exp(-x)) }
    let e = Scalar.exp(x)
    return e / (1 + e)
}

/// The leaky rectifier: x where x > 0, `negativeSlope` * x elsewhere (`torch.nn.functional.leaky_relu`).
/// The gradient is 1 where x > 0 and `negativeSlope` elsewhere (PyTorch's convention at 0 and for NaN,
/// which stays NaN).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func leakyReLU<Scalar>(_ x: Tensor<Scalar>, negativeSlope: Scalar = 0.01) -> Tensor<Scalar> {
    x.elementwise("leakyReLU", { $0 > 0 ? $0 : negativeSlope * $0 }) { x, _ in x > 0 ? 1 : negativeSlope }
}

/// The exponential linear unit (Clevert et al. 2015): x where x > 0, alpha (e^x - 1) elsewhere
/// (`torch.nn.functional.elu`). The gradient is alpha e^x where x <= 0 and 1 elsewhere (NaN stays NaN and
/// gets gradient 1, as in PyTorch).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func elu<Scalar>(_ x: Tensor<Scalar>, alpha: Scalar = 1) -> Tensor<Scalar> {
    x.elementwise("elu", { $0 > 0 ? $0 : alpha * Scalar.expm1($0) }) { x, _ in x <= 0 ? alpha * Scalar.exp(x) : 1 }
}

/// The scaled exponential linear unit (Klambauer et al. 2017, "Self-Normalizing Neural Networks"):
/// scale * elu(x, alpha) with PyTorch's constants alpha = 1.6732632423543772848170429916717 and
/// scale = 1.0507009873554804934193349852946. The gradient is scale * alpha * e^x where x <= 0 and
/// scale elsewhere (NaN included, as in PyTorch).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func selu<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    let alpha = Scalar(seluAlpha)
    let scale = Scalar(seluScale)
    return x.elementwise("selu", { $0 > 0 ? scale * $0 : scale * alpha * Scalar.expm1($0) }) { x, _ in
        x <= 0 ? scale * alpha * Scalar.exp(x) : scale
    }
}

/// SELU's alpha, as in `torch.nn.SELU`.
let seluAlpha = 1.6732632423543772848170429916717
/// SELU's scale, as in `torch.nn.SELU`.
let seluScale = 1.0507009873554804934193349852946
