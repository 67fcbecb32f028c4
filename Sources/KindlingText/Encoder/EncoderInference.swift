import KindlingCore
import KindlingNN
import KindlingPlatform

/// BERT's encoder layers computed without a graph, on buffers that every layer reuses: the same arithmetic
/// as the modules (`BertLayer.callAsFunction`), in fewer passes over memory.
///
/// Per layer, with x the (n = batch · length, H) input:
/// 1. the query, key and value projections as one product with the three weights stacked, (n, 3H) =
///    x [W_q; W_k; W_v]ᵀ + [b_q; b_k; b_v] (the bias rows copied into the output first, beta 1);
/// 2. for every (batch, head) pair, in blocks of query rows spread over the cores: the scores Q Kᵀ read in
///    place from the stacked projections (leading dimension 3H) into a block that stays in cache,
///    softmax(scores / √d + mask) by the scalar type's kernel, and P V written into the head's columns;
/// 3. LayerNorm(x + context W_oᵀ + b_o), the residual added row by row just before the row is normalized;
/// 4. GELU(h W₁ᵀ + b₁) into the intermediate buffer, then LayerNorm(h + GELU(...) W₂ᵀ + b₂) likewise.
/// Every sum is the modules' own, in the same order (bias + product, then + residual), and softmax, layer
/// norm and GELU are the same kernels (`VectorKernelScalar`), so Float and Double give the modules' values.
/// Used when no parameter or input records a graph, no dropout is active and the activation is the exact
/// GELU; otherwise the modules run.
struct EncoderInference<Scalar: TensorScalar> {
    let layers: [BertLayer<Scalar>]
    let batch: Int, length: Int, hidden: Int, intermediate: Int, heads: Int

    /// Whether `layers` may run fused on `input`: see the type's description.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func applies(to layers: [BertLayer<Scalar>], input: Tensor<Scalar>) -> Bool {
        guard input.rank == 3, input.count > 0, let first = layers.first,
            input.shape[2] == first.attention.query.inFeatures
        else {
            return false
        }
        return layers.allSatisfy { layer in
            let dropouts = [layer.dropout, layer.attention.dropout]
            return layer.activation.approximation == .none
                && dropouts.allSatisfy { !$0.isTraining || $0.probability == 0 }
                && (!GradientMode.isEnabled || !Tensor.recording([input] + layer.parameters.map(\.value)))
        }
    }

    init(layers: [BertLayer<Scalar>], shape: [Int]) {
        self.layers = layers
        (batch, length, hidden) = (shape[0], shape[1], shape[2])
        intermediate = layers[0].intermediate.outFeatures
        heads = layers[0].attention.headCount
    }

    /// The most tokens that go through the layers together. Sequences do not interact, so a larger batch runs
    /// in groups of whole sequences, each group through every layer before the next: the working memory is one
    /// group's (8 hidden and 2 intermediate vectors per token: 50 MB for all-MiniLM-L6-v2 in Float), however
    /// long the batch, and each product still has rows enough to run at full speed.
    static var tokensPerGroup: Int { 2048 }

    /// The layers applied to `input` in turn, positions where `attentionMask` is 0 masked out as
    /// `MultiHeadSelfAttention` does (nil, or all 1: every position attended, and no mask added).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func callAsFunction(_ input: Tensor<Scalar>, attentionMask: [[Int]]?) -> Tensor<Scalar> {
        let sequencesPerGroup = Swift.max(1, Self.tokensPerGroup / length)
        let tokenValues = length * hidden
        let scalars = [Scalar](unsafeUninitializedCapacity: input.count) { output, initialized in
            input.scalars.withUnsafeBufferPointer { input in
                for first in stride(from: 0, to: batch, by: sequencesPerGroup) {
                    let last = Swift.min(batch, first + sequencesPerGroup)
                    EncoderInference(layers: layers, shape: [last - first, length, hidden]).pass(
                        input.baseAddress! + first * tokenValues,
                        attentionMask: attentionMask.map { Array($0[first..<last]) },
                        into: output.baseAddress! + first * tokenValues)
                }
            }
            initialized = input.count
        }
        return Tensor(shape: input.shape, scalars: scalars)
    }

    /// The layers applied to the `batch` sequences at `input`, written to `output`.
    private func pass(
        _ input: UnsafePointer<Scalar>, attentionMask: [[Int]]?, into output: UnsafeMutablePointer<Scalar>
    ) {
        let n = batch * length
        var buffers = Buffers(rows: n, hidden: hidden, intermediate: intermediate)
        defer { buffers.deallocate() }
        buffers.current.update(from: input, count: n * hidden)
        let mask = attentionMask.map { MultiHeadSelfAttention<Scalar>.additiveMask($0, batch: batch, length: length) }
        // The products' rows are split between the cores here, each share one single-threaded GEMM: OpenBLAS's
        // own threads would spin (sched_yield) while Kindling's threads run attention and the element-wise
        // work, which cost about 9% of a pass of all-MiniLM-L6-v2 on 2 cores.
        let run = { (mask: UnsafePointer<Scalar>?) in
            BLASThreading.singleThreaded {
                for layer in layers {
                    self.layer(layer, buffers, mask: mask)
                    (buffers.current, buffers.next) = (buffers.next, buffers.current)
                }
            }
        }
        if let mask, mask.scalars.contains(where: { $0 != 0 }) {
            mask.scalars.withUnsafeBufferPointer { run($0.baseAddress) }
        } else {
            run(nil)
        }
        output.update(from: buffers.current, count: n * hidden)
    }

    /// The working memory of a pass: `current` holds a layer's input and `next` receives its output.
    struct Buffers {
        var current: UnsafeMutablePointer<Scalar>, next: UnsafeMutablePointer<Scalar>
        let stackedWeight: UnsafeMutablePointer<Scalar>, stackedBias: UnsafeMutablePointer<Scalar>
        let projections: UnsafeMutablePointer<Scalar>, context: UnsafeMutablePointer<Scalar>
        let sum: UnsafeMutablePointer<Scalar>, attended: UnsafeMutablePointer<Scalar>
        let expanded: UnsafeMutablePointer<Scalar>, activated: UnsafeMutablePointer<Scalar>

        init(rows n: Int, hidden h: Int, intermediate i: Int) {
            func buffer(_ count: Int) -> UnsafeMutablePointer<Scalar> { .allocate(capacity: Swift.max(1, count)) }
            (current, next, stackedWeight, stackedBias) = (
                buffer(n * h), buffer(n * h), buffer(3 * h * h), buffer(3 * h)
            )
            (projections, context, sum, attended) = (buffer(n * 3 * h), buffer(n * h), buffer(n * h), buffer(n * h))
            (expanded, activated) = (buffer(n * i), buffer(n * i))
        }

        func deallocate() {
            for pointer in [current, next, stackedWeight, stackedBias, projections, context, sum, attended, expanded] {
                pointer.deallocate()
            }
            activated.deallocate()
        }
    }

    private func layer(_ layer: BertLayer<Scalar>, _ b: Buffers, mask: UnsafePointer<Scalar>?) {
        let (n, h) = (batch * length, hidden)
        let attention = layer.attention
        for (index, projection) in [attention.query, attention.key, attention.value].enumerated() {
            projection.weight.value.scalars.withUnsafeBufferPointer {
                (b.stackedWeight + index * h * h).update(from: $0.baseAddress!, count: h * h)
            }
            if let bias = projection.bias {
                bias.value.scalars.withUnsafeBufferPointer {
                    (b.stackedBias + index * h).update(from: $0.baseAddress!, count: h)
                }
            } else {
                (b.stackedBias + index * h).update(repeating: 0, count: h)
            }
        }
        Self.affine(
            b.current, weight: b.stackedWeight, bias: b.stackedBias, rows: n, in: h, out: 3 * h, into: b.projections)
        attend(b.projections, mask: mask, into: b.context)
        Self.linear(attention.output, b.context, rows: n, into: b.sum)
        Self.addAndNormalize(b.sum, residual: b.current, layer.attentionLayerNorm, rows: n, into: b.attended)
        Self.linear(layer.intermediate, b.attended, rows: n, into: b.expanded)
        let i = intermediate
        ParallelChunks.forEach(count: n, elementsPerItem: i) { range in
            let start = range.lowerBound * i
            Scalar.applyGELU(b.expanded + start, into: b.activated + start, count: range.count * i)
        }
        Self.linear(layer.output, b.activated, rows: n, into: b.sum)
        Self.addAndNormalize(b.sum, residual: b.attended, layer.outputLayerNorm, rows: n, into: b.next)
    }

    /// softmax(Q Kᵀ / √d + mask) V for every (batch, head) pair of the stacked projections (rows 3H long),
    /// into the heads' columns of `context`, in blocks of query rows. A block's product stays below
    /// 262,144 multiply-adds (rows × length × d), under which OpenBLAS runs on the calling thread: the blocks,
    /// not OpenBLAS's threads, are spread over the cores (see `multiHeadAttention`).
    private func attend(
        _ projections: UnsafeMutablePointer<Scalar>, mask: UnsafePointer<Scalar>?,
        into context: UnsafeMutablePointer<Scalar>
    ) {
        let (h, d, l) = (hidden, hidden / heads, length)
        let stride = 3 * h
        let scale = Scalar(1 / Double(d).squareRoot())
        let rowsPerBlock = Swift.max(1, Swift.min(l, 262_144 / Swift.max(1, l * d)))
        let blocks = (l + rowsPerBlock - 1) / rowsPerBlock
        ParallelChunks.forEach(count: batch * heads * blocks, elementsPerItem: rowsPerBlock * l * d) { range in
            let scores = UnsafeMutablePointer<Scalar>.allocate(capacity: rowsPerBlock * l)
            defer { scores.deallocate() }
            for item in range {
                let (pair, first) = (item / blocks, (item % blocks) * rowsPerBlock)
                let rows = Swift.min(rowsPerBlock, l - first)
                let (sequence, head) = (pair / heads, pair % heads)
                let q = projections + (sequence * l + first) * stride + head * d
                let k = projections + sequence * l * stride + h + head * d
                if d == 0 {
                    scores.initialize(repeating: 0, count: rows * l)
                } else {
                    BLAS.gemm(
                        .none, .transposed, m: rows, n: l, k: d, a: q, lda: stride, b: k, ldb: stride, c: scores,
                        ldc: l)
                }
                Scalar.softmaxRows(
                    scores, into: scores, rows: rows, width: l, scale: scale, bias: mask.map { $0 + sequence * l },
                    rowsPerBias: rows)
                BLAS.gemm(
                    .none, .none, m: rows, n: d, k: l, a: scores, lda: l, b: k + h, ldb: stride,
                    c: context + (sequence * l + first) * h + head * d, ldc: h)
            }
        }
    }

    /// `linear`'s x Wᵀ + b on raw rows, into `output`.
    private static func linear(
        _ module: Linear<Scalar>, _ x: UnsafePointer<Scalar>, rows: Int, into output: UnsafeMutablePointer<Scalar>
    ) {
        module.weight.value.scalars.withUnsafeBufferPointer { weight in
            let bias = module.bias?.value.scalars ?? [Scalar](repeating: 0, count: module.outFeatures)
            bias.withUnsafeBufferPointer { bias in
                affine(
                    x, weight: weight.baseAddress!, bias: bias.baseAddress!, rows: rows, in: module.inFeatures,
                    out: module.outFeatures, into: output)
            }
        }
    }

    /// output = x Wᵀ + b for `rows` rows: the rows split between the cores, each share's bias copied into
    /// its rows and then one GEMM with beta 1, as `linear` computes it (a row's values do not depend on the
    /// split).
    private static func affine(
        _ x: UnsafePointer<Scalar>, weight: UnsafePointer<Scalar>, bias: UnsafePointer<Scalar>, rows: Int,
        in inFeatures: Int, out outFeatures: Int, into output: UnsafeMutablePointer<Scalar>
    ) {
        ParallelChunks.forEach(count: rows, elementsPerItem: outFeatures * inFeatures) { range in
            for row in range { (output + row * outFeatures).update(from: bias, count: outFeatures) }
            BLAS.gemm(
                .none, .transposed, m: range.count, n: outFeatures, k: inFeatures, a: x + range.lowerBound * inFeatures,
                b: weight, beta: 1, c: output + range.lowerBound * outFeatures)
        }
    }

    /// LayerNorm(residual + sum) row by row over the cores, the sum formed in `sum` (by a vectorized axpy with
    /// alpha 1, one rounding per value as in `+`) just before its row is normalized, while it is in cache.
    private static func addAndNormalize(
        _ sum: UnsafeMutablePointer<Scalar>, residual: UnsafePointer<Scalar>, _ norm: LayerNorm<Scalar>, rows: Int,
        into output: UnsafeMutablePointer<Scalar>
    ) {
        let width = norm.weight.value.shape[0]
        norm.weight.value.scalars.withUnsafeBufferPointer { weight in
            norm.bias.value.scalars.withUnsafeBufferPointer { bias in
                let (weight, bias) = (weight.baseAddress!, bias.baseAddress!)
                ParallelChunks.forEach(count: rows, elementsPerItem: width) { range in
                    for row in range {
                        let (line, start) = (sum + row * width, row * width)
                        BLAS.axpy(count: width, alpha: 1, x: residual + start, y: line)
                        Scalar.layerNormRows(
                            line, weight: weight, bias: bias, into: output + start, normalized: nil,
                            inverseDeviations: nil, rows: 1, width: width, epsilon: norm.epsilon)
                    }
                }
            }
        }
    }
}
