import Foundation

/// The docs' comparison of weight initializations: the same small ReLU network trained from several
/// initializations on the same data, side by side. With the defaults it is the course's experiment
/// exactly (DESIGN.md): circles (300 training points drawn after seed 1, 100 test points after seed 2),
/// 2 -> 10 -> ReLU -> 5 -> ReLU -> 1, binary cross-entropy on the logits, full-batch gradient descent at
/// learning rate 0.01 for 15000 iterations, the cost recorded every 1000, zeros / random (x10) / He, the
/// weights drawn after seeding with 3, biases zero.
public struct InitializationComparison: Sendable {
    /// A named initialization, as the command line spells it. The first eight are Kindling's schemes
    /// (`InitializationScheme`); the four Keras names are Keras's initializers exactly, biases zero (with
    /// `orthogonal`, Keras's `Orthogonal(gain=1)`, they are the five the Keras article compares).
    public enum Initialization: String, CaseIterable, Sendable {
        case zeros, random, he, xavier, lecun, orthogonal
        case pytorchDefault = "pytorch-default"
        case automatic
        /// Keras `RandomUniform()`: U(-0.05, 0.05).
        case randomUniform = "random-uniform"
        /// Keras `GlorotUniform()`: U(±sqrt(6 / (fan_in + fan_out))).
        case glorotUniform = "glorot-uniform"
        /// Keras `HeNormal()`: `VarianceScaling(scale=2, mode="fan_in", distribution="truncated_normal")`,
        /// N(0, σ²) truncated at ±2σ with σ = sqrt(2 / fan_in) / 0.87962566103423978.
        case heNormal = "he-normal"
        /// Keras `LecunUniform()`: `VarianceScaling(scale=1, mode="fan_in", distribution="uniform")`,
        /// U(±sqrt(3 / fan_in)).
        case lecunUniform = "lecun-uniform"

        /// The scheme, with `random` meaning N(0, 1) times `randomScale`.
        public func scheme(randomScale: Double) -> InitializationScheme {
            switch self {
            case .zeros: return .zeros
            case .random: return .random(scale: randomScale)
            case .he: return .he
            case .xavier: return .xavier
            case .lecun: return .lecun
            case .orthogonal: return .orthogonal
            case .pytorchDefault: return .pytorchDefault
            case .automatic: return .automatic
            case .randomUniform: return .initializer(.uniform(low: -0.05, high: 0.05))
            case .glorotUniform: return .initializer(.xavierUniform())
            case .heNormal: return .initializer(.varianceScaling(scale: 2, mode: .fanIn, distribution: .truncatedNormal))
            case .lecunUniform: return .initializer(.lecunUniform)
            }
        }
    }

    /// The built-in data sets: training set drawn after seeding with 1, test set after seeding with 2.
    public enum DatasetName: String, CaseIterable, Sendable {
        /// make_circles(noise 0.05, factor 0.8): 300 training and 100 test points, 2 classes.
        case circles
        /// make_moons(noise 0.2): 300 and 100 points, 2 classes.
        case moons
        /// The CS231n spiral with 3 arms: 100 and 34 points per arm.
        case spirals
        /// make_blobs around (-2, -2), (2, -2) and (0, 2), std 1: 300 and 100 points, 3 classes.
        case blobs

        /// The training and test sets.
        public func load<Scalar: TensorScalar>(as _: Scalar.Type = Scalar.self) -> (train: Dataset<Scalar>, test: Dataset<Scalar>) {
            func make(_ seed: UInt32, _ count: Int) -> Dataset<Scalar> {
                let generator = RandomGenerator(seed: seed)
                switch self {
                case .circles: return .circles(count: count, noise: 0.05, generator: generator)
                case .moons: return .moons(count: count, noise: 0.2, generator: generator)
                case .spirals: return .spirals(pointsPerClass: count / 3, classCount: 3, generator: generator)
                case .blobs:
                    return .blobs(count: count, centers: [[-2, -2], [2, -2], [0, 2]], standardDeviation: 1,
                                  generator: generator)
                }
            }
            return (make(1, 300), make(2, self == .spirals ? 102 : 100))
        }
    }

    /// The optimizer the network trains with.
    public enum OptimizerName: String, CaseIterable, Sendable {
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
    public enum Precision: String, CaseIterable, Sendable {
        case float, double
    }

    /// Classification examples of the user's own, as rows of Double features and class labels.
    public struct Examples: Sendable {
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
            Dataset(features: Tensor(shape: [labels.count, featureCount], scalars: features.map { Scalar($0) }),
                    labels: labels, classCount: classCount)
        }
    }

    /// Everything a comparison run depends on; the defaults are the course's experiment.
    public struct Configuration: Sendable {
        /// The data.
        public var dataset = DatasetName.circles
        /// The user's training and test examples, used instead of `dataset` when set.
        public var userData: (name: String, train: Examples, test: Examples)?
        /// Hidden layer widths, each followed by ReLU; input and output sizes come from the data.
        public var hiddenLayers = [10, 5]
        /// The initializations to compare, in order.
        public var initializations: [Initialization] = [.zeros, .random, .he]
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
        /// Show a progress line on a terminal.
        public var showsProgress = false

        /// The course's experiment.
        public init() {}

        /// Throws a `ConfigurationError` naming the first setting that cannot run.
        public func validate() throws {
            func fail(_ message: String) throws -> Never { throw ConfigurationError(message) }
            if initializations.isEmpty { try fail("no initialization to compare") }
            if hiddenLayers.contains(where: { $0 < 1 }) { try fail("hidden layer widths must be positive, got \(hiddenLayers)") }
            if iterations < 1 { try fail("iterations must be at least 1, got \(iterations)") }
            if !(learningRate > 0) || !learningRate.isFinite { try fail("the learning rate must be a positive number, got \(learningRate)") }
            if let batchSize, batchSize < 1 { try fail("the batch size must be at least 1, got \(batchSize)") }
            if recordEvery < 1 { try fail("the recording interval must be at least 1, got \(recordEvery)") }
            if !(randomScale > 0) || !randomScale.isFinite { try fail("the random scale must be a positive number, got \(randomScale)") }
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
        public let initialization: Initialization
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
    }

    /// Trains one network per initialization and returns the runs in the configured order.
    public static func run(_ configuration: Configuration) throws -> [Run] {
        try configuration.validate()
        switch configuration.precision {
        case .float: return try run(configuration, as: Float.self)
        case .double: return try run(configuration, as: Double.self)
        }
    }

    /// Trains one network per initialization in `Scalar` precision.
    public static func run<Scalar: TensorScalar>(_ configuration: Configuration, as _: Scalar.Type) throws -> [Run] {
        try configuration.validate()
        let (train, test) = configuration.userData.map { ($0.train.dataset(as: Scalar.self), $0.test.dataset(as: Scalar.self)) }
            ?? configuration.dataset.load(as: Scalar.self)
        let binary = train.classCount == 2
        return try configuration.initializations.map { initialization in
            let generator = RandomGenerator(seed: configuration.seed)
            let model = makeModel(Scalar.self, inputs: train.featureCount, hidden: configuration.hiddenLayers,
                                  outputs: binary ? 1 : train.classCount)
            model.initializeWeights(initialization.scheme(randomScale: configuration.randomScale), generator: generator)
            let optimizer = try configuration.optimizer.make(model.parameters, learningRate: configuration.learningRate)
            let start = ContinuousClock.now
            let history = Kindling.train(
                model, on: train,
                loss: { logits, batch in
                    binary ? binaryCrossEntropyWithLogits(logits, batch.targets)
                        : crossEntropy(logits, classIndices: batch.labels)
                },
                optimizer: optimizer, for: .iterations(configuration.iterations), batchSize: configuration.batchSize,
                generator: generator, recordEvery: configuration.recordEvery, showsProgress: configuration.showsProgress)
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            model.eval()
            return Run(initialization: initialization, history: history,
                       trainAccuracy: accuracy(of: model, on: train), testAccuracy: accuracy(of: model, on: test),
                       seconds: seconds,
                       decisionBoundary: train.featureCount == 2
                           ? DecisionBoundaryChart(title: "\(initialization.rawValue): decision boundary", model: model, data: train)
                           : nil)
        }
    }

    /// Input -> (Linear -> ReLU) per hidden width -> Linear to the outputs.
    static func makeModel<Scalar: TensorScalar>(_: Scalar.Type, inputs: Int, hidden: [Int], outputs: Int) -> Sequential<Scalar> {
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
