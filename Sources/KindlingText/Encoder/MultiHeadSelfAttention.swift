import KindlingCore
import KindlingNN
import KindlingPlatform

/// Multi-head scaled dot-product self-attention (Vaswani et al. 2017) as BERT computes it: queries,
/// keys and values are linear maps of the input split into `headCount` heads of size d = hidden / heads;
/// each head computes softmax(Q Kᵀ / √d + mask) V; the heads are concatenated and mapped by `output`.
///
/// The heads are computed by `multiHeadAttention`, on the projections' layout without copies.
/// The mask adds the scalar type's lowest finite value to the scores of padded key positions, as
/// Hugging Face's BertModel does, so that they get zero weight.
public final class MultiHeadSelfAttention<Scalar: TensorScalar>: ModuleBase, Module {
    /// The query projection, (hidden, hidden).
    public let query: Linear<Scalar>
    /// The key projection, (hidden, hidden).
    public let key: Linear<Scalar>
    /// The value projection, (hidden, hidden).
    public let value: Linear<Scalar>
    /// The projection of the concatenated heads, (hidden, hidden).
    public let output: Linear<Scalar>
    /// Dropout on the attention probabilities.
    public let dropout: Dropout<Scalar>
    /// The number of heads.
    public let headCount: Int

    /// Attention over `hiddenSize` features split into `headCount` heads (hiddenSize must divide evenly),
    /// with dropout probability `dropoutProbability` on the attention weights.
    public convenience init(
        hiddenSize: Int, headCount: Int, dropoutProbability: Double = 0,
        generator: RandomGenerator = .global
    ) {
        self.init(
            hiddenSize: hiddenSize, headCount: headCount, dropoutProbability: dropoutProbability,
            source: .random(generator), name: "")
    }

    /// Attention whose projections come from `source`, named `name`.query, ... (see `ParameterSource`).
    init(hiddenSize: Int, headCount: Int, dropoutProbability: Double, source: ParameterSource<Scalar>, name: String) {
        require(
            headCount > 0 && hiddenSize % headCount == 0,
            "MultiHeadSelfAttention: hidden size \(hiddenSize) is not a multiple of \(headCount) heads")
        query = source.linear(name + "query", hiddenSize, hiddenSize)
        key = source.linear(name + "key", hiddenSize, hiddenSize)
        value = source.linear(name + "value", hiddenSize, hiddenSize)
        output = source.linear(name + "output", hiddenSize, hiddenSize)
        dropout = Dropout(probability: dropoutProbability, generator: source.generator)
        self.headCount = headCount
    }

    /// Attention of a (batch, length, hidden) input over all of its positions.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { self(input, attentionMask: nil) }

    /// Attention of a (batch, length, hidden) input; `attentionMask` (batch rows of `length` values, 1 for
    /// a token, 0 for padding) keeps every query from attending to padded positions.
    public func callAsFunction(_ input: Tensor<Scalar>, attentionMask: [[Int]]?) -> Tensor<Scalar> {
        require(
            input.rank == 3, "MultiHeadSelfAttention: the input must be (batch, length, hidden), got \(input.shape)")
        let (batch, length) = (input.shape[0], input.shape[1])
        let context = multiHeadAttention(
            query: query(input), key: key(input), value: value(input), headCount: headCount,
            additiveMask: attentionMask.map { Self.additiveMask($0, batch: batch, length: length) },
            dropoutProbability: dropout.isTraining ? dropout.probability : 0, generator: dropout.generator)
        return output(context)
    }

    /// (batch, length): 0 where the mask is 1, the lowest finite value where it is 0.
    static func additiveMask(_ mask: [[Int]], batch: Int, length: Int) -> Tensor<Scalar> {
        require(
            mask.count == batch && mask.allSatisfy { $0.count == length },
            "MultiHeadSelfAttention: the attention mask must have \(batch) rows of \(length), got \(mask.map(\.count))")
        return Tensor(
            shape: [batch, length],
            scalars: mask.flatMap { $0.map { $0 == 0 ? -Scalar.greatestFiniteMagnitude : 0 } })
    }
}
