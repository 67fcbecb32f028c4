import KindlingCore
import KindlingPlatform

/// One result of a semantic search: the document's row in the index and its cosine similarity to the query.
public struct SearchHit: Equatable, Sendable {
    /// The document's row (its position in the corpus that was embedded).
    public let index: Int
    /// cos(query, document), in [-1, 1].
    public let score: Double

    /// A hit for row `index` with similarity `score`.
    public init(index: Int, score: Double) {
        self.index = index
        self.score = score
    }
}

/// A corpus's sentence vectors kept as one (documents, dimension) matrix of unit rows, searched by cosine
/// similarity: every query's scores against every document come from one GEMM, Q̂ Êᵀ (rows divided by
/// their norms), and each query keeps its `top` best documents (ties by the lower index).
///
/// ```swift
/// let encoder = try SentenceEncoder<Float>(folder: folder)
/// let index = SemanticIndex(embeddings: encoder.embed(corpus))
/// for hit in index.search(encoder.embed(["how do cats sleep?"]), top: 3)[0] {
///     print(hit.score, corpus[hit.index])
/// }
/// ```
public struct SemanticIndex<Scalar: TensorScalar> {
    /// The documents' vectors, each divided by its Euclidean norm: (documents, dimension).
    public let embeddings: Tensor<Scalar>

    /// An index over the rows of `embeddings` (normalized here, so that any embeddings will do).
    public init(embeddings: Tensor<Scalar>) {
        require(
            embeddings.rank == 2, "SemanticIndex: embeddings must be (documents, dimension), got \(embeddings.shape)")
        self.embeddings = embeddings.shape[0] == 0 ? embeddings : l2Normalized(embeddings)
    }

    /// The number of documents.
    public var count: Int { embeddings.shape[0] }

    /// For each row of `queries` (queries, dimension), the `top` documents by cosine similarity, best first.
    public func search(_ queries: Tensor<Scalar>, top: Int) -> [[SearchHit]] {
        require(
            queries.rank == 2 && queries.shape[1] == embeddings.shape[1],
            "SemanticIndex.search: queries \(queries.shape) do not have the index's dimension \(embeddings.shape[1])")
        require(top > 0, "SemanticIndex.search: top must be positive, got \(top)")
        guard count > 0 else { return Array(repeating: [], count: queries.shape[0]) }
        let scores = withoutGradient { Tensor.matmul(l2Normalized(queries), embeddings, transposingRight: true) }
        return scores.withUnsafeBufferPointer { scores in
            (0..<queries.shape[0]).map { query in
                let row = UnsafeBufferPointer(rebasing: scores[(query * count)..<((query + 1) * count)])
                return Self.best(row, top: Swift.min(top, count)).map { SearchHit(index: $0, score: Double(row[$0])) }
            }
        }
    }

    /// The indices of the `top` largest values, largest first (ties by the lower index): one pass that
    /// keeps a sorted list of `top` candidates.
    private static func best(_ values: UnsafeBufferPointer<Scalar>, top: Int) -> [Int] {
        var kept: [Int] = []
        kept.reserveCapacity(top + 1)
        for index in values.indices {
            if kept.count == top, let last = kept.last, values[last] >= values[index] { continue }
            var position = kept.count
            while position > 0 && values[kept[position - 1]] < values[index] { position -= 1 }
            kept.insert(index, at: position)
            if kept.count > top { kept.removeLast() }
        }
        return kept
    }
}
