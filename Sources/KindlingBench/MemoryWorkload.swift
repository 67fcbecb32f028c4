import Kindling

extension Workload {
    /// See `MemoryWorkload`.
    static let memory = Workload(
        name: "memory",
        summary: "flat memory: resident memory after 100 and after 10000 steps of the comparison's He training",
        run: MemoryWorkload.run)
}

/// Whether training holds on to memory step after step: the comparison's He run (circles, 2-10-5-1,
/// full batch, SGD lr 0.01, Double) trained with `train` for 10000 steps, with the current resident
/// memory (/proc/self/statm, not the peak) read after 100 steps and after all 10000. A leak of even one
/// small tensor per step would show as a difference of megabytes. Kindling only; no reference.
enum MemoryWorkload {
    static func run(options: BenchmarkOptions) throws {
        try options.rejectUnknown([])
        let data = InitializationComparison.DatasetName.circles.load(as: Double.self).train
        let construction = RandomGenerator(seed: 0)
        let model = Sequential<Double>(
            Linear(2, 10, generator: construction), ReLU(), Linear(10, 5, generator: construction), ReLU(),
            Linear(5, 1, generator: construction))
        model.initializeWeights(.he, generator: RandomGenerator(seed: 3))
        let optimizer = try SGD(model.parameters, learningRate: 0.01)
        let steps = 10000
        var history: TrainingHistory?
        // `evaluate` runs at steps 0, 100, 200, ... before that step's update: at step 100, 100 updates are done.
        let elapsed = seconds {
            history = train(
                model, on: data, loss: { logits, batch in binaryCrossEntropyWithLogits(logits, batch.targets) },
                optimizer: optimizer, for: .iterations(steps), recordEvery: 100,
                evaluate: { _ in ["rss_mb": currentResidentMegabytes()] }, showsProgress: false)
        }
        let after10000 = currentResidentMegabytes()
        guard let history, history.stepsCompleted == steps,
            let after100 = history.records.first(where: { $0.step == 100 })?.metrics["rss_mb"]
        else {
            failRequirement("memory: training stopped before \(steps) steps")
        }
        printProcessResult(
            workload: "memory", seconds: elapsed, steps: steps,
            extra: [
                "rss_mb_after_100": after100, "rss_mb_after_10000": after10000,
                "rss_mb_max_recorded": history.records.compactMap { $0.metrics["rss_mb"] }.max() ?? after100,
            ])
    }
}
