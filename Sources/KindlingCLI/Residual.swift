import ArgumentParser
import Foundation
import Kindling

extension ResidualComparison.Architecture: ExpressibleByArgument {}

/// `kindling residual`: the residual-network experiment (`ResidualComparison`) on the user's data.
struct Residual: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Train a deep residual network without normalization (default init, Fixup, zero gains) and with BatchNorm.",
        discussion: """
            Every variant trains from every seed with SGD (momentum 0.9) and cross-entropy on the same split: \
            plain (no normalization, torchvision's He init), fixup (Zhang et al. 2019), skipinit (zero residual \
            gains, De & Smith 2020), batchnorm (torchvision's init) and zero-gamma (Goyal et al. 2017). Every \
            feature (every pixel of an image) is standardized with the training split's statistics.
            """)

    @OptionGroup var input: DataOptions

    @Option(
        help: "Network: mlp (a residual MLP, for tables) or resnet (3 stages of convolutions, for C x H x W images).")
    var model = ResidualComparison.Architecture.mlp

    @Option(help: "Residual blocks in all.")
    var depth = 64

    @Option(help: "Units per block (mlp) or channels of the first stage (resnet).")
    var width = 64

    @Option(
        help:
            "Comma-separated variants: \(ResidualComparison.Variant.allCases.map(\.rawValue).joined(separator: ", ")).")
    var variants = ResidualComparison.Variant.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "Comma-separated seeds (weights and batch order).")
    var seeds = "0,1,2"

    @Option(help: "Passes over the training data.")
    var epochs = 10

    @Option(help: "Examples per mini-batch.")
    var batchSize = 64

    @Option(parsing: .unconditional, help: "SGD's learning rate.")
    var lr = 0.01

    @Option(help: "Fraction of --data held out for validation (split with seed 0).")
    var validationSplit = 0.2

    @Option(help: "Record the per-layer diagnostics every this many optimizer steps.")
    var diagnosticsEvery = 20

    @Option(help: "Precision: float or double.")
    var precision = InitializationComparison.Precision.float

    @Option(help: "Write a report (loss curves, per-layer charts, CSV, index.html) into this folder.")
    var report: String?

    func makeConfiguration(inputShape: [Int], classes: Int) throws -> ResidualComparison.Configuration {
        var configuration = ResidualComparison.Configuration(inputShape: inputShape, classes: classes)
        configuration.architecture = model
        configuration.depth = depth
        configuration.width = width
        configuration.variants = try parseList(
            variants, option: "variants",
            expected: "one of \(ResidualComparison.Variant.allCases.map(\.rawValue).joined(separator: ", "))",
            ResidualComparison.Variant.init(rawValue:))
        configuration.seeds = try parseList(seeds, option: "seeds", expected: "a seed (0 ..< 2^32)") { UInt32($0) }
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        configuration.learningRate = lr
        configuration.diagnosticsEvery = diagnosticsEvery
        return configuration
    }

    func validate() throws {
        do {
            try makeConfiguration(inputShape: model == .mlp ? [1] : [1, 1, 1], classes: 2).validate()
        } catch let error as InitializationComparison.ConfigurationError {
            throw ValidationError(error.description)
        }
        guard validationSplit > 0 && validationSplit < 1 else {
            throw ValidationError("--validation-split must lie in (0, 1), got \(validationSplit)")
        }
        if let report { try ReportDestination.check(report) }
    }

    func run() throws {
        switch precision {
        case .float: try run(as: Float.self)
        case .double: try run(as: Double.self)
        }
    }

    func run<Scalar: TensorScalar>(as _: Scalar.Type) throws {
        let raw = try input.read()
        guard let labels = raw.labels else { throw CommandError("\(raw.path): no labels to train on") }
        let classes = ClassEncoding(labels: labels)
        guard classes.names.count >= 2 else {
            throw CommandError("\(raw.path): a classifier needs at least two classes")
        }
        let inputShape = model == .mlp ? [raw.featureCount] : raw.exampleShape
        let configuration: ResidualComparison.Configuration
        do {
            configuration = try makeConfiguration(inputShape: inputShape, classes: classes.names.count)
            try configuration.validate()
        } catch let error as InitializationComparison.ConfigurationError {
            throw CommandError("\(raw.path): \(error.description)")
        }
        var examples = try LabeledExamples<Scalar>(raw, task: .multiclass, classes: classes)
        examples.features = examples.features.reshaped([raw.count, raw.featureCount])
        var (training, validation) = examples.split(
            validationFraction: validationSplit, generator: RandomGenerator(seed: 0))
        guard validation.count > 0 else {
            throw CommandError("--validation-split \(validationSplit) leaves no validation examples")
        }
        // Every feature (every pixel of an image) standardized with the training split's statistics.
        let standardization = Standardization(fittedTo: training.features)
        training.features = standardization.apply(to: training.features).reshaped([training.count] + inputShape)
        validation.features = standardization.apply(to: validation.features).reshaped([validation.count] + inputShape)
        print(
            "\(model.rawValue) of \(depth) residual blocks, width \(width): \(training.count) training and "
                + "\(validation.count) validation examples, SGD momentum 0.9 lr \(lr), batch \(batchSize), \(epochs) epochs"
        )
        let runs = try ResidualComparison.run(configuration, training: training, validation: validation) { run in
            print(ResidualComparison.summary(run))
        }
        if let report {
            let url = URL(fileURLWithPath: report).standardizedFileURL
            try ResidualComparison.report(
                configuration, runs: runs, dataName: (raw.path as NSString).lastPathComponent
            ).write(to: url)
            print("Report written to \(url.path)/index.html")
        }
    }
}
