import Foundation
import Kindling
import KindlingDistributed

extension Workload {
    /// See `DistributedWorkload`.
    static let distributed = Workload(
        name: "distributed",
        summary:
            "mlp-sgd's training step data-parallel: the batch of 256 split among the ranks of mpirun (or 1 process): 5 + 40 steps (--steps N)",
        run: { try DistributedWorkload.run(options: $0) })
}

/// The mlp-sgd workload's step (784-1024-1024-10 ReLU MLP, Float, SGD with momentum) trained data-parallel:
/// under `mpirun -np N` each rank takes 256 / N rows of the batch and the gradients are averaged by
/// `DataParallel`; started alone, the same step on all 256 rows. Scripts/bench runs it as 2 ranks with
/// 1 OpenBLAS thread each against 1 process with 2 threads. Rank 0 prints the steps per second, the share of
/// a step spent waiting in `synchronizeGradients()` (the allreduce time that backward did not hide), the
/// gradient bytes each rank sends per step, and the bandwidth of one allreduce of that size measured alone.
enum DistributedWorkload {
    static func run(options: BenchmarkOptions) throws {
        try options.rejectUnknown(["steps"])
        let steps = try options.integer("steps", default: 40)
        let world = Communicator.isLaunchedByMPI ? try Communicator.world() : nil
        let ranks = world?.size ?? 1
        let rank = world?.rank ?? 0
        guard 256 % ranks == 0 else {
            throw DistributedError("distributed: 256 rows do not split among \(ranks) ranks")
        }
        let generator = RandomGenerator(seed: 0)
        let model = Sequential<Float>(
            Linear(784, 1024, generator: generator), ReLU(),
            Linear(1024, 1024, generator: generator), ReLU(),
            Linear(1024, 10, generator: generator))
        let input = Tensor<Float>.randn([256, 784], generator: generator)
        let labels = (0..<256).map { _ in generator.randint(low: 0, high: 10) }
        let rows = Array((rank * 256 / ranks)..<((rank + 1) * 256 / ranks))
        let batch = input.gatheringRows(rows)
        let batchLabels = rows.map { labels[$0] }
        let parallel = try world.map { try DataParallel(model, communicator: $0) }
        let optimizer = try SGD(model.parameters, learningRate: 0.01, momentum: 0.9)
        var waiting = 0.0
        let step: () throws -> Void = {
            optimizer.zeroGradients()
            crossEntropy(model(batch), classIndices: batchLabels).backward()
            if let parallel {
                let start = DispatchTime.now().uptimeNanoseconds
                try parallel.synchronizeGradients()
                waiting += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            }
            optimizer.step()
        }
        for _ in 0..<5 { try step() }
        try world?.barrier()
        waiting = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps { try step() }
        try world?.barrier()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let gradientBytes = model.parameters.reduce(0) { $0 + $1.shape.reduce(1, *) } * MemoryLayout<Float>.size
        var allreduceSeconds = 0.0
        if let world {
            let gradients = Tensor<Float>(repeating: 1, shape: [gradientBytes / MemoryLayout<Float>.size])
            let repeats = 10
            try world.barrier()
            let begin = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repeats { _ = try world.allreduce(gradients) }
            allreduceSeconds = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9 / Double(repeats)
        }
        guard rank == 0 else { return }
        printJSONLine([
            ("workload", "distributed"), ("implementation", ranks == 1 ? "one-process" : "kindling"),
            ("ranks", ranks), ("threads", LinearAlgebraBackend.current.threads), ("seconds", elapsed),
            ("steps", steps), ("steps_per_second", Double(steps) / elapsed),
            ("peak_rss_mb", peakResidentMegabytes()), ("synchronize_share", waiting / elapsed),
            ("gradient_bytes_per_step", gradientBytes), ("allreduce_seconds", allreduceSeconds),
        ])
    }
}
