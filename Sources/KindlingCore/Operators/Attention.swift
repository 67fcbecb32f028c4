import KindlingPlatform

/// Scaled dot-product attention (Vaswani et al. 2017) of heads laid side by side in the last axis, as
/// BERT's self-attention computes it after its projections. `query`, `key` and `value` are
/// (batch, length, heads · d); for every batch b and head h, with Q, K, V the columns h·d..<(h+1)·d:
///
///     P = softmax(Q Kᵀ · scale + mask_b),   context[b, :, h·d..<(h+1)·d] = dropout(P) V
///
/// `scale` defaults to 1 / √d. `additiveMask`, when given, holds one row of `length` values per batch
/// (0 for a token, a large negative value for padding), added to every query's scores.
/// `dropoutProbability` > 0 drops attention weights as `dropout(_:probability:training:generator:)`
/// would on P (the same draws from `generator`, in the same order).
///
/// The heads are read and written in place through GEMM's leading dimensions, with no copies into a
/// (batch, heads, length, d) layout, and the (batch, head) pairs are spread over the cores. The backward
/// pass, with P' = dropout(P) and G the gradient of the context: dV = P'ᵀ G, dP = (G Vᵀ) ⊙ mask/(1-p),
/// dS = scale · P ⊙ (dP - rowsum(dP ⊙ P)), dQ = dS K, dK = dSᵀ Q.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func multiHeadAttention<Scalar>(
    query: Tensor<Scalar>, key: Tensor<Scalar>, value: Tensor<Scalar>, headCount: Int, scale: Double? = nil,
    additiveMask: Tensor<Scalar>? = nil, dropoutProbability: Double = 0, generator: RandomGenerator = .global
) -> Tensor<Scalar> {
    require(
        query.rank == 3 && key.shape == query.shape && value.shape == query.shape,
        "multiHeadAttention: query, key and value must share one (batch, length, hidden) shape, got \(query.shape), \(key.shape), \(value.shape)"
    )
    let (batch, length, hidden) = (query.shape[0], query.shape[1], query.shape[2])
    require(
        headCount > 0 && hidden % headCount == 0,
        "multiHeadAttention: hidden size \(hidden) is not a multiple of \(headCount) heads")
    if let additiveMask {
        require(
            additiveMask.shape == [batch, length],
            "multiHeadAttention: the additive mask must be [\(batch), \(length)], got \(additiveMask.shape)")
    }
    let layout = AttentionLayout(
        batch: batch, length: length, hidden: hidden, headCount: headCount,
        scale: scale ?? 1 / Double(hidden / headCount).squareRoot())
    let recording = Tensor.recording([query, key, value])
    let probabilities = layout.probabilities(query.scalars, key.scalars, mask: additiveMask?.scalars)
    let keptScale: [Scalar]? = dropoutMask(
        count: probabilities.count, probability: dropoutProbability, generator: generator)
    let weights = keptScale.map { Kernels.zip(probabilities, $0, *) } ?? probabilities
    let context = layout.context(weights, value.scalars)
    let result = Tensor(shape: query.shape, scalars: context)
    guard recording else { return result }
    let (q, k, v) = (query.scalars, key.scalars, value.scalars)
    let needed = (query.requiresGradient, key.requiresGradient, value.requiresGradient)
    return Tensor.record("multiHeadAttention", result, inputs: [query, key, value]) { gradient in
        let g = gradient.scalars
        let (dQ, dK, dV) = layout.gradients(
            g, q: q, k: k, v: v, probabilities: probabilities, weights: weights,
            keptScale: keptScale)
        return [
            needed.0 ? Tensor(shape: query.shape, scalars: dQ) : nil,
            needed.1 ? Tensor(shape: key.shape, scalars: dK) : nil,
            needed.2 ? Tensor(shape: value.shape, scalars: dV) : nil,
        ]
    }
}

/// The sizes of one `multiHeadAttention` call and its per-(batch, head) GEMMs on the interleaved layout.
private struct AttentionLayout {
    package let batch: Int, length: Int, hidden: Int, headCount: Int, scale: Double
    var headSize: Int { hidden / headCount }
    /// The number of (batch, head) pairs.
    package var pairs: Int { batch * headCount }
    /// Where head h of batch b starts in a (batch, length, hidden) buffer (rows `hidden` apart).
    func headOffset(_ pair: Int) -> Int { (pair / headCount) * length * hidden + (pair % headCount) * headSize }
    /// Where pair p's length × length block starts in a (batch, heads, length, length) buffer.
    func blockOffset(_ pair: Int) -> Int { pair * length * length }

    /// Runs `body` for every (batch, head) pair, the pairs split over the cores.
    func forEachPair(_ body: (Int) -> Void) {
        ParallelChunks.forEach(count: pairs, elementsPerItem: length * length * headSize) { range in
            for pair in range { body(pair) }
        }
    }

    /// The query rows that one forward GEMM of a pair computes: as many as keep its multiply-adds
    /// (rows × length × d) within 262,144, below which OpenBLAS runs a product on the calling thread
    /// (65,536 × its GEMM_MULTITHREAD_THRESHOLD of 4). Longer sequences are cut into row blocks, and the
    /// blocks, not OpenBLAS's own threads, are spread over the cores: each core runs single-threaded
    /// products instead of every product being split between threads that the other cores also want.
    var rowsPerBlock: Int { Swift.max(1, Swift.min(length, 262_144 / Swift.max(1, length * headSize))) }

    /// Runs `body` for every (pair, block of query rows), the blocks split over the cores.
    func forEachRowBlock(_ body: (_ pair: Int, _ rows: Range<Int>) -> Void) {
        let rows = rowsPerBlock
        let blocks = (length + rows - 1) / rows
        ParallelChunks.forEach(count: pairs * blocks, elementsPerItem: rows * length * headSize) { range in
            for item in range {
                let start = (item % blocks) * rows
                body(item / blocks, start..<Swift.min(start + rows, length))
            }
        }
    }

    /// softmax(Q Kᵀ · scale + mask) for every pair: (batch, heads, length, length), by blocks of query rows.
    package func probabilities<S: TensorScalar>(_ q: [S], _ k: [S], mask: [S]?) -> [S] {
        [S](unsafeUninitializedCapacity: pairs * length * length) { p, initialized in
            q.withUnsafeBufferPointer { q in
                k.withUnsafeBufferPointer { k in
                    mask.withBaseAddress { mask in
                        guard let q = q.baseAddress, let k = k.baseAddress, let p = p.baseAddress else { return }
                        forEachRowBlock { pair, rows in
                            let scores = p + blockOffset(pair) + rows.lowerBound * length
                            if headSize == 0 {
                                scores.initialize(repeating: 0, count: rows.count * length)
                            } else {
                                BLAS.gemm(
                                    .none, .transposed, m: rows.count, n: length, k: headSize,
                                    a: q + headOffset(pair) + rows.lowerBound * hidden, lda: hidden,
                                    b: k + headOffset(pair), ldb: hidden, c: scores, ldc: length)
                            }
                            S.softmaxRows(
                                scores, into: scores, rows: rows.count, width: length, scale: S(scale),
                                bias: mask.map { $0 + (pair / headCount) * length }, rowsPerBias: rows.count)
                        }
                    }
                }
            }
            initialized = pairs * length * length
        }
    }

    /// P' V for every pair, written into the heads' columns: (batch, length, hidden), by blocks of rows.
    package func context<S: TensorScalar>(_ weights: [S], _ v: [S]) -> [S] {
        [S](unsafeUninitializedCapacity: batch * length * hidden) { c, initialized in
            weights.withUnsafeBufferPointer { w in
                v.withUnsafeBufferPointer { v in
                    guard let w = w.baseAddress, let v = v.baseAddress, let c = c.baseAddress else { return }
                    forEachRowBlock { pair, rows in
                        BLAS.gemm(
                            .none, .none, m: rows.count, n: headSize, k: length,
                            a: w + blockOffset(pair) + rows.lowerBound * length, lda: length,
                            b: v + headOffset(pair), ldb: hidden, c: c + headOffset(pair) + rows.lowerBound * hidden,
                            ldc: hidden)
                    }
                }
            }
            initialized = batch * length * hidden
        }
    }

    /// out (length × d, rows `hidden` apart) = op(block) · head, op transposing the length × length block
    /// when asked, head a length × d slice with rows `hidden` apart.
    private func product<S: TensorScalar>(
        _ block: UnsafePointer<S>, _ transposed: Bool, _ head: UnsafePointer<S>,
        into out: UnsafeMutablePointer<S>
    ) {
        BLAS.gemm(
            transposed ? .transposed : .none, .none, m: length, n: headSize, k: length,
            a: block, lda: length, b: head, ldb: hidden, c: out, ldc: hidden)
    }

    /// dQ, dK, dV from the context's gradient (see `multiHeadAttention`).
    package func gradients<S: TensorScalar>(
        _ g: [S], q: [S], k: [S], v: [S], probabilities: [S], weights: [S],
        keptScale: [S]?
    ) -> ([S], [S], [S]) {
        let count = batch * length * hidden
        var (dQ, dK, dV) = (
            [S](repeating: 0, count: count), [S](repeating: 0, count: count), [S](repeating: 0, count: count)
        )
        var scores = [S](repeating: 0, count: pairs * length * length)
        guard count > 0 else { return (dQ, dK, dV) }
        Self.withBaseAddresses([g, q, k, v, probabilities, weights] + (keptScale.map { [$0] } ?? [])) { inputs in
            let (g, q, k, v, p, w) = (inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5])
            let kept = inputs.count > 6 ? inputs[6] : nil
            dQ.withUnsafeMutableBufferPointer { dQ in
                dK.withUnsafeMutableBufferPointer { dK in
                    dV.withUnsafeMutableBufferPointer { dV in
                        scores.withUnsafeMutableBufferPointer { dS in
                            let (dQ, dK, dV, dS) = (dQ.baseAddress!, dK.baseAddress!, dV.baseAddress!, dS.baseAddress!)
                            forEachPair { pair in
                                let head = headOffset(pair)
                                let block = blockOffset(pair)
                                let d = dS + block
                                product(w + block, true, g + head, into: dV + head)
                                BLAS.gemm(
                                    .none, .transposed, m: length, n: length, k: headSize,
                                    a: g + head, lda: hidden, b: v + head, ldb: hidden, c: d, ldc: length)
                                for row in 0..<length {
                                    let start = row * length
                                    let (line, probability) = (d + start, p + block + start)
                                    if let kept { for j in 0..<length { line[j] *= kept[block + start + j] } }
                                    var total: S = 0
                                    for j in 0..<length { total += line[j] * probability[j] }
                                    for j in 0..<length { line[j] = S(scale) * probability[j] * (line[j] - total) }
                                }
                                product(d, false, k + head, into: dQ + head)
                                product(d, true, q + head, into: dK + head)
                            }
                        }
                    }
                }
            }
        }
        return (dQ, dK, dV)
    }

    /// `body` with the base addresses of non-empty arrays, in order.
    static func withBaseAddresses<S, R>(
        _ arrays: [[S]], _ addresses: [UnsafePointer<S>] = [],
        _ body: ([UnsafePointer<S>]) -> R
    ) -> R {
        guard let first = arrays.first else { return body(addresses) }
        return first.withUnsafeBufferPointer {
            withBaseAddresses(Array(arrays.dropFirst()), addresses + [$0.baseAddress!], body)
        }
    }
}
