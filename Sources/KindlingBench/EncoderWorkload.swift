import Foundation
import Kindling

extension Workload {
    /// See `EncoderWorkload`.
    static let encoder = Workload(
        name: "encoder",
        summary:
            "all-MiniLM-L6-v2 forward (6 layers, hidden 384), batch 32 x sequence 64, Float, no graph: 2 + 5 passes",
        run: EncoderWorkload.run)
}

/// Forward passes of all-MiniLM-L6-v2 (the folder in $KINDLING_ENCODER, which Scripts/bench sets from
/// Scripts/fetch-encoder) in Float without a graph, on one batch of 32 sequences of 64 token ids drawn
/// uniformly from 1000..<30000, every position attended. 2 warm-up passes, then 5 timed; reports
/// sentences_per_second. Reference: reference_workloads.py encoder (transformers' BertModel, eager
/// attention, torch.no_grad).
enum EncoderWorkload {
    static func run(options: BenchmarkOptions) throws {
        try options.rejectUnknown([])
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
        let passes = 5
        for _ in 0..<warmUp { _ = withoutGradient { model(tokens) } }
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<passes { _ = withoutGradient { model(tokens) } }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        printProcessResult(
            workload: "encoder", seconds: elapsed, steps: passes,
            extra: ["sentences_per_second": Double(passes * batch) / elapsed])
    }
}
