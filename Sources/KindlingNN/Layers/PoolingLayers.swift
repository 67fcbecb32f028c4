import KindlingCore

/// 2-D max pooling as a module (see `maxPool2d`); the stride defaults to the kernel size.
public final class MaxPool2d<Scalar: TensorScalar>: ModuleBase, Module {
    /// Window height and width.
    public let kernelSize: (Int, Int)
    /// Step between windows, along height and width.
    public let stride: (Int, Int)
    /// Implicit -∞ added on each side, along height and width.
    public let padding: (Int, Int)
    /// Whether the output size rounds up (PyTorch's `ceil_mode`).
    public let ceilMode: Bool

    /// A max pooling over `kernelSize` windows.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), ceilMode: Bool = false)
    {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
    }

    /// A max pooling over square windows.
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) {
        self.init(
            kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
            ceilMode: ceilMode)
    }

    /// The window maxima of x, shape (N, C, H, W).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode)
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

    /// An average pooling over `kernelSize` windows.
    public init(
        kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
        countIncludePad: Bool = true, ceilMode: Bool = false
    ) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludePad = countIncludePad
        self.ceilMode = ceilMode
    }

    /// An average pooling over square windows.
    public convenience init(
        kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true,
        ceilMode: Bool = false
    ) {
        self.init(
            kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) },
            padding: (padding, padding), countIncludePad: countIncludePad, ceilMode: ceilMode)
    }

    /// The window averages of x, shape (N, C, H, W).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        avgPool2d(
            input, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad,
            ceilMode: ceilMode)
    }
}
