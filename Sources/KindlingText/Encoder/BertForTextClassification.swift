import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform

/// A pretrained BERT encoder with a new classification head, as in the article on initialization in
/// practice: the sentence representation (the mean of the last hidden states over the tokens, L2
/// normalized, as sentence-transformers pools all-MiniLM-L6-v2), dropout, then `Linear(hidden, labels)`.
///
/// The encoder is frozen: its parameters require no gradient and its forward pass records no graph,
/// so only the head trains, and the encoder's features can be computed once (`features(of:tokenizer:)`)
/// and reused every epoch. As a `Module`, the model maps such features to logits.
///
/// ```swift
/// let model = BertForTextClassification(encoder: try BertModel<Float>.load(from: folder), labelCount: 4)
/// model.classifier.initializeWeights(.xavier)        // Xavier uniform weight, zero bias
/// let features = model.features(of: texts, tokenizer: tokenizer)
/// let logits = model(features)                       // (texts, 4)
/// ```
public final class BertForTextClassification<Scalar: TensorScalar>: ModuleBase, Module {
    /// The pretrained encoder (frozen).
    public let bert: BertModel<Scalar>
    /// Dropout on the pooled representation.
    public let dropout: Dropout<Scalar>
    /// The new head, hidden -> labelCount.
    public let classifier: Linear<Scalar>

    /// The encoder frozen, with a head of `labelCount` outputs (PyTorch's default initialization until
    /// `classifier.initializeWeights` is called) and dropout `dropoutProbability` before it.
    public init(
        encoder: BertModel<Scalar>, labelCount: Int, dropoutProbability: Double = 0.1,
        generator: RandomGenerator = .global
    ) {
        require(labelCount >= 2, "BertForTextClassification: needs at least 2 labels, got \(labelCount)")
        bert = encoder
        encoder.freeze()
        dropout = Dropout(probability: dropoutProbability, generator: generator)
        classifier = Linear(encoder.configuration.hiddenSize, labelCount, generator: generator)
    }

    /// The frozen encoder's sentence representations of `texts`, (texts, hidden), computed without a
    /// graph in evaluation mode.
    public func features(of texts: [String], tokenizer: WordPieceTokenizer, batchSize: Int = 32) -> Tensor<Scalar> {
        sentenceEmbeddings(texts, model: bert, tokenizer: tokenizer, batchSize: batchSize)
    }

    /// Logits (rows, labels) of precomputed features (rows, hidden): classifier(dropout(features)).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { classifier(dropout(input)) }

    /// Logits of texts, through the frozen encoder.
    public func callAsFunction(texts: [String], tokenizer: WordPieceTokenizer) -> Tensor<Scalar> {
        self(features(of: texts, tokenizer: tokenizer))
    }

    /// The state dictionary with Hugging Face's BertForSequenceClassification keys: `classifier.weight`,
    /// `classifier.bias` and, when `includingEncoder`, `bert.embeddings...`, `bert.encoder.layer...`.
    public func huggingFaceStateDictionary(includingEncoder: Bool) -> [(key: String, value: Tensor<Scalar>)] {
        let head = classifier.stateDictionary.map { (key: "classifier.\($0.key)", value: $0.value) }
        guard includingEncoder else { return head }
        return bert.stateDictionary.map {
            (key: "bert." + BertModel<Scalar>.huggingFaceKey(for: $0.key), value: $0.value)
        } + head
    }
}
