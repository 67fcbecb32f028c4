import Dispatch
import Foundation
import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform
import KindlingText

/// The docs' comparison of weight initializations: the same small ReLU network trained from several
/// initializations on the same data, side by side. With the defaults it is the course's experiment
/// exactly (DESIGN.md): circles (300 training points drawn after seed 1, 100 test points after seed 2),
/// 2 -> 10 -> ReLU -> 5 -> ReLU -> 1, binary cross-entropy on the logits, full-batch gradient descent at
/// learning rate 0.01 for 15000 iterations, the cost recorded every 1000, zeros / random (x10) / He, the
/// weights drawn after seeding with 3, biases zero.
public struct InitializationComparison: Sendable {
    /// The built-in data sets: training set drawn after seeding with 1, test set after seeding with 2.
    public enum DatasetName: String, CaseIterable, Sendable, Codable {
        /// make_circles(noise 0.05, factor 0.8): 300 training and 100 test points, 2 classes.
        case circles
        /// make_moons(noise 0.2): 300 and 100 points, 2 classes.
        case moons
        /// The CS231n spiral with 3 arms: 100 and 34 points per arm.
        case spirals
        /// make_blobs around (-2, -2), (2, -2) and (0, 2), std 1: 300 and 100 points, 3 classes.
        case blobs

        /// The training and test sets.
        public func load<Scalar: TensorScalar>(as _: Scalar.Type = Scalar.self) -> (
            train: Dataset<Scalar>, test: Dataset<Scalar>
        ) {
            func make(_ seed: UInt32, _ count: Int) -> Dataset<Scalar> {
                let generator = RandomGenerator(seed: seed)
                switch self {
                case .circles: return .circles(count: count, noise: 0.05, generator: generator)
                case .moons: return .moons(count: count, noise: 0.2, generator: generator)
                case .spirals: return .spirals(pointsPerClass: count / 3, classCount: 3, generator: generator)
                case .blobs:
                    return .blobs(
                        count: count, centers: [[-2, -2], [2, -2], [0, 2]], standardDeviation: 1,
                        generator: generator)
                }
            }
            return (make(1, 300), make(2, self == .spirals ? 102 : 100))
        }
    }

    /// The optimizer the network trains with.
    public enum OptimizerName: String, CaseIterable, Sendable, Codable {
        /// Plain gradient descent (the course's).
        case sgd
        /// SGD with momentum 0.9.
        case momentum
        /// Adam with PyTorch's defaults but the learning rate.
        case adam
        /// AdamW with PyTorch's defaults but the learning rate.
        case adamw

        func make<Scalar>(_ parameters: [Parameter<Scalar>], learningRate: Double) throws -> any Optimizer<Scalar> {
            switch self {
            case .sgd: return try SGD(parameters, learningRate: learningRate)
            case .momentum: return try SGD(parameters, learningRate: learningRate, momentum: 0.9)
            case .adam: return try Adam(parameters, learningRate: learningRate)
            case .adamw: return try AdamW(parameters, learningRate: learningRate)
            }
        }
    }

    /// Floating-point precision of the whole run.
    public enum Precision: String, CaseIterable, Sendable, Codable {
        case float, double
    }

    /// Classification examples of the user's own, as rows of Double features and class labels.
    /// A user's data set for a comparison: its name (for reports) and its training and test examples.
    public struct UserData: Sendable, Equatable, Codable {
        /// The name shown in reports, such as the file's name.
        public var name: String
        /// The examples the networks train on.
        public var train: Examples
        /// The held-out examples.
        public var test: Examples

        /// A data set from its parts.
        public init(name: String, train: Examples, test: Examples) {
            self.name = name
            self.train = train
            self.test = test
        }
    }

    public struct Examples: Sendable, Equatable, Codable {
        /// The features, row-major: count × featureCount.
        public var features: [Double]
        /// The number of features per example.
        public var featureCount: Int
        /// The class of each example, in 0..<classCount.
        public var labels: [Int]
        /// The number of classes.
        public var classCount: Int

        /// Examples from their parts.
        public init(features: [Double], featureCount: Int, labels: [Int], classCount: Int) {
            self.features = features
            self.featureCount = featureCount
            self.labels = labels
            self.classCount = classCount
        }

        func dataset<Scalar: TensorScalar>(as _: Scalar.Type) -> Dataset<Scalar> {
            Dataset(
                features: Tensor(shape: [labels.count, featureCount], scalars: features.map { Scalar($0) }),
                labels: labels, classCount: classCount)
        }
    }

    /// Everything a comparison run depends on; the defaults are the course's experiment.
    public struct Configuration: Sendable, Equatable, Codable {
        /// The data.
        public var dataset = DatasetName.circles
        /// The user's training and test examples, used instead of `dataset` when set.
        public var userData: UserData?
        /// Hidden layer widths, each followed by ReLU; input and output sizes come from the data.
        public var hiddenLayers = [10, 5]
        /// The initializations to compare, in order (names of `InitializerRegistry`).
        public var initializations: [InitializationName] = ["zeros", "random", "he"]
        /// The scale of `random`: N(0, 1) times this (the course's 10).
        public var randomScale = 10.0
        /// Optimizer updates.
        public var iterations = 15000
        /// The learning rate.
        public var learningRate = 0.01
        /// The optimizer.
        public var optimizer = OptimizerName.sgd
        /// Rows per mini-batch; nil for the full batch.
        public var batchSize: Int?
        /// Seeds the generator the weights are drawn from (and mini-batches shuffled by), for every run.
        public var seed: UInt32 = 3
        /// The precision.
        public var precision = Precision.double
        /// Record the cost every this many iterations.
        public var recordEvery = 1000
        /// The learning-rate schedule over the iterations, stepped after each update; nil keeps the rate.
        public var schedule: LearningRateSchedule?
        /// Clip the gradients' joint 2-norm to this before each update; nil does not clip.
        public var clipGradientNorm: Double?
        /// Show a progress line on a terminal (for the first run when they train concurrently).
        public var showsProgress = false
        /// Train every initialization from this many weight seeds: `seed`, `seed + 1`, ... (the data stay
        /// the same).
        public var seedCount = 1
        /// Train the runs (initializations and seeds) at the same time, one per core, rather than one after
        /// another. Each run has its own model, generator and optimizer and touches nothing shared, so the
        /// results are identical either way; only each run's `seconds` (wall time) differs.
        public var runsConcurrently = true
        /// Record per-layer diagnostics (`LayerDiagnostics`) every this many steps; nil for none.
        public var diagnosticsEvery: Int?

        /// The weight seeds, in order.
        public var seeds: [UInt32] { (0..<UInt32(Swift.max(seedCount, 0))).map { seed &+ $0 } }

        /// The course's experiment.
        public init() {}

        /// Throws a `ConfigurationError` naming the first setting that cannot run.
        public func validate() throws {
            func fail(_ message: String) throws -> Never { throw ConfigurationError(message) }
            if initializations.isEmpty { try fail("no initialization to compare") }
            if hiddenLayers.contains(where: { $0 < 1 }) {
                try fail("hidden layer widths must be positive, got \(hiddenLayers)")
            }
            if iterations < 1 { try fail("iterations must be at least 1, got \(iterations)") }
            if !(learningRate > 0) || !learningRate.isFinite {
                try fail("the learning rate must be a positive number, got \(learningRate)")
            }
            if let batchSize, batchSize < 1 { try fail("the batch size must be at least 1, got \(batchSize)") }
            if recordEvery < 1 { try fail("the recording interval must be at least 1, got \(recordEvery)") }
            if !(randomScale > 0) || !randomScale.isFinite {
                try fail("the random scale must be a positive number, got \(randomScale)")
            }
            if seedCount < 1 { try fail("the number of seeds must be at least 1, got \(seedCount)") }
            if let diagnosticsEvery, diagnosticsEvery < 1 {
                try fail("the diagnostics interval must be at least 1, got \(diagnosticsEvery)")
            }
            if let clipGradientNorm, !(clipGradientNorm > 0) || !clipGradientNorm.isFinite {
                try fail("the gradient norm to clip to must be a positive number, got \(clipGradientNorm)")
            }
            do {
                try schedule?.validate()
            } catch let error as OptimizerError {
                try fail("invalid schedule: \(error.description)")
            }
        }
    }

    /// A setting that cannot run, with a message naming it.
    public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
        /// What is wrong.
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The outcome of training from one initialization.
    public struct Run: Sendable {
        /// The initialization.
        public let initialization: InitializationName
        /// The seed its weights were drawn after.
        public let seed: UInt32
        /// The recorded costs (and where training diverged, if it did).
        public let history: TrainingHistory
        /// Accuracy on the training set after training.
        public let trainAccuracy: Double
        /// Accuracy on the test set after training.
        public let testAccuracy: Double
        /// Wall-clock seconds of the training loop.
        public let seconds: Double
        /// The trained model's predicted probability over the plane, with the training points.
        public let decisionBoundary: DecisionBoundaryChart?
        /// Per-layer statistics while training, when `diagnosticsEvery` is set.
        public let diagnostics: [LayerDiagnosticsRecord]
    }

    /// Trains one network per initialization and returns the runs in the configured order. With a
    /// `distributor`, every network is trained data-parallel by the processes that run this same call (each
    /// on its share of every batch, as `train(_:on:loss:optimizer:for:distribution:)` does), one after another.
    public static func run(_ configuration: Configuration, distributor: (any TrainingDistributor)? = nil) throws
        -> [Run]
    {
        try configuration.validate()
        switch configuration.precision {
        case .float: return try run(configuration, as: Float.self, distributor: distributor)
        case .double: return try run(configuration, as: Double.self, distributor: distributor)
        }
    }

    /// Trains one network per initialization and seed in `Scalar` precision; the runs come by
    /// initialization, then by seed. With a `distributor` they train one after another on the calling thread.
    public static func run<Scalar: TensorScalar>(
        _ configuration: Configuration, as _: Scalar.Type, distributor: (any TrainingDistributor)? = nil
    ) throws -> [Run] {
        try configuration.validate()
        let cells = configuration.initializations.flatMap { initialization in
            configuration.seeds.map { (initialization, $0) }
        }
        guard cells.count > 1 && configuration.runsConcurrently && distributor == nil else {
            return try cells.map {
                try run(configuration, initialization: $0, seed: $1, as: Scalar.self, distributor: distributor)
            }
        }
        let results = CellResults(count: cells.count)
        DispatchQueue.concurrentPerform(iterations: cells.count) { index in
            var settings = configuration
            settings.showsProgress = configuration.showsProgress && index == 0
            results.store(
                Result { try run(settings, initialization: cells[index].0, seed: cells[index].1, as: Scalar.self) },
                at: index)
        }
        return try results.values.map { try $0!.get() }
    }

    /// Trains one network from one initialization and weight seed, data-parallel when a `distributor` is
    /// given.
    public static func run<Scalar: TensorScalar>(
        _ configuration: Configuration, initialization: InitializationName,
        seed: UInt32, as _: Scalar.Type, distributor: (any TrainingDistributor)? = nil
    ) throws -> Run {
        let (train, test) =
            configuration.userData.map { ($0.train.dataset(as: Scalar.self), $0.test.dataset(as: Scalar.self)) }
            ?? configuration.dataset.load(as: Scalar.self)
        let binary = train.classCount == 2
        let generator = RandomGenerator(seed: seed)
        let model = makeModel(
            Scalar.self, inputs: train.featureCount, hidden: configuration.hiddenLayers,
            outputs: binary ? 1 : train.classCount)
        initialization.initialize(
            model, batch: train.features,
            settings: InitializationSettings(randomScale: configuration.randomScale),
            generator: generator)
        let optimizer = try configuration.optimizer.make(model.parameters, learningRate: configuration.learningRate)
        let scheduler = try configuration.schedule.map { try LearningRateScheduler(optimizer, schedule: $0) }
        let diagnostics = configuration.diagnosticsEvery.map { LayerDiagnostics(model, every: $0) }
        let stepper: any Optimizer<Scalar> = diagnostics.map { $0.observing(optimizer) } ?? optimizer
        let distribution = try distributor?.distribution(for: model, seed: seed)
        let start = ContinuousClock.now
        let history = KindlingNN.train(
            model, on: train,
            loss: { logits, batch in
                binary
                    ? binaryCrossEntropyWithLogits(logits, batch.targets)
                    : crossEntropy(logits, classIndices: batch.labels)
            },
            optimizer: stepper,
            for: .iterations(configuration.iterations), batchSize: configuration.batchSize,
            generator: generator, recordEvery: configuration.recordEvery,
            clipGradientNorm: configuration.clipGradientNorm, scheduler: scheduler,
            showsProgress: configuration.showsProgress, distribution: distribution)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        diagnostics?.detach()
        model.eval()
        return Run(
            initialization: initialization, seed: seed, history: history,
            trainAccuracy: accuracy(of: model, on: train), testAccuracy: accuracy(of: model, on: test),
            seconds: seconds,
            decisionBoundary: train.featureCount == 2
                ? DecisionBoundaryChart(
                    title: "\(initialization.rawValue): decision boundary", model: model, data: train)
                : nil,
            diagnostics: diagnostics?.records ?? [])
    }

    /// Input -> (Linear -> ReLU) per hidden width -> Linear to the outputs.
    static func makeModel<Scalar: TensorScalar>(_: Scalar.Type, inputs: Int, hidden: [Int], outputs: Int) -> Sequential<
        Scalar
    > {
        let construction = RandomGenerator(seed: 0)
        var layers: [any Module<Scalar>] = []
        var width = inputs
        for size in hidden {
            layers.append(Linear<Scalar>(width, size, generator: construction))
            layers.append(ReLU<Scalar>())
            width = size
        }
        layers.append(Linear<Scalar>(width, outputs, generator: construction))
        return Sequential(layers)
    }
}

/// The outcomes of concurrent runs, each stored once by its own index.
private final class CellResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<InitializationComparison.Run, Error>?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func store(_ result: Result<InitializationComparison.Run, Error>, at index: Int) {
        lock.withLock { values[index] = result }
    }
}
