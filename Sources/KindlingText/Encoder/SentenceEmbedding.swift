import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform

/// The mean of hidden states over the real (unpadded) positions, as sentence-transformers' mean pooling:
/// Σ_t mask_t h_t / max(Σ_t mask_t, 1e-9) for (batch, length, hidden) states and a (batch, length) mask.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func meanPooled<Scalar>(_ hidden: Tensor<Scalar>, attentionMask: [[Int]]) -> Tensor<Scalar> {
    require(
        hidden.rank == 3 && attentionMask.count == hidden.shape[0]
            && attentionMask.allSatisfy { $0.count == hidden.shape[1] },
        "meanPooled: mask of \(attentionMask.count) rows of \(attentionMask.first?.count ?? 0) does not fit hidden states \(hidden.shape)"
    )
    let mask = Tensor<Scalar>(
        shape: [hidden.shape[0], hidden.shape[1], 1],
        scalars: attentionMask.flatMap { $0.map { $0 == 0 ? 0 : 1 } })
    let counts = Tensor<Scalar>(
        shape: [hidden.shape[0], 1],
        scalars: attentionMask.map { Scalar(Swift.max(Double($0.reduce(0) { $0 + ($1 == 0 ? 0 : 1) }), 1e-9)) })
    return (hidden * mask).sum(alongAxis: 1) / counts
}

/// Every row divided by its Euclidean norm (at least 1e-12), as `torch.nn.functional.normalize(x, dim=-1)`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func l2Normalized<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    require(x.rank == 2, "l2Normalized: expects (rows, features), got \(x.shape)")
    let norms = x.scalars.withUnsafeBufferPointer { values in
        (0..<x.shape[0]).map { row -> Scalar in
            var total = 0.0
            for j in 0..<x.shape[1] {
                total += Double(values[row * x.shape[1] + j]) * Double(values[row * x.shape[1] + j])
            }
            return Scalar(Swift.max(total.squareRoot(), 1e-12))
        }
    }
    return x / Tensor(shape: [x.shape[0], 1], scalars: norms)
}

/// The cosine similarity of every row of `a` with every row of `b`: (a / |a|)(b / |b|)ᵀ.
public func cosineSimilarities<Scalar: TensorScalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    Tensor.matmul(l2Normalized(a), l2Normalized(b), transposingRight: true)
}

/// Sentence embeddings as sentence-transformers computes them for all-MiniLM-L6-v2: the texts tokenized
/// into one padded batch, the encoder's last hidden states averaged over each text's tokens, then L2
/// normalized (unit rows, so that a dot product is the cosine similarity). No graph is recorded.
///
/// ```swift
/// let embeddings = sentenceEmbeddings(["A cat sat.", "A dog ran."], model: model, tokenizer: tokenizer)
/// cosineSimilarities(embeddings, embeddings)
/// ```
public func sentenceEmbeddings<Scalar>(
    _ texts: [String], model: BertModel<Scalar>, tokenizer: WordPieceTokenizer, batchSize: Int = 32,
    maximumLength: Int? = nil
) -> Tensor<Scalar> {
    require(batchSize > 0, "sentenceEmbeddings: batchSize must be positive, got \(batchSize)")
    let parts = model.withEvaluationMode {
        stride(from: 0, to: texts.count, by: batchSize).map { start in
            withoutGradient {
                let batch = tokenizer.encode(
                    batch: Array(texts[start..<Swift.min(start + batchSize, texts.count)]),
                    maximumLength: Swift.min(
                        maximumLength ?? tokenizer.maximumLength, model.configuration.maximumPositions))
                return l2Normalized(meanPooled(model(batch), attentionMask: batch.attentionMask))
            }
        }
    }
    let hidden = model.configuration.hiddenSize
    return parts.isEmpty ? Tensor(shape: [0, hidden], scalars: []) : Tensor.concatenate(parts, alongAxis: 0)
}
