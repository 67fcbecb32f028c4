import ArgumentParser
import Foundation
import Kindling

/// `kindling train`: a model from flags trained on the user's data, optionally saved for `evaluate` and
/// `predict`.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network on your own data (CSV, NPY or IDX) and save it.",
        discussion: """
            The task comes from the labels: two classes -> binary cross-entropy on one logit; more -> cross-entropy; \
            real numbers (or whole numbers with more than 50 values) -> mean squared error on targets standardized \
            with the training split's mean and standard deviation (predictions come back in the targets' units). \
            Features of an MLP are standardized with the training split's mean and standard deviation. The seed draws, in this order, the \
            train/validation split, the initial weights and each epoch's batch order.
            """
    )

    @OptionGroup var input: DataOptions

    @Option(help: "Validation examples in a separate file (same format as --data); instead of --validation-split.")
    var validation: String?

    @Option(help: "Labels of --validation, for NPY or IDX features.")
    var validationLabels: String?

    @Option(
        help:
            "Fraction of --data held out for validation (scikit-learn's train_test_split with random_state = --seed); 0 for none."
    )
    var validationSplit = 0.2

    @Option(help: "Override the task: \(Task.allCases.map(\.rawValue).joined(separator: ", ")).")
    var task: Task?

    @Option(help: "Architecture: mlp, or simplecnn for images (C x H x W).")
    var model = ModelSpecification.Architecture.mlp

    @Option(help: "Comma-separated hidden layer widths of the MLP (default: 64,32).")
    var layers: String?

    @Option(
        help:
            "Activation after each hidden layer: \(ModelSpecification.Activation.allCases.map(\.rawValue).joined(separator: ", ")) (default: relu)."
    )
    var activation: ModelSpecification.Activation?

    @Option(
        name: .customLong("init"),
        help:
            "Weight initialization: \(InitializerRegistry.nameList) (default: automatic for mlp, the article's policy for simplecnn)."
    )
    var initialization: InitializationName?

    @Flag(help: "BatchNorm1d after each hidden Linear layer.")
    var batchNorm = false

    @Flag(
        help:
            "Under mpirun or srun: BatchNorm statistics over the ranks' batches together (PyTorch's SyncBatchNorm), so that N ranks train as one process with N times the batch; by default each rank normalizes over its own batch."
    )
    var syncBatchNorm = false

    @Option(parsing: .unconditional, help: "Dropout probability after each hidden activation (default: 0).")
    var dropout: Double?

    @Option(parsing: .unconditional, help: "Passes over the training data.")
    var epochs = 20

    @Option(parsing: .unconditional, help: "Examples per mini-batch.")
    var batchSize = 32

    @Option(help: "Optimizer: sgd, momentum (SGD with momentum 0.9), adam, adamw.")
    var optimizer = InitializationComparison.OptimizerName.adam

    @Option(
        parsing: .unconditional, help: "Learning rate (default: 0.001 for adam and adamw, 0.01 for sgd and momentum).")
    var lr: Double?

    @Option(parsing: .unconditional, help: "Weight decay (default: 0, and 0.01 for adamw as PyTorch).")
    var weightDecay: Double?

    @Option(
        help: ArgumentHelp(
            stringLiteral: ScheduleOption.help + " Its steps are optimizer updates: --epochs x batches per epoch."))
    var schedule = "constant"

    @Option(
        parsing: .unconditional,
        help: "Clip the gradients' joint 2-norm to this before each update (default: no clipping).")
    var clipGradNorm: Double?

    @Flag(
        help:
            "Record per-layer diagnostics (activations, dead ReLUs, gradients, update ratios) while training; --report charts them and writes diagnostics.csv."
    )
    var diagnostics = false

    @Option(
        parsing: .unconditional,
        help: "With --diagnostics: record every this many optimizer steps (default: once per epoch, at its first step)."
    )
    var diagnosticsEvery: Int?

    @Option(
        name: .customLong("seed"), parsing: .unconditional,
        help: "Seed of the split, the initial weights and the batch order (default 0, or the resumed run's).")
    var seedValue: Int?

    @Option(
        parsing: .unconditional,
        help: "Stop when the validation loss has not improved for this many epochs, and keep the best weights.")
    var earlyStopping: Int?

    @Option(help: "Precision: float or double.")
    var precision = InitializationComparison.Precision.float

    @Option(help: "Write a report (curves, confusion matrix, CSV, index.html) into this folder.")
    var report: String?

    @Option(help: "Save the trained model (safetensors, with what evaluate and predict need in its metadata).")
    var save: String?

    @Option(
        help:
            "Continue training a model saved by --save: its architecture, weights, optimizer state and epoch count, with the same split and batch order as an uninterrupted run (give the same --seed, --optimizer, --lr and --batch-size; --layers, --activation, --dropout, --batch-norm, --init and --task are refused)."
    )
    var resume: String?

    @Flag(help: "Print only the summary and the final line.")
    var quiet = false

    var hiddenLayers: [Int] {
        get throws {
            try parseList(layers ?? "64,32", option: "layers", expected: "a positive integer") {
                Int($0).flatMap { $0 > 0 ? $0 : nil }
            }
        }
    }

    /// --seed as the generator's seed (read as an Int, so that a negative value gets the range message).
    var seed: UInt32? { get throws { try seedValue.map(generatorSeed) } }

    /// A resumed run continues the saved model, so options that would change the network are refused by name.
    func checkResumeKeepsTheArchitecture() throws {
        guard resume != nil else { return }
        let given = [
            ("--layers", layers != nil), ("--activation", activation != nil), ("--dropout", dropout != nil),
            ("--batch-norm", batchNorm), ("--init", initialization != nil), ("--task", task != nil),
        ].filter(\.1).map(\.0)
        guard given.isEmpty else {
            throw ValidationError(
                "--resume continues the saved model as it was built and initialized; "
                    + "\(given.joined(separator: ", ")) cannot change it (leave \(given.count == 1 ? "it" : "them") out, "
                    + "or train a new model without --resume)")
        }
    }

    var learningRate: Double { lr ?? (optimizer == .adam || optimizer == .adamw ? 1e-3 : 0.01) }

    func validate() throws {
        _ = try hiddenLayers
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw ValidationError("--lr must be a positive number, got \(learningRate)")
        }
        if let weightDecay, !(weightDecay >= 0) {
            throw ValidationError("--weight-decay must not be negative, got \(weightDecay)")
        }
        if let dropout, !(dropout >= 0 && dropout < 1) {
            throw ValidationError("--dropout must lie in [0, 1), got \(dropout)")
        }
        _ = try seed
        try checkResumeKeepsTheArchitecture()
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw ValidationError("--validation-split must lie in [0, 1), got \(validationSplit)")
        }
        if let earlyStopping {
            guard earlyStopping >= 1 else {
                throw ValidationError("--early-stopping must be at least 1, got \(earlyStopping)")
            }
            guard validation != nil || validationSplit > 0 else {
                throw ValidationError("--early-stopping needs validation data (--validation or --validation-split)")
            }
        }
        if let clipGradNorm, !(clipGradNorm > 0 && clipGradNorm.isFinite) {
            throw ValidationError("--clip-grad-norm must be a positive number, got \(clipGradNorm)")
        }
        if resume != nil && schedule != "constant" {
            throw ValidationError(
                "--schedule does not go with --resume: a saved model does not hold the schedule's position "
                    + "(the resumed run continues at the learning rate it was saved with; train from the start to use a schedule)"
            )
        }
        if let diagnosticsEvery {
            guard diagnostics else { throw ValidationError("--diagnostics-every goes with --diagnostics") }
            guard diagnosticsEvery >= 1 else {
                throw ValidationError("--diagnostics-every must be at least 1, got \(diagnosticsEvery)")
            }
        }
        if diagnostics && report == nil {
            throw ValidationError(
                "--diagnostics writes diagnostics.csv and its charts into the report: give --report DIR")
        }
        if let report { try ReportDestination.check(report) }
        if let save { try checkWritableFile(save, option: "save") }
    }

    func run() throws {
        try DataParallelRun.run {
            switch precision {
            case .float: try run(as: Float.self)
            case .double: try run(as: Double.self)
            }
        }
    }

    /// Load -> build -> initialize -> fit -> save; `validate()` has checked every output path.
    func run<Scalar: TensorScalar>(as _: Scalar.Type) throws {
        let saved = try resume.map(SavedModel.init(path:))
        let seed = try self.seed ?? saved?.seed ?? 0
        // The same draws in the same order as the run being resumed: the split, the initial weights, then one
        // permutation per epoch already trained; so a resumed run continues the uninterrupted one.
        let generator = RandomGenerator(seed: seed)
        let data = try load(saved: saved, generator: generator, as: Scalar.self)
        let network: Sequential<Scalar> = data.specification.makeModel(generator: RandomGenerator(seed: seed &+ 1))
        try initialize(network, data, saved: saved, generator: generator)
        if syncBatchNorm && !data.specification.batchNorm {
            throw CommandError("--sync-batch-norm: the model has no BatchNorm layer (train it with --batch-norm)")
        }
        let distribution = try DataParallelRun.communicator().map {
            try DataParallelRun.distribution(
                for: network, on: $0, seed: seed, synchronizingBatchNorm: syncBatchNorm)
        }
        let (result, update, diagnostics) = try fit(
            network, data, saved: saved, seed: seed, generator: generator, distribution: distribution)
        try write(network, data, result: result, optimizer: update, diagnostics: diagnostics, saved: saved, seed: seed)
    }

    /// The examples to train on, as the model sees them, and the specification of that model.
    struct TrainingData<Scalar: TensorScalar> {
        /// The model, with the standardization fitted to the training examples (MLP).
        var specification: ModelSpecification
        var training: LabeledExamples<Scalar>
        var validation: LabeledExamples<Scalar>?
        /// The --data file, for reports.
        let path: String
    }

    /// Reads --data (and --validation or the split of --validation-split), encodes the labels and, for an MLP,
    /// standardizes the features; regression targets are standardized too (the network learns (y − mean) /
    /// std, and the statistics are saved with it). When resuming, the saved model's specification and
    /// statistics.
    func load<Scalar: TensorScalar>(saved: SavedModel?, generator: RandomGenerator, as _: Scalar.Type) throws
        -> TrainingData<Scalar>
    {
        let world = try DataParallelRun.communicator()
        let raw: any ExamplesFile =
            if let rows = try input.rowsToShare(among: world, resuming: saved) { rows } else {
                try input.read(resuming: saved?.specification.table)
            }
        guard let labels = raw.labels else { throw CommandError("\(raw.path): no labels to train on") }
        var specification = try saved?.specification ?? makeSpecification(raw, labels: labels)
        if let saved { try checkResumable(saved.specification, raw) }
        let classes = specification.task == .regression ? nil : ClassEncoding(names: specification.classNames)
        var training = try raw.examples(
            as: Scalar.self, shape: specification.inputShape, task: specification.task, classes: classes)
        var validationSet: LabeledExamples<Scalar>?
        if let validation {
            let other = try RawExamples(
                from: DataSource(argument: validation), applying: specification.table,
                labels: validationLabels.map { URL(fileURLWithPath: $0) }, header: input.csvHeader,
                label: input.labelColumn == nil ? nil : input.labelColumnSelection)
            guard other.featureCount == specification.featureCount else {
                throw CommandError(
                    "\(other.path): \(other.featureCount) features per example, but \(raw.path) has \(specification.featureCount)"
                )
            }
            var set = try LabeledExamples<Scalar>(other, task: specification.task, classes: classes)
            set.features = set.features.reshaped([other.count] + specification.inputShape)
            validationSet = set
        } else if validationSplit > 0 {
            (training, validationSet) = training.split(validationFraction: validationSplit, generator: generator)
            validationSet = try validationSet?.materialized()
        }
        let savedStandardization = saved?.specification.standardization
        if specification.architecture != .mlp || savedStandardization != nil {
            try training.checkFinite(sharedBy: world)
        }
        if specification.architecture == .mlp {
            let standardization = try savedStandardization ?? training.fittedStandardization(sharedBy: world)
            specification.standardization = standardization
            training = training.standardized(by: standardization)
            validationSet = validationSet?.standardized(by: standardization)
        }
        if saved == nil && specification.task == .regression {
            specification.targetStandardization = Standardization(fittedToTargets: training.targets)
        }
        if let targets = specification.targetStandardization {
            training.targets = targets.standardize(targets: training.targets)
            if let set = validationSet { validationSet?.targets = targets.standardize(targets: set.targets) }
        }
        return TrainingData(specification: specification, training: training, validation: validationSet, path: raw.path)
    }

    /// Draws the initial weights (--init, else automatic for an MLP and the article's policy for simplecnn);
    /// when resuming, loads the saved weights and skips the batch orders of the epochs already trained.
    func initialize<Scalar>(
        _ network: Sequential<Scalar>, _ data: TrainingData<Scalar>, saved: SavedModel?,
        generator: RandomGenerator
    ) throws {
        let startingInitialization =
            saved.map { $0.initialization.flatMap(InitializationName.init(rawValue:)) }
            ?? initialization
        if let startingInitialization {
            startingInitialization.initialize(
                network, batch: data.training.features, settings: InitializationSettings(randomScale: 1),
                generator: generator)
        } else if data.specification.architecture == .simplecnn {
            ModelSpecification.initializeLikeTheArticle(network, generator: generator)
        } else {
            network.initializeWeights(.automatic, generator: generator)
        }
        if let saved {
            try saved.loadWeights(into: network)
            for _ in 0..<saved.epoch { _ = generator.permutation(data.training.count) }
        }
    }

    /// Prints the model and the settings, trains with `fit` (printing a line per epoch unless --quiet), and
    /// prints the outcome; a diverged run throws before anything is written.
    func fit<Scalar>(
        _ network: Sequential<Scalar>, _ data: TrainingData<Scalar>, saved: SavedModel?, seed: UInt32,
        generator: RandomGenerator, distribution: (any TrainingDistribution)?
    ) throws
        -> (FitResult, any CheckpointableOptimizer<Scalar>, LayerDiagnostics<Scalar>?)
    {
        let specification = data.specification
        let examplesPerProcess = distribution?.shardLength(count: data.training.count) ?? data.training.count
        let batchesPerEpoch = (examplesPerProcess + batchSize - 1) / batchSize
        let learningRateSchedule = try ScheduleOption.parse(
            schedule, iterations: epochs * batchesPerEpoch, learningRate: learningRate)
        print(network.summary(inputShape: specification.inputShape))
        print(describe(specification, training: data.training.count, validation: data.validation?.count, seed: seed))
        if let distribution {
            print(
                "data-parallel over \(distribution.processCount) ranks: \(examplesPerProcess) examples and "
                    + "batches of \(batchSize) per rank per epoch (\(batchSize * distribution.processCount) per update)"
            )
        }

        let update = try makeOptimizer(network.parameters)
        try saved?.loadOptimizerState(into: update)
        let scheduler = try learningRateSchedule.map { try LearningRateScheduler(update, schedule: $0) }
        let recorder = diagnostics ? LayerDiagnostics(network, every: diagnosticsEvery ?? batchesPerEpoch) : nil
        let stepper: any Optimizer<Scalar> = recorder.map { $0.observing(update) } ?? update
        let firstEpoch = (saved?.epoch ?? 0) + 1
        let width = String(firstEpoch + epochs - 1).count
        let result = Kindling.fit(
            network, training: data.training, validation: data.validation,
            task: specification.task, optimizer: stepper, epochs: epochs, batchSize: batchSize,
            generator: generator, earlyStoppingPatience: earlyStopping, firstEpoch: firstEpoch,
            showsProgress: !quiet, clipGradientNorm: clipGradNorm,
            scheduler: scheduler, distribution: distribution
        ) { record in
            guard !quiet else { return }
            print(epochLine(inTargetUnits(record, specification), width: width, task: specification.task))
        }
        recorder?.detach()
        if let divergence = result.divergence {
            throw CommandError(
                "training stopped in epoch \(divergence.epoch): the loss is \(divergence.loss) "
                    + "(try a smaller --lr, or another --init); nothing was saved")
        }
        if result.stoppedEarly, let best = result.bestEpoch {
            print(
                "early stopping after epoch \(lastEpoch(result, saved: saved)): the validation loss last "
                    + "improved in epoch \(best); keeping epoch \(best)'s weights")
        }
        var outcome = "trained \(result.epochs.count) epochs"
        if let validationSet = data.validation {
            var (loss, metric) = evaluateLoss(network, on: validationSet, task: specification.task)
            if let scale = specification.targetStandardization?.scale[0] {
                (loss, metric) = (loss * scale * scale, metric * scale)
            }
            outcome +=
                ": validation loss \(formatted(loss)), "
                + (specification.task == .regression ? "MAE \(formatted(metric))" : "accuracy \(formatted(metric))")
        }
        print(outcome)
        var inUnits = result
        inUnits.epochs = result.epochs.map { inTargetUnits($0, specification) }
        return (inUnits, update, recorder)
    }

    /// Writes the --report folder and the --save file, at the paths `validate()` checked.
    func write<Scalar>(
        _ network: Sequential<Scalar>, _ data: TrainingData<Scalar>, result: FitResult,
        optimizer update: any CheckpointableOptimizer<Scalar>,
        diagnostics recorder: LayerDiagnostics<Scalar>?, saved: SavedModel?, seed: UInt32
    ) throws {
        guard DataParallelRun.isPrimary else { return }
        if let report {
            let url = URL(fileURLWithPath: report).standardizedFileURL
            var document = TrainingReport(
                specification: data.specification, result: result, model: network,
                validation: data.validation, dataPath: data.path)
            document.diagnostics = recorder.map { ($0.records, $0.interval) }
            document.settings = settingsRows(data, seed: seed)
            try document.report.write(to: url)
            print("Report written to \(url.path)/index.html")
        }
        if let save {
            let url = URL(fileURLWithPath: save).standardizedFileURL
            let epoch = result.bestEpoch ?? lastEpoch(result, saved: saved)
            let metadata = SavedModel.metadata(
                data.specification, precision: precision, epoch: epoch,
                seed: seed, initialization: (saved?.initialization).map { $0 } ?? initialization?.rawValue)
            try SavedModel.write(network, optimizer: update, metadata: metadata, to: url)
            print("Model saved to \(url.path)")
        }
    }

    /// The run's settings for the report, as (name, value) rows.
    func settingsRows<Scalar>(_ data: TrainingData<Scalar>, seed: UInt32) -> [(String, String)] {
        let specification = data.specification
        var rows: [(String, String)] = [
            ("data", data.path), ("task", specification.task.rawValue),
            ("architecture", specification.architecture.rawValue),
        ]
        if specification.architecture == .mlp {
            rows += [
                ("hidden layers", specification.hiddenLayers.map(String.init).joined(separator: ",")),
                ("activation", specification.activation.rawValue), ("batch norm", "\(specification.batchNorm)"),
                ("dropout", "\(specification.dropout)"),
            ]
        }
        rows += [
            (
                "init",
                resume.map { "from \($0)" } ?? initialization?.rawValue
                    ?? (specification.architecture == .simplecnn ? "article" : "automatic")
            ),
            ("optimizer", optimizer.rawValue), ("learning rate", "\(learningRate)"),
            ("weight decay", "\(weightDecay ?? (optimizer == .adamw ? 0.01 : 0))"), ("schedule", schedule),
            ("gradient clipping", clipGradNorm.map { "\($0)" } ?? "none"), ("epochs", "\(epochs)"),
            ("batch size", "\(batchSize)"), ("early stopping", earlyStopping.map { "patience \($0)" } ?? "off"),
            ("training examples", "\(data.training.count)"),
            ("validation examples", data.validation.map { "\($0.count)" } ?? "none"), ("seed", "\(seed)"),
            ("precision", precision.rawValue),
        ]
        if let targets = specification.targetStandardization {
            rows.append(("target standardization", "mean \(targets.mean[0]), std \(targets.scale[0])"))
        }
        return rows
    }

    /// An epoch's losses and metric in the targets' units (they were computed on standardized targets).
    func inTargetUnits(_ record: EpochRecord, _ specification: ModelSpecification) -> EpochRecord {
        specification.targetStandardization.map { record.inTargetUnits(scale: $0.scale[0]) } ?? record
    }

    /// The number of the last epoch trained: this run's last, else the resumed model's.
    func lastEpoch(_ result: FitResult, saved: SavedModel?) -> Int { result.epochs.last?.epoch ?? saved?.epoch ?? 0 }

    func makeSpecification(_ raw: any ExamplesFile, labels: [String]) throws -> ModelSpecification {
        let task = self.task ?? Task.detect(labels: labels)
        let classes = task == .regression ? nil : ClassEncoding(labels: labels)
        if let classes, classes.names.count < 2 {
            throw CommandError(
                "\(raw.path): every label is '\(classes.names.first ?? "")'; a classifier needs at least two classes")
        }
        if task == .binary, let classes, classes.names.count != 2 {
            throw CommandError("--task binary: the labels hold \(classes.names.count) classes, not 2")
        }
        if task == .multiclass, let classes, classes.names.count == 2 {
            print("note: two classes, trained as multiclass (two logits, cross-entropy) as --task asks")
        }
        let inputShape: [Int]
        switch model {
        case .mlp:
            inputShape = [raw.featureCount]
        case .simplecnn:
            guard raw.exampleShape.count == 3, raw.exampleShape[1] >= 2, raw.exampleShape[2] >= 2 else {
                throw CommandError(
                    "\(raw.path): --model simplecnn needs images (channels x height x width, from an IDX or NPY file), "
                        + "but the examples have shape \(raw.exampleShape)")
            }
            inputShape = raw.exampleShape
        }
        let outputs = task == .multiclass ? classes!.names.count : 1
        var specification = ModelSpecification(
            architecture: model, inputShape: inputShape, outputs: outputs, task: task)
        if model == .mlp {
            specification.hiddenLayers = try hiddenLayers
            specification.activation = activation ?? .relu
            specification.batchNorm = batchNorm
            specification.dropout = dropout ?? 0
        }
        specification.classNames = classes?.names ?? []
        specification.featureNames = raw.featureNames
        specification.labelName = raw.labelName
        specification.table = raw.table
        return specification
    }

    /// A resumed model must be trained on data of the same shape.
    func checkResumable(_ specification: ModelSpecification, _ raw: any ExamplesFile) throws {
        guard raw.featureCount == specification.featureCount else {
            throw CommandError(
                "\(raw.path): \(raw.featureCount) features per example, but the model in \(resume!) was trained on \(specification.featureCount)"
            )
        }
    }

    func makeOptimizer<Scalar>(_ parameters: [Parameter<Scalar>]) throws -> any CheckpointableOptimizer<Scalar> {
        let decay = weightDecay ?? (optimizer == .adamw ? 0.01 : 0)
        switch optimizer {
        case .sgd: return try SGD(parameters, learningRate: learningRate, weightDecay: decay)
        case .momentum: return try SGD(parameters, learningRate: learningRate, momentum: 0.9, weightDecay: decay)
        case .adam: return try Adam(parameters, learningRate: learningRate, weightDecay: decay)
        case .adamw: return try AdamW(parameters, learningRate: learningRate, weightDecay: decay)
        }
    }

    func describe(_ specification: ModelSpecification, training: Int, validation: Int?, seed: UInt32) -> String {
        let task: String
        switch specification.task {
        case .binary:
            task =
                "binary classification (\(specification.classNames.joined(separator: " / "))), binary cross-entropy on logits"
        case .multiclass: task = "\(specification.classNames.count)-class classification, cross-entropy"
        case .regression: task = "regression, mean squared error"
        }
        let initName = initialization?.rawValue ?? (specification.architecture == .simplecnn ? "article" : "automatic")
        return "Task: \(task). \(training) training and \(validation.map(String.init) ?? "no") validation examples; "
            + "\(optimizer.rawValue) lr \(learningRate)\(schedule == "constant" ? "" : " (schedule \(schedule))")"
            + "\(clipGradNorm.map { ", gradient norm clipped to \($0)" } ?? ""), batch \(batchSize), "
            + "init \(resume == nil ? initName : "from \(resume!)"), seed \(seed), \(precision.rawValue)."
    }

    func epochLine(_ record: EpochRecord, width: Int, task: Task) -> String {
        let number = String(record.epoch)
        var line =
            "epoch " + String(repeating: " ", count: max(0, width - number.count)) + number
            + "  loss \(formatted(record.trainingLoss))"
        if let loss = record.validationLoss, let metric = record.validationMetric {
            line +=
                "  val_loss \(formatted(loss))  "
                + (task == .regression ? "val_mae \(formatted(metric))" : "val_acc \(formatted(metric))")
        }
        return line + String(format: "  %.2f s", record.seconds)
    }
}
