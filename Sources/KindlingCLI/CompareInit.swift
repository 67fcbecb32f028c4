import ArgumentParser
import Foundation
import Kindling
import KindlingDistributed

/// `kindling compare-init`: trains the same network from several initializations and prints a table.
struct CompareInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare-init",
        abstract: "Train one network from several initializations and compare them.",
        discussion: """
            With no options this is the docs' experiment: circles, 2-10-5-1 ReLU network, zeros / random (x10) / He, \
            full-batch gradient descent at learning rate 0.01 for 15000 iterations, in Double. Under mpirun or srun \
            every network trains data-parallel: each rank takes its DistributedSampler share of every batch (of \
            the whole training set for the full batch), and rank 0 prints and writes.
            """
    )

    @Option(help: "Comma-separated initializations: \(InitializerRegistry.nameList).")
    var inits = "zeros,random,he"

    @Option(help: "Data set: \(InitializationComparison.DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset = InitializationComparison.DatasetName.circles

    @Option(
        help:
            "Your own classification data instead of --dataset: a CSV file, or NPY/IDX features with --labels. Features are standardized with the training split's statistics."
    )
    var data: String?

    @Option(help: "With --data: a file of one label per example, for NPY or IDX features.")
    var labels: String?

    @Option(help: "With --data: the CSV's label column, a name or an index (default: the last column).")
    var labelColumn: String?

    @Option(
        help:
            "With --data: the fraction held out as the test set (scikit-learn's train_test_split with random_state 0).")
    var testSplit = 0.2

    @Option(
        parsing: .unconditional, help: "Comma-separated hidden layer widths, each at least 1 (each followed by ReLU).")
    var layers = "10,5"

    @Option(parsing: .unconditional, help: "Optimizer updates per initialization (at least 1).")
    var iterations = 15000

    @Option(parsing: .unconditional, help: "Learning rate.")
    var lr = 0.01

    @Option(
        help: "Optimizer: \(InitializationComparison.OptimizerName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var optimizer = InitializationComparison.OptimizerName.sgd

    @Option(parsing: .unconditional, help: "Rows per mini-batch, at least 1 (default: the full batch).")
    var batchSize: Int?

    @Option(parsing: .unconditional, help: "Seed of the generator the weights are drawn from (0 to 4294967295).")
    var seed = 3

    @Option(help: "Precision: float or double.")
    var precision = InitializationComparison.Precision.double

    @Option(parsing: .unconditional, help: "Record the cost every this many iterations (at least 1).")
    var recordEvery = 1000

    @Option(parsing: .unconditional, help: "Scale of the 'random' initialization: N(0, 1) times this.")
    var randomScale = 10.0

    @Option(help: ArgumentHelp(stringLiteral: ScheduleOption.help))
    var schedule = "constant"

    @Option(
        parsing: .unconditional,
        help: "Clip the gradients' joint 2-norm to this before each update (default: no clipping).")
    var clipGradNorm: Double?

    @Option(help: "Write a report (loss curves, decision boundaries, CSV, index.html) into this folder.")
    var report: String?

    @Option(
        help:
            "Train every initialization from this many weight seeds (--seed, --seed + 1, ...), concurrently; the table shows mean ± sd."
    )
    var seeds = 1

    @Flag(
        help:
            "Record per-layer diagnostics every --record-every steps; the report charts them and writes diagnostics.csv."
    )
    var diagnostics = false

    @Option(
        help:
            "Instead of training, print one self-contained command per cell (init x seed), each writing its result as JSON into this folder (for GNU parallel, xargs or a Slurm array; then kindling merge)."
    )
    var emitJobs: String?

    @Option(help: "Train only this cell of the study, INIT:SEED, and write its result to --result.")
    var cell: String?

    @Option(help: "With --cell: the JSON file the cell's result is written to.")
    var result: String?

    func makeConfiguration() throws -> InitializationComparison.Configuration {
        var configuration = InitializationComparison.Configuration()
        configuration.initializations = try parseInitializations(inits, option: "inits")
        configuration.hiddenLayers = try parseList(layers, option: "layers", expected: "a positive integer") { Int($0) }
        configuration.dataset = dataset
        configuration.iterations = iterations
        configuration.learningRate = lr
        configuration.optimizer = optimizer
        configuration.batchSize = batchSize
        configuration.seed = try generatorSeed(seed)
        configuration.precision = precision
        configuration.recordEvery = recordEvery
        configuration.randomScale = randomScale
        configuration.schedule = try ScheduleOption.parse(schedule, iterations: iterations, learningRate: lr)
        configuration.clipGradientNorm = clipGradNorm
        configuration.showsProgress = true
        configuration.seedCount = seeds
        configuration.diagnosticsEvery = diagnostics ? recordEvery : nil
        configuration.userData = try loadUserData()
        do {
            try configuration.validate()
        } catch let error as InitializationComparison.ConfigurationError {
            throw ValidationError(error.description)
        }
        return configuration
    }

    /// The --data file split into training and test examples, standardized with the training statistics.
    func loadUserData() throws -> InitializationComparison.UserData? {
        guard let data else { return nil }
        guard testSplit > 0 && testSplit < 1 else {
            throw ValidationError("--test-split must lie in (0, 1), got \(testSplit)")
        }
        let options = try DataOptions.parse(
            ["--data", data] + (labels.map { ["--labels", $0] } ?? [])
                + (labelColumn.map { ["--label-column", $0] } ?? []))
        // The file's values go before the split is made, the examples once it is: the three together held three
        // copies of the data.
        let (path, count, featureCount): (String, Int, Int)
        let classes: ClassEncoding
        var (train, test): (LabeledExamples<Double>, LabeledExamples<Double>)
        do {
            var examples: LabeledExamples<Double>
            do {
                let raw = try options.read()
                (path, count, featureCount) = (raw.path, raw.count, raw.featureCount)
                guard let labelTexts = raw.labels else { throw CommandError("\(path): no labels") }
                guard Task.detect(labels: labelTexts) != .regression else {
                    throw CommandError(
                        "\(path): compare-init compares classifiers, but the labels are real-valued targets")
                }
                classes = ClassEncoding(labels: labelTexts)
                examples = try LabeledExamples<Double>(raw, task: .multiclass, classes: classes)
            }
            examples.features = examples.features.reshaped([count, featureCount])
            (train, test) = examples.split(validationFraction: testSplit, generator: RandomGenerator(seed: 0))
        }
        guard train.count > 0 && test.count > 0 else {
            throw CommandError(
                "\(path): \(count) example\(count == 1 ? "" : "s") cannot be split into training and test sets "
                    + "(--test-split \(testSplit)); compare-init needs at least one of each")
        }
        let standardization = Standardization(fittedTo: train.features)
        train.features = standardization.apply(to: train.features)
        test.features = standardization.apply(to: test.features)
        func comparisonExamples(_ set: LabeledExamples<Double>) -> InitializationComparison.Examples {
            .init(
                features: set.features.scalars, featureCount: featureCount, labels: set.classIndices,
                classCount: classes.names.count)
        }
        return .init(
            name: (path as NSString).lastPathComponent, train: comparisonExamples(train),
            test: comparisonExamples(test))
    }

    func validate() throws {
        if data != nil && (emitJobs != nil || cell != nil) {
            throw ValidationError("--emit-jobs and --cell sweep the built-in datasets; --data runs locally")
        }
        if data == nil {
            let configuration = try makeConfiguration()
            if let cell { _ = try parseCell(cell, of: configuration) }
        }
        if emitJobs != nil && (cell != nil || report != nil) {
            throw ValidationError("--emit-jobs prints the cells' commands; it does not go with --cell or --report")
        }
        if (cell == nil) != (result == nil) { throw ValidationError("--cell and --result go together") }
        if cell != nil && report != nil {
            throw ValidationError("--cell writes a result for kindling merge, not a report")
        }
        // Last, because it creates the folder: a command refused for its options leaves nothing behind.
        if let report { try ReportDestination.check(report) }
    }

    /// "he:4" as an initialization and seed of the study.
    func parseCell(_ text: String, of configuration: InitializationComparison.Configuration) throws
        -> (InitializationName, UInt32)
    {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let initialization = InitializationName(rawValue: parts[0]),
            let seed = UInt32(parts[1])
        else {
            throw ValidationError("--cell: '\(text)' is not INIT:SEED (such as he:3)")
        }
        guard configuration.initializations.contains(initialization), configuration.seeds.contains(seed) else {
            throw ValidationError(
                "--cell: '\(text)' is not a cell of this study (inits \(inits), seeds \(configuration.seeds.map(String.init).joined(separator: ",")))"
            )
        }
        return (initialization, seed)
    }

    /// The command line of one cell, with every setting of the study spelled out.
    func cellCommand(_ initialization: InitializationName, seed: UInt32, folder: URL) -> String {
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        var words = [
            executable, "compare-init", "--inits", inits, "--dataset", dataset.rawValue, "--layers", layers,
            "--iterations", "\(iterations)", "--lr", "\(lr)", "--optimizer", optimizer.rawValue,
            "--seed", "\(self.seed)", "--seeds", "\(seeds)", "--precision", precision.rawValue,
            "--record-every", "\(recordEvery)", "--random-scale", "\(randomScale)",
        ]
        if let batchSize { words += ["--batch-size", "\(batchSize)"] }
        if diagnostics { words.append("--diagnostics") }
        words += [
            "--cell", "\(initialization.rawValue):\(seed)",
            "--result", folder.appendingPathComponent("\(initialization.rawValue)-seed\(seed).json").path,
        ]
        return words.map(shellQuoted).joined(separator: " ")
    }

    func run() throws {
        try DataParallelRun.run { try compare() }
    }

    /// The comparison; under `mpirun` or `srun` every network trains data-parallel over the ranks, and rank 0
    /// alone prints and writes.
    func compare() throws {
        let configuration = try makeConfiguration()
        let distributor = try DataParallelRun.communicator().map { DataParallelDistributor(communicator: $0) }
        guard DataParallelRun.isPrimary || emitJobs == nil else { return }
        if let emitJobs {
            let folder = URL(fileURLWithPath: emitJobs).standardizedFileURL
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for initialization in configuration.initializations {
                for seed in configuration.seeds { print(cellCommand(initialization, seed: seed, folder: folder)) }
            }
            return
        }
        if let cell, let result {
            let (initialization, seed) = try parseCell(cell, of: configuration)
            var single = configuration
            single.initializations = [initialization]
            single.seed = seed
            single.seedCount = 1
            single.showsProgress = false
            let runs = try InitializationComparison.run(single, distributor: distributor)
            guard DataParallelRun.isPrimary else { return }
            try CellResult(configuration: configuration, run: runs[0]).write(to: result)
            print("\(cell): result written to \(result)")
            return
        }
        if let distributor {
            print(
                "data-parallel over \(distributor.communicator.size) ranks: each rank trains on its share of every "
                    + (batchSize.map { "batch of \($0) (\($0 * distributor.communicator.size) per update)" }
                        ?? "full batch"))
        }
        let runs = try InitializationComparison.run(configuration, distributor: distributor)
        let table = ComparisonTable(runs: runs, recordEvery: configuration.recordEvery)
        print(configuration.seedCount > 1 ? table.seedText : table.text)
        if let report, DataParallelRun.isPrimary {
            let url = try ReportDestination.check(report)
            try ComparisonReport(configuration: configuration, runs: runs).report.write(to: url)
            print("Report written to \(url.path)/index.html")
        }
    }
}

/// The table `compare-init` prints.
struct ComparisonTable {
    let runs: [InitializationComparison.Run]
    let recordEvery: Int

    var text: String {
        let firstStep = runs.first?.history.steps.first ?? 0
        let lastStep = runs.map { $0.history.steps.last ?? 0 }.max() ?? 0
        let header = ["init", "cost @ \(firstStep)", "cost @ \(lastStep)", "train acc", "test acc", "time"]
        var rows = [header]
        var notes: [String] = []
        for run in runs {
            let losses = run.history.losses
            rows.append([
                run.initialization.rawValue,
                losses.first.map(format) ?? "-",
                losses.last.map(format) ?? "-",
                String(format: "%.4f", run.trainAccuracy),
                String(format: "%.4f", run.testAccuracy),
                String(format: "%.2f s", run.seconds),
            ])
            if let divergence = run.history.divergence {
                notes.append("\(run.initialization.rawValue): \(divergence)")
            }
        }
        return (aligned(rows) + notes).joined(separator: "\n")
    }

    /// Several seeds: one row per initialization with mean ± sd over its seeds.
    var seedText: String {
        let lastStep = runs.map { $0.history.steps.last ?? 0 }.max() ?? 0
        var rows = [
            ["init", "seeds", "cost @ \(lastStep)", "min cost", "max cost", "train acc", "test acc", "diverged"]
        ]
        for group in SeedGroup.groups(runs) {
            rows.append([
                group.initialization.rawValue, "\(group.runs.count)", group.finalCost.formatted(),
                format(group.finalCost.minimum), format(group.finalCost.maximum),
                group.trainAccuracy.formatted(), group.testAccuracy.formatted(), "\(group.divergedCount)",
            ])
        }
        return aligned(rows).joined(separator: "\n")
    }

    /// Rows as lines: the first column left-aligned, the others right-aligned.
    func aligned(_ rows: [[String]]) -> [String] {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).enumerated().map { index, cell in
                index == 0
                    ? cell.0.padding(toLength: cell.1, withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: cell.1 - cell.0.count) + cell.0
            }.joined(separator: "  ")
        }
    }

    func format(_ value: Double) -> String { String(format: "%.10g", value) }
}
