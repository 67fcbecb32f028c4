import Foundation
import Kindling

extension Workload {
    /// See `EncoderWorkload`.
    static let encoder = Workload(
        name: "encoder",
        summary:
            "all-MiniLM-L6-v2 forward (6 layers, hidden 384), batch 32 x sequence 64, Float, no graph: 2 + 5 passes "
            + "(--passes N), and the GEMM bound",
        run: EncoderWorkload.run)
}

/// Forward passes of all-MiniLM-L6-v2 (the folder in $KINDLING_ENCODER, which Scripts/bench sets from
/// Scripts/fetch-encoder) in Float without a graph, on one batch of 32 sequences of 64 token ids drawn
/// uniformly from 1000..<30000, every position attended. 2 warm-up passes, then 5 timed (`--passes`);
/// reports sentences_per_second. References: reference_workloads.py encoder (transformers' BertModel,
/// eager attention), encoder-sdpa (its default attention) and encoder-onnxruntime, all without gradients.
///
/// Beside it, the GEMM bound: the same process times the pass's matrix products alone (`GEMMPass`) and
/// reports gemm_gflop_per_pass, gemm_gflops (their rate) and gemm_bound_passes_per_second (the passes per
/// second if everything but the products took no time), which Scripts/benchmarks/summarize.py prints
/// under the table with the share of it that the passes reach; and the CPU's multiply-add peak
/// (multiply_add_peak_gflops), the ceiling of every engine on the same FLOPs.
enum EncoderWorkload {
    static func run(options: BenchmarkOptions) throws {
        try options.rejectUnknown(["passes"])
        guard let path = ProcessInfo.processInfo.environment["KINDLING_ENCODER"] else {
            throw BenchmarkError(
                "set KINDLING_ENCODER to the all-MiniLM-L6-v2 folder (Scripts/fetch-encoder prints it)")
        }
        let model = try BertModel<Float>.load(from: URL(fileURLWithPath: path))
        model.eval()
        let (batch, length) = (32, 64)
        let generator = RandomGenerator(seed: 0)
        let ids = (0..<batch).map { _ in (0..<length).map { _ in generator.randint(low: 1000, high: 30000) } }
        let tokens = TokenBatch(ids: ids, attentionMask: ids.map { $0.map { _ in 1 } })
        let warmUp = 2
        let passes = try options.integer("passes", default: 5)
        for _ in 0..<warmUp { _ = withoutGradient { model(tokens) } }
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<passes { _ = withoutGradient { model(tokens) } }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var products = GEMMPass(configuration: model.configuration, batch: batch, length: length)
        let gemmSeconds = products.fastestSeconds(of: 3)
        printProcessResult(
            workload: "encoder", seconds: elapsed, steps: passes,
            extra: [
                "sentences_per_second": Double(passes * batch) / elapsed,
                "gemm_gflop_per_pass": products.flops / 1e9, "gemm_gflops": products.flops / gemmSeconds / 1e9,
                "gemm_bound_passes_per_second": 1 / gemmSeconds,
                "multiply_add_peak_gflops": multiplyAddPeakGFLOPS(),
            ])
    }
}

/// The matrix products of one inference pass of a BERT encoder, issued as `BertEncoder` issues them without
/// a graph, on buffers of the same shapes: per layer, with n = batch · length rows, H hidden, I intermediate,
/// h heads of d = H / h,
/// - the query, key and value projections as one n × 3H × H product (weight transposed, beta 1);
/// - per (batch, head) pair, the scores Q Kᵀ (length × length × d) and the context P V (length × d × length),
///   reading the heads in place (leading dimensions 3H and H), the pairs spread over the cores, each product
///   on its calling thread;
/// - the attention output n × H × H, the intermediate n × I × H and the output n × H × I (beta 1).
/// Activations are drawn from [-1, 1), weights from [-0.05, 0.05), so that the sums that beta 1 accumulates
/// over the repeats stay far from overflow. FLOPs count 2 per multiply-add: for all-MiniLM-L6-v2 on 32 × 64 tokens, 6 · (2n·H·(3H + H + 2I) +
/// 4·batch·h·length²·d) = 44.7 GFLOP.
struct GEMMPass {
    let rows: Int, hidden: Int, intermediate: Int, layers: Int, batch: Int, length: Int, heads: Int
    var headSize: Int { hidden / heads }
    private var input: [Float], qkvWeight: [Float], qkv: [Float], context: [Float], projected: [Float]
    private var intermediateWeight: [Float], activated: [Float], outputWeight: [Float], scores: [Float]

    init(configuration c: BertConfiguration, batch: Int, length: Int) {
        (rows, hidden, intermediate, layers) = (batch * length, c.hiddenSize, c.intermediateSize, c.hiddenLayerCount)
        (self.batch, self.length, heads) = (batch, length, c.attentionHeadCount)
        let generator = RandomGenerator(seed: 1)
        func values(_ count: Int, _ bound: Double = 1) -> [Float] {
            (0..<count).map { _ in Float(generator.uniform(low: -bound, high: bound)) }
        }
        (input, qkvWeight, qkv) = (values(rows * hidden), values(3 * hidden * hidden, 0.05), values(rows * 3 * hidden))
        (context, projected) = (values(rows * hidden), values(rows * hidden))
        (intermediateWeight, activated) = (values(intermediate * hidden, 0.05), values(rows * intermediate))
        (outputWeight, scores) = (values(hidden * intermediate, 0.05), values(batch * heads * length * length))
    }

    /// Multiply-adds times 2 over the products of one pass.
    var flops: Double {
        let projections = 2.0 * Double(rows * hidden) * Double(3 * hidden + hidden + 2 * intermediate)
        let attention = 4.0 * Double(batch * heads) * Double(length * length * headSize)
        return Double(layers) * (projections + attention)
    }

    /// The fastest of `repeats` timed passes of the products, after one untimed pass.
    mutating func fastestSeconds(of repeats: Int) -> Double {
        run()
        return (0..<repeats).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            run()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }.min()!
    }

    private mutating func run() {
        let (n, h, i, l, d) = (rows, hidden, intermediate, length, headSize)
        let (pairs, heads) = (batch * self.heads, self.heads)
        input.withUnsafeBufferPointer { x in
            qkvWeight.withUnsafeBufferPointer { wqkv in
                intermediateWeight.withUnsafeBufferPointer { w1 in
                    outputWeight.withUnsafeBufferPointer { w2 in
                        qkv.withUnsafeMutableBufferPointer { qkv in
                            context.withUnsafeMutableBufferPointer { context in
                                projected.withUnsafeMutableBufferPointer { projected in
                                    activated.withUnsafeMutableBufferPointer { activated in
                                        scores.withUnsafeMutableBufferPointer { scores in
                                            let (x, wqkv, w1, w2) = (
                                                x.baseAddress!, wqkv.baseAddress!, w1.baseAddress!, w2.baseAddress!
                                            )
                                            let (qkv, context) = (qkv.baseAddress!, context.baseAddress!)
                                            let (projected, activated) = (
                                                projected.baseAddress!, activated.baseAddress!
                                            )
                                            let scores = scores.baseAddress!
                                            for _ in 0..<layers {
                                                BLAS.gemm(
                                                    .none, .transposed, m: n, n: 3 * h, k: h, a: x, b: wqkv,
                                                    beta: 1, c: qkv)
                                                ParallelChunks.forEach(count: pairs, elementsPerItem: l * l * d) {
                                                    range in
                                                    for pair in range {
                                                        let head = (pair / heads) * l * 3 * h + (pair % heads) * d
                                                        let block = scores + pair * l * l
                                                        BLAS.gemm(
                                                            .none, .transposed, m: l, n: l, k: d, a: qkv + head,
                                                            lda: 3 * h, b: qkv + head + h, ldb: 3 * h, c: block)
                                                        BLAS.gemm(
                                                            .none, .none, m: l, n: d, k: l, a: block,
                                                            b: qkv + head + 2 * h, ldb: 3 * h,
                                                            c: context + (pair / heads) * l * h + (pair % heads) * d,
                                                            ldc: h)
                                                    }
                                                }
                                                BLAS.gemm(
                                                    .none, .transposed, m: n, n: h, k: h, a: context, b: wqkv,
                                                    beta: 1, c: projected)
                                                BLAS.gemm(
                                                    .none, .transposed, m: n, n: i, k: h, a: projected, b: w1,
                                                    beta: 1, c: activated)
                                                BLAS.gemm(
                                                    .none, .transposed, m: n, n: h, k: i, a: activated, b: w2,
                                                    beta: 1, c: projected)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
