import KindlingPlatform

/// PyTorch's named convolution paddings (`padding='valid'` and `padding='same'`).
public enum ConvolutionPadding: Sendable, Equatable {
    /// No padding: only windows that lie inside the input (`padding='valid'`, the same as 0).
    case valid
    /// The output has the input's height and width at stride 1 (`padding='same'`): dilation · (k − 1)
    /// zeros in all along each axis, half (rounded down) before the input and the rest after it.
    case same

    /// The zeros before and after the input along an axis with kernel size `kernel` and `dilation`.
    package func amounts(kernel: Int, dilation: Int) -> (before: Int, after: Int) {
        switch self {
        case .valid: return (0, 0)
        case .same:
            let total = dilation * (kernel - 1)
            return (total / 2, total - total / 2)
        }
    }
}

/// `conv2d` with a named padding: `.valid` (none) or `.same` (the output keeps the input's size; stride
/// must be 1, as in PyTorch). When dilation · (k − 1) is odd, the extra zero goes after the input
/// (bottom, right), as PyTorch does.
///
/// ```swift
/// let y = conv2d(x, weight: w, padding: .same)   // [8, 3, 32, 32] with a 4 × 4 kernel -> [8, 16, 32, 32]
/// ```
public func conv2d<Scalar>(
    _ input: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil,
    stride: (Int, Int) = (1, 1), padding: ConvolutionPadding, dilation: (Int, Int) = (1, 1), groups: Int = 1
) -> Tensor<Scalar> {
    require(weight.rank == 4, "conv2d: the weight must be 4-D (out, in / groups, kH, kW), got shape \(weight.shape)")
    require(
        padding != .same || stride == (1, 1),
        "conv2d: padding .same needs stride 1, got stride \(stride) (as in PyTorch)")
    require(input.rank == 4, "conv2d: the input must be 4-D (N, C, H, W), got shape \(input.shape)")
    let height = padding.amounts(kernel: weight.shape[2], dilation: dilation.0)
    let width = padding.amounts(kernel: weight.shape[3], dilation: dilation.1)
    var padded = input
    if height.after > height.before { padded = padded.appendingZeros(alongAxis: 2) }
    if width.after > width.before { padded = padded.appendingZeros(alongAxis: 3) }
    return conv2d(
        padded, weight: weight, bias: bias, stride: stride, padding: (height.before, width.before),
        dilation: dilation, groups: groups)
}

extension Tensor {
    /// One slice of zeros appended along `axis` (differentiable: the gradient drops it).
    func appendingZeros(alongAxis axis: Int) -> Tensor {
        var shape = self.shape
        shape[axis] = 1
        return Tensor.concatenate([self, Tensor.zeros(shape)], alongAxis: axis)
    }
}
