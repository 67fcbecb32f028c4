import KindlingCore
import KindlingNN
import KindlingPlatform

/// Where the BERT modules' parameters come from as they are built: drawn at random (PyTorch's defaults,
/// from `generator`), or taken from a checkpoint by name without drawing anything, which is how
/// `BertModel.load(from:)` builds a model at the cost of reading it.
struct ParameterSource<Scalar: TensorScalar> {
    /// The generator of the random draws (and of the dropout masks).
    let generator: RandomGenerator
    /// For a checkpoint: the tensor of a Kindling parameter name with the given shape.
    let take: ((_ name: String, _ shape: [Int]) -> Tensor<Scalar>)?

    /// Parameters drawn at random.
    static func random(_ generator: RandomGenerator) -> ParameterSource {
        ParameterSource(generator: generator, take: nil)
    }

    /// `Linear(input, output)` named `name`.
    func linear(_ name: String, _ input: Int, _ output: Int) -> Linear<Scalar> {
        guard let take else { return Linear(input, output, generator: generator) }
        return Linear(weight: take(name + ".weight", [output, input]), bias: take(name + ".bias", [output]))
    }

    /// `Embedding(count, dimension)` named `name`.
    func embedding(_ name: String, _ count: Int, _ dimension: Int, paddingIndex: Int? = nil) -> Embedding<Scalar> {
        guard let take else { return Embedding(count, dimension, paddingIndex: paddingIndex, generator: generator) }
        return Embedding(weight: take(name + ".weight", [count, dimension]), paddingIndex: paddingIndex)
    }

    /// `LayerNorm(dimension)` named `name`.
    func layerNorm(_ name: String, _ dimension: Int, epsilon: Double) -> LayerNorm<Scalar> {
        let layer = LayerNorm<Scalar>(dimension, epsilon: epsilon)
        if let take {
            layer.weight.value = take(name + ".weight", [dimension])
            layer.bias.value = take(name + ".bias", [dimension])
        }
        return layer
    }
}
