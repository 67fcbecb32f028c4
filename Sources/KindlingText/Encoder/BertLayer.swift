import KindlingCore
import KindlingNN
import KindlingPlatform

/// One layer of BERT's encoder (Devlin et al. 2019; post-LayerNorm as in Vaswani et al. 2017):
/// h = LayerNorm(x + Dropout(Attention(x))), then LayerNorm(h + Dropout(W₂ GELU(W₁ h))).
public final class BertLayer<Scalar: TensorScalar>: ModuleBase, Module {
    /// Multi-head self-attention with its output projection.
    public let attention: MultiHeadSelfAttention<Scalar>
    /// The normalization after the attention's residual sum.
    public let attentionLayerNorm: LayerNorm<Scalar>
    /// W₁: hidden -> intermediate.
    public let intermediate: Linear<Scalar>
    /// The activation after W₁.
    public let activation: GELU<Scalar>
    /// W₂: intermediate -> hidden.
    public let output: Linear<Scalar>
    /// The normalization after the feed-forward residual sum.
    public let outputLayerNorm: LayerNorm<Scalar>
    /// Dropout on both residual branches.
    public let dropout: Dropout<Scalar>

    /// A layer of the given sizes.
    public convenience init(configuration: BertConfiguration, generator: RandomGenerator = .global) {
        self.init(configuration: configuration, source: .random(generator), name: "")
    }

    /// A layer whose parameters come from `source`, named `name`attention.query.weight, ...
    init(configuration c: BertConfiguration, source: ParameterSource<Scalar>, name: String) {
        attention = MultiHeadSelfAttention(
            hiddenSize: c.hiddenSize, headCount: c.attentionHeadCount,
            dropoutProbability: c.attentionDropoutProbability, source: source, name: name + "attention.")
        attentionLayerNorm = source.layerNorm(name + "attentionLayerNorm", c.hiddenSize, epsilon: c.layerNormEpsilon)
        intermediate = source.linear(name + "intermediate", c.hiddenSize, c.intermediateSize)
        activation = GELU(approximation: c.activation)
        output = source.linear(name + "output", c.intermediateSize, c.hiddenSize)
        outputLayerNorm = source.layerNorm(name + "outputLayerNorm", c.hiddenSize, epsilon: c.layerNormEpsilon)
        dropout = Dropout(probability: c.hiddenDropoutProbability, generator: source.generator)
    }

    /// The layer applied to a (batch, length, hidden) input, every position attending to every other.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { self(input, attentionMask: nil) }

    /// The layer applied to a (batch, length, hidden) input, with padded positions masked out.
    public func callAsFunction(_ input: Tensor<Scalar>, attentionMask: [[Int]]?) -> Tensor<Scalar> {
        let attended = attentionLayerNorm(input + dropout(attention(input, attentionMask: attentionMask)))
        return outputLayerNorm(attended + dropout(output(activation(intermediate(attended)))))
    }
}

/// BERT's input embeddings: LayerNorm(word + position + token type), then dropout.
public final class BertEmbeddings<Scalar: TensorScalar>: ModuleBase, Module {
    /// One vector per vocabulary entry.
    public let wordEmbeddings: Embedding<Scalar>
    /// One vector per position 0..<maximumPositions.
    public let positionEmbeddings: Embedding<Scalar>
    /// One vector per segment (token type).
    public let tokenTypeEmbeddings: Embedding<Scalar>
    /// The normalization of the sum.
    public let layerNorm: LayerNorm<Scalar>
    /// Dropout after the normalization.
    public let dropout: Dropout<Scalar>

    /// Embeddings of the configured sizes.
    public convenience init(configuration c: BertConfiguration, generator: RandomGenerator = .global) {
        self.init(configuration: c, source: .random(generator), name: "")
    }

    /// Embeddings whose tables come from `source`, named `name`wordEmbeddings.weight, ...
    init(configuration c: BertConfiguration, source: ParameterSource<Scalar>, name: String) {
        wordEmbeddings = source.embedding(
            name + "wordEmbeddings", c.vocabularySize, c.hiddenSize, paddingIndex: c.paddingTokenID)
        positionEmbeddings = source.embedding(name + "positionEmbeddings", c.maximumPositions, c.hiddenSize)
        tokenTypeEmbeddings = source.embedding(name + "tokenTypeEmbeddings", c.tokenTypeCount, c.hiddenSize)
        layerNorm = source.layerNorm(name + "layerNorm", c.hiddenSize, epsilon: c.layerNormEpsilon)
        dropout = Dropout(probability: c.hiddenDropoutProbability, generator: source.generator)
    }

    /// The ids of the tensor, as whole numbers of shape (batch, length), embedded (token type 0).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        require(input.rank == 2, "BertEmbeddings: ids must be (batch, length), got \(input.shape)")
        return self(ids: input.scalars.map { Int($0) }, batch: input.shape[0], length: input.shape[1])
    }

    /// Rows of `length` ids (row-major, `batch` of them) embedded, all of token type 0: (batch, length, hidden).
    public func callAsFunction(ids: [Int], batch: Int, length: Int, tokenTypes: [Int]? = nil) -> Tensor<Scalar> {
        require(
            length <= positionEmbeddings.weight.shape[0],
            "BertEmbeddings: \(length) tokens exceed the \(positionEmbeddings.weight.shape[0]) positions")
        let positions = positionEmbeddings(ids: Array(0..<length), shape: [1, length])
        let types = tokenTypeEmbeddings(
            ids: tokenTypes ?? [Int](repeating: 0, count: ids.count), shape: [batch, length])
        return dropout(layerNorm(wordEmbeddings(ids: ids, shape: [batch, length]) + positions + types))
    }
}

/// A stack of BERT layers applied in order.
public final class BertEncoder<Scalar: TensorScalar>: ModuleBase, Module {
    /// The layers, first to last.
    public let layers: [BertLayer<Scalar>]

    /// `configuration.hiddenLayerCount` layers.
    public convenience init(configuration: BertConfiguration, generator: RandomGenerator = .global) {
        self.init(configuration: configuration, source: .random(generator), name: "")
    }

    /// Layers whose parameters come from `source`, named `name`layers.0.attention.query.weight, ...
    init(configuration: BertConfiguration, source: ParameterSource<Scalar>, name: String) {
        layers = (0..<configuration.hiddenLayerCount).map {
            BertLayer(configuration: configuration, source: source, name: name + "layers.\($0).")
        }
    }

    /// The layers, named "layers.0", "layers.1", ...
    public var namedChildren: [(name: String, module: any Module<Scalar>)] {
        layers.enumerated().map { ("layers.\($0.offset)", $0.element) }
    }

    /// Every layer applied to a (batch, length, hidden) input without a mask.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { self(input, attentionMask: nil) }

    /// Every layer applied in turn, with padded positions masked out. Without a graph to record, with no
    /// dropout active and the exact GELU, the layers run fused on shared buffers (`EncoderInference`, the
    /// same values in fewer passes over memory).
    public func callAsFunction(_ input: Tensor<Scalar>, attentionMask: [[Int]]?) -> Tensor<Scalar> {
        if EncoderInference.applies(to: layers, input: input) {
            return EncoderInference(layers: layers, shape: input.shape)(input, attentionMask: attentionMask)
        }
        return layers.reduce(input) { $1($0, attentionMask: attentionMask) }
    }
}
