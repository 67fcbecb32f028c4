import KindlingCore
import KindlingPlatform

/// A 2-D convolution layer, y = conv2d(x, weight, bias) with the layer's stride, padding, dilation and
/// groups (see `conv2d`), with PyTorch's weight layout (outChannels, inChannels / groups, kH, kW).
///
/// Constructed with PyTorch's default initialization: weight and bias uniform in ±1/sqrt(fan_in), with
/// fan_in = inChannels / groups · kH · kW (what `kaiming_uniform_(a: sqrt(5))` amounts to,
/// `Initializer.pytorchDefaultBound`); the weight is
/// drawn first, in row-major order, then the bias.
///
/// ```swift
/// let conv = Conv2d<Float>(3, 32, kernelSize: 3, padding: 1)
/// let y = conv(images)   // [N, 3, 32, 32] -> [N, 32, 32, 32]
/// ```
public final class Conv2d<Scalar: TensorScalar>: ModuleBase, Module {
    /// The weight, shape (outChannels, inChannels / groups, kH, kW).
    public let weight: Parameter<Scalar>
    /// The bias, shape (outChannels), if the layer has one.
    public let bias: Parameter<Scalar>?
    /// Input channels.
    public let inChannels: Int
    /// Output channels.
    public let outChannels: Int
    /// Kernel height and width.
    public let kernelSize: (Int, Int)
    /// Step between windows, along height and width.
    public let stride: (Int, Int)
    /// Zeros added on each side, along height and width (with `.same`, those before the input; an odd
    /// total puts one more after it).
    public let padding: (Int, Int)
    /// Spacing between kernel elements, along height and width.
    public let dilation: (Int, Int)
    /// Channel groups: each output channel sees inChannels / groups input channels.
    public let groups: Int
    /// The named padding the layer was made with (`.same`, `.valid`), which replaces `padding`; nil for
    /// explicit amounts.
    public let namedPadding: ConvolutionPadding?

    /// A layer from `inChannels` to `outChannels` channels, drawing its default initialization from
    /// `generator`.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1,
        bias: Bool = true, generator: RandomGenerator = .global
    ) {
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, namedPadding: nil,
            dilation: dilation, groups: groups, bias: bias, generator: generator)
    }

    private init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int),
        padding: (Int, Int), namedPadding: ConvolutionPadding?, dilation: (Int, Int), groups: Int,
        bias: Bool, generator: RandomGenerator
    ) {
        require(
            inChannels > 0 && outChannels > 0 && kernelSize.0 > 0 && kernelSize.1 > 0,
            "Conv2d: channels and kernel size must be positive, got \(inChannels) -> \(outChannels), kernel \(kernelSize)"
        )
        require(
            groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
            "Conv2d: channels \(inChannels) -> \(outChannels) must both be divisible by groups \(groups)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.namedPadding = namedPadding
        let shape = [outChannels, inChannels / groups, kernelSize.0, kernelSize.1]
        let bound = Initializer.pytorchDefaultBound(weightShape: shape)
        weight = Parameter(.uniform(shape, low: -bound, high: bound, generator: generator))
        self.bias = bias ? Parameter(.uniform([outChannels], low: -bound, high: bound, generator: generator)) : nil
    }

    /// A layer with a square kernel and the same stride, padding and dilation along both axes.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
        padding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
        generator: RandomGenerator = .global
    ) {
        self.init(
            inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
            padding: (padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias,
            generator: generator)
    }

    /// A layer with PyTorch's `padding='same'` (the output keeps the input's size; stride must be 1) or
    /// `padding='valid'` (no padding); see `conv2d(_:weight:bias:stride:padding:dilation:groups:)`.
    ///
    /// ```swift
    /// let conv = Conv2d<Float>(3, 16, kernelSize: (4, 4), padding: .same)   // [N, 3, 32, 32] -> [N, 16, 32, 32]
    /// ```
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: ConvolutionPadding, dilation: (Int, Int) = (1, 1), groups: Int = 1,
        bias: Bool = true, generator: RandomGenerator = .global
    ) {
        require(
            padding != .same || stride == (1, 1),
            "Conv2d: padding .same needs stride 1, got stride \(stride) (as in PyTorch)")
        let height = padding.amounts(kernel: kernelSize.0, dilation: dilation.0)
        let width = padding.amounts(kernel: kernelSize.1, dilation: dilation.1)
        self.init(
            inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: (height.before, width.before),
            namedPadding: padding, dilation: dilation, groups: groups, bias: bias, generator: generator)
    }

    /// A layer with a square kernel and a named padding.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
        padding: ConvolutionPadding, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
        generator: RandomGenerator = .global
    ) {
        self.init(
            inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
            padding: padding, dilation: (dilation, dilation), groups: groups, bias: bias, generator: generator)
    }

    /// The convolution of x, shape (N, inChannels, H, W), giving (N, outChannels, Hout, Wout).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        require(
            input.rank == 4 && input.shape[1] == inChannels,
            "Conv2d(\(inChannels) -> \(outChannels)): input of shape \(input.shape) is not (N, \(inChannels), H, W)")
        if let namedPadding {
            return conv2d(
                input, weight: weight.value, bias: bias?.value, stride: stride, padding: namedPadding,
                dilation: dilation, groups: groups)
        }
        return conv2d(
            input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
            dilation: dilation, groups: groups)
    }
}
