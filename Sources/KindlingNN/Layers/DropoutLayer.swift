import KindlingCore
import KindlingPlatform

/// Dropout as a module (`torch.nn.Dropout`): in training mode each element is zeroed with probability
/// `probability` and the kept ones are scaled by 1 / (1 - p); in evaluation mode it is the identity.
/// The mask is drawn from `generator` as described at `dropout(_:probability:training:generator:)`.
public final class Dropout<Scalar: TensorScalar>: ModuleBase, Module {
    /// The probability p of zeroing an element.
    public let probability: Double
    /// Where the masks are drawn from.
    public let generator: RandomGenerator

    /// A dropout layer with drop probability p in [0, 1], drawing from `generator`.
    public init(probability: Double = 0.5, generator: RandomGenerator = .global) {
        require(probability >= 0 && probability <= 1, "Dropout: the probability must be in [0, 1], got \(probability)")
        self.probability = probability
        self.generator = generator
    }

    /// The input with a fresh random mask applied in training mode; unchanged in evaluation mode.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        dropout(input, probability: probability, training: isTraining, generator: generator)
    }
}
