import KindlingCore

/// 2-D adaptive average pooling as a module (`torch.nn.AdaptiveAvgPool2d`): any (N, C, H, W) input to
/// (N, C, Hout, Wout), each output the mean of its bin of the input (see `adaptiveAvgPool2d`). With
/// output size 1 it is the global average pool that ends a ResNet.
///
/// ```swift
/// let pool = AdaptiveAvgPool2d<Float>(outputSize: 1)
/// let features = pool(maps)   // [N, 64, 7, 7] -> [N, 64, 1, 1]
/// ```
public final class AdaptiveAvgPool2d<Scalar: TensorScalar>: ModuleBase, Module {
    /// Output height and width.
    public let outputSize: (Int, Int)

    /// A pooling to `outputSize` (height, width).
    public init(outputSize: (Int, Int)) { self.outputSize = outputSize }

    /// A pooling to a square output size × size.
    public convenience init(outputSize: Int) { self.init(outputSize: (outputSize, outputSize)) }

    /// The bin averages of x, shape (N, C, H, W).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        adaptiveAvgPool2d(input, outputSize: outputSize)
    }
}
