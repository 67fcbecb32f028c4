import KindlingPlatform

/// Dropout (Srivastava et al. 2014) as `torch.nn.functional.dropout`: in training, each element is
/// zeroed with probability p and the kept ones are scaled by 1 / (1 - p), so that the expectation is
/// unchanged; the gradient passes through the same mask and scale.
///
/// The mask is drawn from `generator` as one `randomSample()` u per element, in row-major order; an
/// element is kept when u >= p (so with probability 1 - p). Kept elements are x * (1 / (1 - p)), the
/// scale computed once in the tensor's precision, as PyTorch does.
///
/// When not training, or when p = 0, the input is returned unchanged and nothing is drawn; p = 1 gives
/// zeros (with a zero gradient), also without drawing.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func dropout<Scalar>(
    _ x: Tensor<Scalar>, probability p: Double, training: Bool, generator: RandomGenerator
) -> Tensor<Scalar> {
    require(p >= 0 && p <= 1, "dropout: the probability must be in [0, 1], got \(p)")
    guard training, let mask: [Scalar] = dropoutMask(count: x.count, probability: p, generator: generator) else {
        return x
    }
    let result = Tensor(shape: x.shape, scalars: Kernels.zip(x.scalars, mask, *))
    guard Tensor.recording(x) else { return result }
    let shape = x.shape
    return Tensor.record("dropout", result, inputs: [x]) { gradient in
        [Tensor(shape: shape, scalars: Kernels.zip(gradient.scalars, mask, *))]
    }
}

/// The multipliers of `dropout`'s mask for `count` elements: 1 / (1 - p) for a kept element, 0 for a
/// dropped one, one `randomSample()` per element in order; nil (nothing drawn) when p = 0.
func dropoutMask<Scalar: TensorScalar>(count: Int, probability p: Double, generator: RandomGenerator) -> [Scalar]? {
    guard p > 0 else { return nil }
    let scale: Scalar = p == 1 ? 0 : 1 / Scalar(1 - p)
    return (0..<count).map { _ in p < 1 && generator.randomSample() >= p ? scale : 0 }
}
