/// Multi-head scaled dot-product self-attention (Vaswani et al. 2017) as BERT computes it: queries,
/// keys and values are linear maps of the input split into `headCount` heads of size d = hidden / heads;
/// each head computes softmax(Q Kᵀ / √d + mask) V; the heads are concatenated and mapped by `output`.
///
/// The heads of the whole batch go through two batched GEMMs (scores and context) and one softmax.
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
    public init(hiddenSize: Int, headCount: Int, dropoutProbability: Double = 0,
                generator: RandomGenerator = .global) {
        require(headCount > 0 && hiddenSize % headCount == 0,
                "MultiHeadSelfAttention: hidden size \(hiddenSize) is not a multiple of \(headCount) heads")
        query = Linear(hiddenSize, hiddenSize, generator: generator)
        key = Linear(hiddenSize, hiddenSize, generator: generator)
        value = Linear(hiddenSize, hiddenSize, generator: generator)
        output = Linear(hiddenSize, hiddenSize, generator: generator)
        dropout = Dropout(probability: dropoutProbability, generator: generator)
        self.headCount = headCount
    }

    /// Attention of a (batch, length, hidden) input over all of its positions.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { self(input, attentionMask: nil) }

    /// Attention of a (batch, length, hidden) input; `attentionMask` (batch rows of `length` values, 1 for
    /// a token, 0 for padding) keeps every query from attending to padded positions.
    public func callAsFunction(_ input: Tensor<Scalar>, attentionMask: [[Int]]?) -> Tensor<Scalar> {
        require(input.rank == 3, "MultiHeadSelfAttention: the input must be (batch, length, hidden), got \(input.shape)")
        let (batch, length, hidden) = (input.shape[0], input.shape[1], input.shape[2])
        let headSize = hidden / headCount
        func heads(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
            x.reshaped([batch, length, headCount, headSize]).permuted([0, 2, 1, 3])
                .reshaped([batch * headCount, length, headSize])
        }
        let q = heads(query(input)), k = heads(key(input)), v = heads(value(input))
        var scores = (Tensor.matmul(q, k, transposingRight: true) * Scalar(1 / Double(headSize).squareRoot()))
            .reshaped([batch, headCount, length, length])
        if let attentionMask {
            scores = scores + Self.additiveMask(attentionMask, batch: batch, length: length)
        }
        let probabilities = dropout(softmax(scores, alongAxis: -1)).reshaped([batch * headCount, length, length])
        let context = Tensor.matmul(probabilities, v).reshaped([batch, headCount, length, headSize])
            .permuted([0, 2, 1, 3]).reshaped([batch, length, hidden])
        return output(context)
    }

    /// (batch, 1, 1, length): 0 where the mask is 1, the lowest finite value where it is 0.
    static func additiveMask(_ mask: [[Int]], batch: Int, length: Int) -> Tensor<Scalar> {
        require(mask.count == batch && mask.allSatisfy { $0.count == length },
                "MultiHeadSelfAttention: the attention mask must have \(batch) rows of \(length), got \(mask.map(\.count))")
        return Tensor(shape: [batch, 1, 1, length],
                      scalars: mask.flatMap { $0.map { $0 == 0 ? -Scalar.greatestFiniteMagnitude : 0 } })
    }
}
