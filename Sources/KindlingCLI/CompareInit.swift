import ArgumentParser
import Foundation
import Kindling

/// `kindling compare-init`: trains the same network from several initializations and prints a table.
struct CompareInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare-init",
        abstract: "Train one network from several initializations and compare them.",
        discussion: """
            With no options this is the docs' experiment: circles, 2-10-5-1 ReLU network, zeros / random (x10) / He, \
            full-batch gradient descent at learning rate 0.01 for 15000 iterations, in Double.
            """
    )

    @Option(help: "Comma-separated initializations: \(InitializationComparison.Initialization.allCases.map(\.rawValue).joined(separator: ", ")).")
    var inits = "zeros,random,he"

    @Option(help: "Data set: \(InitializationComparison.DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset = InitializationComparison.DatasetName.circles

    @Option(help: "Your own classification data instead of --dataset: a CSV file, or NPY/IDX features with --labels. Features are standardized with the training split's statistics.")
    var data: String?

    @Option(help: "With --data: a file of one label per example, for NPY or IDX features.")
    var labels: String?

    @Option(help: "With --data: the CSV's label column, a name or an index (default: the last column).")
    var labelColumn: String?

    @Option(help: "With --data: the fraction held out as the test set (scikit-learn's train_test_split with random_state 0).")
    var testSplit = 0.2

    @Option(help: "Comma-separated hidden layer widths (each followed by ReLU).")
    var layers = "10,5"

    @Option(help: "Optimizer updates per initialization.")
    var iterations = 15000

    @Option(parsing: .unconditional, help: "Learning rate.")
    var lr = 0.01

    @Option(help: "Optimizer: \(InitializationComparison.OptimizerName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var optimizer = InitializationComparison.OptimizerName.sgd

    @Option(help: "Rows per mini-batch (default: the full batch).")
    var batchSize: Int?

    @Option(help: "Seed of the generator the weights are drawn from.")
    var seed: UInt32 = 3

    @Option(help: "Precision: float or double.")
    var precision = InitializationComparison.Precision.double

    @Option(help: "Record the cost every this many iterations.")
    var recordEvery = 1000

    @Option(parsing: .unconditional, help: "Scale of the 'random' initialization: N(0, 1) times this.")
    var randomScale = 10.0

    @Option(help: "Write a report (loss curves, decision boundaries, CSV, index.html) into this folder.")
    var report: String?

    func makeConfiguration() throws -> InitializationComparison.Configuration {
        var configuration = InitializationComparison.Configuration()
        configuration.initializations = try parseList(
            inits, option: "inits", expected: oneOf(InitializationComparison.Initialization.allCases.map(\.rawValue))
        ) { InitializationComparison.Initialization(rawValue: $0) }
        configuration.hiddenLayers = try parseList(layers, option: "layers", expected: "a positive integer") { Int($0) }
        configuration.dataset = dataset
        configuration.iterations = iterations
        configuration.learningRate = lr
        configuration.optimizer = optimizer
        configuration.batchSize = batchSize
        configuration.seed = seed
        configuration.precision = precision
        configuration.recordEvery = recordEvery
        configuration.randomScale = randomScale
        configuration.showsProgress = true
        configuration.userData = try loadUserData()
        do {
            try configuration.validate()
        } catch let error as InitializationComparison.ConfigurationError {
            throw ValidationError(error.description)
        }
        return configuration
    }

    /// The --data file split into training and test examples, standardized with the training statistics.
    func loadUserData() throws -> (name: String, train: InitializationComparison.Examples, test: InitializationComparison.Examples)? {
        guard let data else { return nil }
        guard testSplit > 0 && testSplit < 1 else { throw ValidationError("--test-split must lie in (0, 1), got \(testSplit)") }
        let options = try DataOptions.parse(["--data", data] + (labels.map { ["--labels", $0] } ?? [])
                                            + (labelColumn.map { ["--label-column", $0] } ?? []))
        let raw = try options.read()
        guard let labelTexts = raw.labels else { throw CommandError("\(raw.path): no labels") }
        guard Task.detect(labels: labelTexts) != .regression else {
            throw CommandError("\(raw.path): compare-init compares classifiers, but the labels are real-valued targets")
        }
        let classes = ClassEncoding(labels: labelTexts)
        var examples = try LabeledExamples<Double>(raw, task: .multiclass, classes: classes)
        examples.features = examples.features.reshaped([raw.count, raw.featureCount])
        var (train, test) = examples.split(validationFraction: testSplit, generator: RandomGenerator(seed: 0))
        let standardization = Standardization(fittedTo: train.features)
        train.features = standardization.apply(to: train.features)
        test.features = standardization.apply(to: test.features)
        func comparisonExamples(_ set: LabeledExamples<Double>) -> InitializationComparison.Examples {
            .init(features: set.features.scalars, featureCount: raw.featureCount, labels: set.classIndices, classCount: classes.names.count)
        }
        return ((raw.path as NSString).lastPathComponent, comparisonExamples(train), comparisonExamples(test))
    }

    func validate() throws {
        if data == nil { _ = try makeConfiguration() }
        if let report { try ReportDestination.check(report) }
    }

    func run() throws {
        let configuration = try makeConfiguration()
        let runs = try InitializationComparison.run(configuration)
        print(ComparisonTable(runs: runs, recordEvery: configuration.recordEvery).text)
        if let report {
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
        let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        let lines = rows.map { row in
            zip(row, widths).enumerated().map { index, cell in
                index == 0 ? cell.0.padding(toLength: cell.1, withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: cell.1 - cell.0.count) + cell.0
            }.joined(separator: "  ")
        }
        return (lines + notes).joined(separator: "\n")
    }

    func format(_ value: Double) -> String { String(format: "%.10g", value) }
}
