import KindlingCore
import KindlingPlatform

/// Collapses axes `startAxis...endAxis` into one, as `torch.nn.Flatten` (by default every axis but the
/// batch axis: (N, C, H, W) -> (N, C·H·W)). The gradient is reshaped back.
public final class Flatten<Scalar: TensorScalar>: ModuleBase, Module {
    /// The first axis collapsed.
    public let startAxis: Int
    /// The last axis collapsed (negative counts from the end).
    public let endAxis: Int

    /// A flattening of axes `startAxis...endAxis`.
    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
    }

    /// x with axes startAxis...endAxis collapsed into one.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let start = Shape.normalize(axis: startAxis, rank: input.rank, operation: "Flatten")
        let end = Shape.normalize(axis: endAxis, rank: input.rank, operation: "Flatten")
        require(
            start <= end, "Flatten: start axis \(startAxis) comes after end axis \(endAxis) for shape \(input.shape)")
        let collapsed = input.shape[start...end].reduce(1, *)
        return input.reshaped(Array(input.shape[..<start]) + [collapsed] + Array(input.shape[(end + 1)...]))
    }
}
