import Foundation
import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform
import KindlingText

/// The residual-network experiment: a deep residual network trained without normalization from the
/// default initialization, from Fixup and from zero residual gains (SkipInit), and with BatchNorm (from
/// torchvision's initialization and from zero-γ), each over several seeds on the same data, with the
/// per-layer diagnostics of every run (`kindling residual`).
///
/// Without normalization, torchvision's He initialization makes every block add a branch as large as
/// its input, so the signal grows by about 2^L over L blocks and training diverges; Fixup and zero gains
/// start every branch at zero and train; BatchNorm trains from either start (Zhang et al. 2019, De &
/// Smith 2020, Goyal et al. 2017).
///
/// ```swift
/// var configuration = ResidualComparison.Configuration(inputShape: [64], classes: 10)
/// configuration.depth = 64
/// let runs = ResidualComparison.run(configuration, training: train, validation: valid)
/// ```
public enum ResidualComparison {
    /// One way to build and initialize the network.
    public enum Variant: String, CaseIterable, Sendable, Codable {
        /// No normalization, torchvision's initialization (He normal): the default that fails.
        case plain
        /// `.fixup` blocks, `ResidualInitialization.initializeFixup`.
        case fixup
        /// `.skipInit` blocks, `ResidualInitialization.initializeZeroResidualGain` (α = 0).
        case skipInit = "skipinit"
        /// `.batchNorm` blocks, torchvision's initialization.
        case batchNorm = "batchnorm"
        /// `.batchNorm` blocks, `ResidualInitialization.initializeZeroGamma`.
        case zeroGamma = "zero-gamma"

        /// The blocks' style.
        public var style: ResidualStyle {
            switch self {
            case .plain: return .plain
            case .fixup: return .fixup
            case .skipInit: return .skipInit
            case .batchNorm, .zeroGamma: return .batchNorm
            }
        }

        /// The initialization.
        public var initialization: ResidualInitialization {
            switch self {
            case .plain, .batchNorm: return .torchvision
            case .fixup: return .fixup
            case .skipInit: return .skipInit
            case .zeroGamma: return .zeroGamma
            }
        }
    }

    /// The network family.
    public enum Architecture: String, CaseIterable, Sendable, Codable {
        /// `ResidualMLP`: a stem, `depth` blocks of `width` units, a classifier (tables).
        case mlp
        /// `ResNet` with three stages of widths `width`, 2 `width`, 4 `width` and depth / 3 blocks each (images).
        case resnet
    }

    /// What to train.
    public struct Configuration: Sendable, Equatable, Codable {
        /// The shape of one example: [features] for the MLP, [channels, height, width] for the ResNet.
        public var inputShape: [Int]
        /// Output classes.
        public var classes: Int
        /// The network family.
        public var architecture = Architecture.mlp
        /// Residual blocks in all.
        public var depth = 64
        /// Units per block (MLP) or channels of the first stage (ResNet).
        public var width = 64
        /// The variants, in report order.
        public var variants = Variant.allCases
        /// One run per seed and variant; the seed draws the weights and the batch order.
        public var seeds: [UInt32] = [0, 1, 2]
        /// Passes over the training data.
        public var epochs = 10
        /// Examples per mini-batch.
        public var batchSize = 64
        /// SGD's learning rate (momentum 0.9).
        public var learningRate = 0.01
        /// Diagnostics are recorded every this many optimizer steps (from step 0).
        public var diagnosticsEvery = 20

        /// A configuration with the defaults for examples of `inputShape` and `classes` classes.
        public init(inputShape: [Int], classes: Int) {
            self.inputShape = inputShape
            self.classes = classes
        }

        /// The blocks per stage and the widths of the ResNet.
        var stages: (blocks: [Int], widths: [Int]) {
            let base = depth / 3
            return (
                [base + (depth % 3 > 0 ? 1 : 0), base + (depth % 3 > 1 ? 1 : 0), base], [width, 2 * width, 4 * width]
            )
        }

        /// Checks the values; the message names the option.
        public func validate() throws {
            func fail(_ message: String) throws -> Never { throw InitializationComparison.ConfigurationError(message) }
            if depth < (architecture == .resnet ? 3 : 1) {
                try fail(
                    "--depth must be at least \(architecture == .resnet ? 3 : 1) for \(architecture.rawValue), got \(depth)"
                )
            }
            if width < 1 { try fail("--width must be at least 1, got \(width)") }
            if variants.isEmpty { try fail("--variants needs at least one variant") }
            if seeds.isEmpty { try fail("--seeds needs at least one seed") }
            if epochs < 1 { try fail("--epochs must be at least 1, got \(epochs)") }
            if batchSize < 1 { try fail("--batch-size must be at least 1, got \(batchSize)") }
            if !(learningRate > 0 && learningRate.isFinite) {
                try fail("--lr must be a positive number, got \(learningRate)")
            }
            if diagnosticsEvery < 1 { try fail("--diagnostics-every must be at least 1, got \(diagnosticsEvery)") }
            if architecture == .resnet && inputShape.count != 3 {
                try fail(
                    "--model resnet needs images (channels x height x width), but the examples have shape \(inputShape)"
                )
            }
        }
    }

    /// One trained network.
    public struct Run: Sendable {
        /// The variant.
        public let variant: Variant
        /// The seed of its weights and batch order.
        public let seed: UInt32
        /// One record per epoch trained (fewer than asked when training diverged).
        public let epochs: [EpochRecord]
        /// The epoch and loss at which training stopped because the loss was no longer finite.
        public let divergence: (epoch: Int, loss: Double)?
        /// Per-layer diagnostics, every `Configuration.diagnosticsEvery` steps.
        public let diagnostics: [LayerDiagnosticsRecord]
        /// The standard deviation of the logits on the validation examples at initialization, in training
        /// mode (how far the signal has grown through the blocks).
        public let initialOutputStandardDeviation: Double

        /// The last epoch's validation accuracy, nil after a divergence.
        public var finalAccuracy: Double? { divergence == nil ? epochs.last?.validationMetric : nil }
    }

    /// The network of `variant`, constructed from `generator` and initialized from it.
    public static func makeNetwork<Scalar: TensorScalar>(
        _ configuration: Configuration, variant: Variant, generator: RandomGenerator
    ) -> any ResidualNetwork<Scalar> {
        switch configuration.architecture {
        case .mlp:
            let net = ResidualMLP<Scalar>(
                features: configuration.inputShape.reduce(1, *), classes: configuration.classes,
                width: configuration.width, depth: configuration.depth, style: variant.style, generator: generator)
            variant.initialization.initialize(net, generator: generator)
            return net
        case .resnet:
            let net = ResNet<Scalar>(
                inChannels: configuration.inputShape[0], classes: configuration.classes,
                blocksPerStage: configuration.stages.blocks, widths: configuration.stages.widths,
                style: variant.style, generator: generator)
            variant.initialization.initialize(net, generator: generator)
            return net
        }
    }

    /// Trains every variant from every seed (SGD with momentum 0.9, cross-entropy), one after another;
    /// `onRun` sees each run as it finishes.
    public static func run<Scalar: TensorScalar>(
        _ configuration: Configuration, training: LabeledExamples<Scalar>, validation: LabeledExamples<Scalar>,
        onRun: (Run) -> Void = { _ in }
    ) throws -> [Run] {
        try configuration.validate()
        var runs: [Run] = []
        for variant in configuration.variants {
            for seed in configuration.seeds {
                let run = try train(
                    configuration, variant: variant, seed: seed, training: training, validation: validation)
                onRun(run)
                runs.append(run)
            }
        }
        return runs
    }

    static func train<Scalar: TensorScalar>(
        _ configuration: Configuration, variant: Variant, seed: UInt32, training: LabeledExamples<Scalar>,
        validation: LabeledExamples<Scalar>
    ) throws -> Run {
        let generator = RandomGenerator(seed: seed)
        let network: any ResidualNetwork<Scalar> = makeNetwork(configuration, variant: variant, generator: generator)
        return try train(
            network, configuration, variant: variant, seed: seed, training: training, validation: validation,
            generator: generator)
    }

    private static func train<Network: ResidualNetwork>(
        _ network: Network, _ configuration: Configuration, variant: Variant, seed: UInt32,
        training: LabeledExamples<Network.Scalar>, validation: LabeledExamples<Network.Scalar>,
        generator: RandomGenerator
    ) throws -> Run {
        // In training mode, as the first step sees it (BatchNorm with the batch's statistics); the buffers
        // that this forward pass updates are put back.
        let state = network.stateValues
        let logits = withoutGradient { network(validation.features) }
        network.restoreStateValues(state)
        let initialStandardDeviation = standardDeviation(logits.scalars.map { Double($0) })
        let optimizer = try SGD(network.parameters, learningRate: configuration.learningRate, momentum: 0.9)
        let diagnostics = LayerDiagnostics(network, every: configuration.diagnosticsEvery)
        let result = fit(
            network, training: training, validation: validation, task: .multiclass,
            optimizer: diagnostics.observing(optimizer), epochs: configuration.epochs,
            batchSize: configuration.batchSize, generator: generator)
        diagnostics.detach()
        return Run(
            variant: variant, seed: seed, epochs: result.epochs, divergence: result.divergence,
            diagnostics: diagnostics.records, initialOutputStandardDeviation: initialStandardDeviation)
    }

    private static func standardDeviation(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    }

    /// One line per run: variant, seed, initial logit std, outcome.
    public static func summary(_ run: Run) -> String {
        let outcome: String
        if let divergence = run.divergence {
            outcome = "diverged in epoch \(divergence.epoch) (loss \(divergence.loss))"
        } else if let last = run.epochs.last {
            outcome = String(
                format: "loss %.4f -> %.4f, validation accuracy %.4f", run.epochs.first!.trainingLoss,
                last.trainingLoss, last.validationMetric ?? .nan)
        } else {
            outcome = "no epoch"
        }
        return "\(run.variant.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) seed \(run.seed): "
            + String(format: "initial logit std %.3g, ", run.initialOutputStandardDeviation) + outcome
    }

    /// The report: the configuration, one line per run, the loss and accuracy curves of every run, the
    /// activation and gradient standard deviations per layer at the first step (first seed of each variant),
    /// the runs as CSV and every diagnostics record as CSV.
    public static func report(_ configuration: Configuration, runs: [Run], dataName: String) -> Report {
        var report = Report(title: "Kindling: residual networks without normalization")
        report.addText(
            "\(configuration.architecture.rawValue) of \(configuration.depth) residual blocks (width \(configuration.width)) on "
                + "\(dataName), SGD momentum 0.9 lr \(configuration.learningRate), batch \(configuration.batchSize), "
                + "\(configuration.epochs) epochs, seeds \(configuration.seeds.map(String.init).joined(separator: ", "))."
        )
        for run in runs { report.addText(summary(run)) }
        func curves(_ value: (EpochRecord) -> Double?) -> [ChartSeries] {
            runs.map { run in
                let points = run.epochs.compactMap { record in value(record).map { (Double(record.epoch), $0) } }
                return ChartSeries("\(run.variant.rawValue) seed \(run.seed)", x: points.map(\.0), y: points.map(\.1))
            }
        }
        report.addChart(
            LineChart(
                title: "Training loss per epoch", xLabel: "epoch", yLabel: "loss", yScale: .logarithmic,
                series: curves { $0.trainingLoss }
            ).svg,
            fileName: "loss-curves.svg",
            caption: "Training loss (mean over each epoch's batches); a diverged run stops at its last finite epoch")
        report.addChart(
            LineChart(
                title: "Validation accuracy", xLabel: "epoch", yLabel: "accuracy",
                series: curves { $0.validationMetric }
            ).svg,
            fileName: "validation-accuracy.svg", caption: "Validation accuracy after each epoch")
        let firstRuns = configuration.variants.compactMap { variant in runs.first { $0.variant == variant } }
        func perLayer(_ statistic: (LayerDiagnosticsRecord) -> Double) -> [(name: String, values: [Double])] {
            firstRuns.map { run in
                (run.variant.rawValue, run.diagnostics.filter { $0.step == 0 }.map(statistic))
            }
        }
        report.addChart(
            LineChart.perLayer(
                title: "Activation std per layer at initialization", statistic: "activation std",
                series: perLayer(\.activationStandardDeviation)
            ).svg, fileName: "activation-std.svg",
            caption: "Standard deviation of each weight layer's activations on the first batch (first seed)")
        report.addChart(
            LineChart.perLayer(
                title: "Weight gradient std per layer at the first step", statistic: "gradient std",
                series: perLayer(\.weightGradientStandardDeviation)
            ).svg, fileName: "gradient-std.svg",
            caption: "Standard deviation of each weight layer's gradient at the first step (first seed)")
        report.addFile(
            CSVTable(
                header: ["variant", "seed", "epoch", "training_loss", "validation_loss", "validation_accuracy"],
                rows: runs.flatMap { run in
                    run.epochs.map { record in
                        [
                            run.variant.rawValue, "\(run.seed)", "\(record.epoch)", "\(record.trainingLoss)",
                            record.validationLoss.map { "\($0)" } ?? "", record.validationMetric.map { "\($0)" } ?? "",
                        ]
                    }
                }
            ).text, fileName: "epochs.csv", caption: "Every epoch of every run")
        report.addFile(
            CSVTable(
                header: ["variant", "seed"] + LayerDiagnosticsRecord.table([]).header,
                rows: runs.flatMap { run in
                    LayerDiagnosticsRecord.table(run.diagnostics).rows.map {
                        [run.variant.rawValue, "\(run.seed)"] + $0
                    }
                }
            ).text, fileName: "diagnostics.csv", caption: "Per-layer diagnostics of every run")
        return report
    }
}
