import KindlingCore
import KindlingPlatform

/// One way of reducing a text's token states to a single vector, as sentence-transformers' `Pooling`
/// module names them (`pooling_mode`). Only the positions whose attention mask is 1 take part.
public enum PoolingMode: String, CaseIterable, Sendable {
    /// The state of the first real token ([CLS]).
    case cls
    /// The largest value of each feature over the tokens.
    case max
    /// Σ_t h_t / max(n, 1e-9) over the n tokens.
    case mean
    /// Σ_t h_t / √max(n, 1e-9): the mean scaled by √n.
    case meanSquareRootLength = "mean_sqrt_len_tokens"
    /// Σ_t t·h_t / Σ_t t with positions t = 1, 2, ... (Muennighoff 2022, SGPT).
    case weightedMean = "weightedmean"
    /// The state of the last real token.
    case lastToken = "lasttoken"
}

/// Sentence vectors from (batch, length, hidden) token states and their (batch, length) attention mask:
/// for each row, the `modes` applied in order and concatenated, (batch, modes.count · hidden), as
/// sentence-transformers' `Pooling` computes them. No graph is recorded.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func pooled<Scalar: TensorScalar>(
    _ hidden: Tensor<Scalar>, attentionMask: [[Int]], modes: [PoolingMode]
) -> Tensor<Scalar> {
    require(
        hidden.rank == 3 && attentionMask.count == hidden.shape[0]
            && attentionMask.allSatisfy { $0.count == hidden.shape[1] },
        "pooled: mask of \(attentionMask.count) rows of \(attentionMask.first?.count ?? 0) does not fit hidden states \(hidden.shape)"
    )
    require(!modes.isEmpty, "pooled: give at least one pooling mode")
    let (batch, length, width) = (hidden.shape[0], hidden.shape[1], hidden.shape[2])
    let outputWidth = modes.count * width
    var output = [Scalar](repeating: 0, count: batch * outputWidth)
    hidden.withUnsafeBufferPointer { states in
        for row in 0..<batch {
            let positions = attentionMask[row].indices.filter { attentionMask[row][$0] != 0 }
            for (index, mode) in modes.enumerated() {
                let out = row * outputWidth + index * width
                func state(_ position: Int) -> UnsafeBufferPointer<Scalar> {
                    UnsafeBufferPointer(rebasing: states[((row * length + position) * width)...].prefix(width))
                }
                func weightedSum(_ weight: (Int) -> Scalar, dividedBy total: Scalar) {
                    for position in positions {
                        let (values, w) = (state(position), weight(position))
                        for j in 0..<width { output[out + j] += values[j] * w }
                    }
                    for j in 0..<width { output[out + j] /= total }
                }
                let count = Scalar(Swift.max(Double(positions.count), 1e-9))
                switch mode {
                case .cls, .lastToken:
                    let chosen = (mode == .cls ? positions.first : positions.last) ?? (mode == .cls ? 0 : length - 1)
                    let scale: Scalar = positions.isEmpty && mode == .lastToken ? 0 : 1
                    for j in 0..<width { output[out + j] = state(chosen)[j] * scale }
                case .max:
                    for j in 0..<width { output[out + j] = -.infinity }
                    for position in positions {
                        let values = state(position)
                        for j in 0..<width { output[out + j] = Swift.max(output[out + j], values[j]) }
                    }
                case .mean: weightedSum({ _ in 1 }, dividedBy: count)
                case .meanSquareRootLength: weightedSum({ _ in 1 }, dividedBy: count.squareRoot())
                case .weightedMean:
                    let total = positions.reduce(0) { $0 + Double($1 + 1) }
                    weightedSum({ Scalar($0 + 1) }, dividedBy: Scalar(Swift.max(total, 1e-9)))
                }
            }
        }
    }
    return Tensor(shape: [batch, outputWidth], scalars: output)
}
