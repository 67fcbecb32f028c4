import KindlingCore
import KindlingNN
import KindlingPlatform

/// Layer normalization over the last axis as a module (`torch.nn.LayerNorm(dimension)`): see
/// `layerNorm(_:weight:bias:epsilon:)`. The weight starts at 1 and the bias at 0.
public final class LayerNorm<Scalar: TensorScalar>: ModuleBase, Module {
    /// The per-feature scale γ, shape (dimension).
    public let weight: Parameter<Scalar>
    /// The per-feature shift β, shape (dimension).
    public let bias: Parameter<Scalar>
    /// Added to the variance before the square root.
    public let epsilon: Double

    /// A layer norm over rows of `dimension` values (PyTorch's default eps 1e-5; BERT uses 1e-12).
    public init(_ dimension: Int, epsilon: Double = 1e-5) {
        require(dimension > 0, "LayerNorm: the dimension must be positive, got \(dimension)")
        weight = Parameter(.ones([dimension]))
        bias = Parameter(.zeros([dimension]))
        self.epsilon = epsilon
    }

    /// (x - mean) / sqrt(var + eps) * γ + β over the last axis of `input`.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        layerNorm(input, weight: weight.value, bias: bias.value, epsilon: epsilon)
    }
}

/// The Gaussian error linear unit as a module (`torch.nn.GELU(approximate=...)`): see `gelu`.
public final class GELU<Scalar: TensorScalar>: ModuleBase, Module {
    /// Exact (erf) or the tanh approximation.
    public let approximation: GELUApproximation

    /// A GELU; the exact erf form by default, as BERT uses.
    public init(approximation: GELUApproximation = .none) { self.approximation = approximation }

    /// x Φ(x).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { gelu(input, approximation: approximation) }
}
