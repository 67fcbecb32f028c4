import KindlingCore

/// 2-D max pooling as a module (see `maxPool2d`); the stride defaults to the kernel size.
public final class MaxPool2d<Scalar: TensorScalar>: ModuleBase, Module {
    /// Window height and width.
    public let kernelSize: (Int, Int)
    /// Step between windows, along height and width.
    public let stride: (Int, Int)
    /// Implicit -∞ added on each side, along height and width.
    public let padding: (Int, Int)
    /// Spacing between a window's taps, along height and width (1: adjacent).
    public let dilation: (Int, Int)
    /// Whether the output size rounds up (PyTorch's `ceil_mode`).
    public let ceilMode: Bool

    /// A max pooling over `kernelSize` windows (`torch.nn.MaxPool2d`'s arguments but `return_indices`, in its
    /// order).
    public init(
        kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
        ceilMode: Bool = false
    ) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
    }

    /// A max pooling over square windows.
    public convenience init(
        kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false
    ) {
        self.init(
            kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
            dilation: (dilation, dilation), ceilMode: ceilMode)
    }

    /// The window maxima of x, shape (N, C, H, W).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        maxPool2d(
            input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

/// 2-D average pooling as a module (see `avgPool2d`); the stride defaults to the kernel size.
public final class AvgPool2d<Scalar: TensorScalar>: ModuleBase, Module {
    /// Window height and width.
    public let kernelSize: (Int, Int)
    /// Step between windows, along height and width.
    public let stride: (Int, Int)
    /// Implicit zeros added on each side, along height and width.
    public let padding: (Int, Int)
    /// Whether padded zeros count in the divisor (PyTorch's default true).
    public let countIncludePad: Bool
    /// Whether the output size rounds up (PyTorch's `ceil_mode`).
    public let ceilMode: Bool
    /// The divisor of every window's sum instead of its size, when given (PyTorch's `divisor_override`).
    public let divisorOverride: Int?

    /// An average pooling over `kernelSize` windows (`torch.nn.AvgPool2d`'s arguments, in `avgPool2d`'s
    /// order).
    public init(
        kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
        countIncludePad: Bool = true, ceilMode: Bool = false, divisorOverride: Int? = nil
    ) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludePad = countIncludePad
        self.ceilMode = ceilMode
        self.divisorOverride = divisorOverride
    }

    /// An average pooling over square windows.
    public convenience init(
        kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true, ceilMode: Bool = false,
        divisorOverride: Int? = nil
    ) {
        self.init(
            kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
            countIncludePad: countIncludePad, ceilMode: ceilMode, divisorOverride: divisorOverride)
    }

    /// The window averages of x, shape (N, C, H, W).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        avgPool2d(
            input, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad,
            ceilMode: ceilMode, divisorOverride: divisorOverride)
    }
}
