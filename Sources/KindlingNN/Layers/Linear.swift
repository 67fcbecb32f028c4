import KindlingCore
import KindlingPlatform

/// A fully connected layer, y = x Wᵀ + b, with PyTorch's weight layout (out, in).
///
/// Constructed with PyTorch's default initialization: weight and bias uniform in
/// ±1/sqrt(inFeatures) (what `kaiming_uniform_(a: sqrt(5))` amounts to; `Initializer.pytorchDefaultBound`).
public final class Linear<Scalar: TensorScalar>: ModuleBase, Module {
    /// The weight, shape (outFeatures, inFeatures).
    public let weight: Parameter<Scalar>
    /// The bias, shape (outFeatures), if the layer has one.
    public let bias: Parameter<Scalar>?
    /// Input features.
    public let inFeatures: Int
    /// Output features.
    public let outFeatures: Int

    /// A layer from `inFeatures` to `outFeatures`, drawing its default initialization from `generator`.
    public init(
        _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
        generator: RandomGenerator = .global
    ) {
        require(
            inFeatures > 0 && outFeatures > 0,
            "Linear: sizes must be positive, got \(inFeatures) -> \(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let bound = Initializer.pytorchDefaultBound(weightShape: [outFeatures, inFeatures])
        weight = Parameter(.uniform([outFeatures, inFeatures], low: -bound, high: bound, generator: generator))
        self.bias = bias ? Parameter(.uniform([outFeatures], low: -bound, high: bound, generator: generator)) : nil
    }

    /// A layer holding `weight` (outFeatures, inFeatures) and `bias` (outFeatures), if any, as given: nothing
    /// is drawn, as when a checkpoint is loaded.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?) {
        require(
            weight.rank == 2 && weight.shape.allSatisfy { $0 > 0 }
                && (bias.map { $0.shape == [weight.shape[0]] } ?? true),
            "Linear: a weight of shape \(weight.shape) and a bias of shape \(bias?.shape ?? []) do not make a layer")
        inFeatures = weight.shape[1]
        outFeatures = weight.shape[0]
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
    }

    /// x Wᵀ + b for x of shape (..., inFeatures), through the fused `linear` operator.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        require(
            input.shape.last == inFeatures,
            "Linear(\(inFeatures) -> \(outFeatures)): input of shape \(input.shape) has \(input.shape.last ?? 0) features"
        )
        return linear(input, weight: weight.value, bias: bias?.value)
    }
}
