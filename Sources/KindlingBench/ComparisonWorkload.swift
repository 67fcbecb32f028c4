import Kindling

extension Workload {
    /// See `ComparisonWorkload`.
    static let comparison = Workload(
        name: "comparison",
        summary:
            "the course's comparison: zeros, random, He on circles, 2-10-5-1, 3 x 15000 full-batch steps (--iterations N), Double",
        run: ComparisonWorkload.run)
}

/// The docs' comparison of initializations exactly as `kindling compare` runs it with its defaults
/// (`InitializationComparison.run` with the default configuration: zeros, random x10 and He on the
/// circles data, 2-10-5-1, full batch, 15000 steps each, Double). The time is that of the whole call:
/// the data, three trainings of 15000 steps (45000 steps) and the accuracies and decision-boundary grids
/// after each, which the references do not compute, so the figure slightly favours them.
/// Reference: reference_workloads.py comparison-torch and comparison-numpy.
enum ComparisonWorkload {
    static func run(options: BenchmarkOptions) throws {
        try options.rejectUnknown(["iterations"])
        var configuration = InitializationComparison.Configuration()
        configuration.iterations = try options.integer("iterations", default: configuration.iterations)
        var runs: [InitializationComparison.Run] = []
        let elapsed = try seconds { runs = try InitializationComparison.run(configuration) }
        let steps = runs.map(\.history.stepsCompleted).reduce(0, +)
        require(
            steps == configuration.iterations * configuration.initializations.count,
            "comparison: \(steps) steps ran instead of \(configuration.iterations) per initialization")
        printProcessResult(
            workload: "comparison", seconds: elapsed, steps: steps,
            extra: ["training_seconds": runs.map(\.seconds).reduce(0, +)])
    }
}
