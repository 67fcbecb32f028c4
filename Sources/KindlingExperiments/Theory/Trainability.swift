import Dispatch
import Foundation
import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform

/// The trainability experiment of Schoenholz et al. 2017 ("Deep Information Propagation", Figure 5) at small
/// scale: deep tanh networks with weights N(0, σ_w²/fan_in) and biases N(0, σ_b²), trained for a fixed number
/// of SGD steps over a grid of σ_w² and depths, and their held-out accuracy set beside the depth scale ξ_c of
/// mean-field theory (`MeanField`), whose 6 ξ_c the paper finds to bound the depth that trains.
///
/// Every cell (σ_w², depth) is independent: `run(_:cell:data:)` trains one, `run(_:data:)` all of them
/// concurrently, and a sweep runs the cells as separate processes (`kindling trainability --emit-jobs`) and
/// merges their results (`kindling merge`).
public enum Trainability {
    /// The grid and the training settings; the defaults are the documented local run.
    public struct Configuration: Sendable, Equatable, Codable {
        /// The σ_w² grid.
        public var weightVariances: [Double] = [1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4]
        /// The depths: the number of tanh layers of width `width` (plus a linear read-out layer).
        public var depths: [Int] = [10, 25, 50, 100, 150, 200]
        /// σ_b² (the paper's 0.05).
        public var biasVariance = 0.05
        /// The width of every hidden layer.
        public var width = 100
        /// SGD updates per network.
        public var steps = 300
        /// Rows per mini-batch.
        public var batchSize = 32
        /// The SGD learning rate.
        public var learningRate = 0.01
        /// Seeds the weights and the order of the mini-batches.
        public var seed: UInt32 = 0
        /// The data set's name, for reports and to tell studies apart.
        public var dataName = ""

        /// The local run's defaults.
        public init() {}

        /// Every cell, by σ_w² then depth.
        public var cells: [Cell] {
            weightVariances.flatMap { variance in depths.map { Cell(weightVariance: variance, depth: $0) } }
        }

        /// Throws a `ConfigurationError` naming the first setting that cannot run.
        public func validate() throws {
            func fail(_ message: String) throws -> Never { throw InitializationComparison.ConfigurationError(message) }
            if weightVariances.isEmpty || weightVariances.contains(where: { !($0 > 0) || !$0.isFinite }) {
                try fail("the σ_w² values must be positive numbers, got \(weightVariances)")
            }
            if depths.isEmpty || depths.contains(where: { $0 < 1 }) {
                try fail("the depths must be positive, got \(depths)")
            }
            if Set(weightVariances).count != weightVariances.count || Set(depths).count != depths.count {
                try fail("the σ_w² values and depths must not repeat")
            }
            if !(biasVariance >= 0) || !biasVariance.isFinite {
                try fail("σ_b² must be a non-negative number, got \(biasVariance)")
            }
            if width < 1 { try fail("the width must be at least 1, got \(width)") }
            if steps < 1 { try fail("the number of steps must be at least 1, got \(steps)") }
            if batchSize < 1 { try fail("the batch size must be at least 1, got \(batchSize)") }
            if !(learningRate > 0) || !learningRate.isFinite {
                try fail("the learning rate must be a positive number, got \(learningRate)")
            }
        }
    }

    /// One network of the grid.
    public struct Cell: Sendable, Equatable, Hashable, Codable {
        /// σ_w².
        public var weightVariance: Double
        /// The number of tanh layers.
        public var depth: Int

        /// The cell at (σ_w², depth).
        public init(weightVariance: Double, depth: Int) {
            self.weightVariance = weightVariance
            self.depth = depth
        }
    }

    /// What training one cell gave.
    public struct Outcome: Sendable, Equatable, Codable {
        /// The cell.
        public var cell: Cell
        /// Accuracy on the held-out examples after training.
        public var testAccuracy: Double
        /// Accuracy on the training examples after training.
        public var trainAccuracy: Double
        /// The cross-entropy of the last step (NaN or infinite when training diverged).
        public var finalLoss: Double
        /// The step where the loss stopped being finite, if it did (training stops there).
        public var divergedAt: Int?
        /// Wall-clock seconds of training.
        public var seconds: Double
    }

    /// The tanh network of a cell: Linear(inputs, width), tanh, then depth − 1 times Linear(width, width), tanh,
    /// then Linear(width, classes); every weight N(0, σ_w²/fan_in) and every bias N(0, σ_b²), drawn layer
    /// by layer (weight, then bias) from `generator`.
    public static func makeNetwork(
        inputs: Int, classes: Int, width: Int, cell: Cell, biasVariance: Double, generator: RandomGenerator
    ) -> Sequential<Float> {
        var layers: [any Module<Float>] = []
        var fanIn = inputs
        for index in 0...cell.depth {
            let outputs = index == cell.depth ? classes : width
            let linear = Linear<Float>(fanIn, outputs, generator: generator)
            Initializer.normal(standardDeviation: (cell.weightVariance / Double(fanIn)).squareRoot())
                .initialize(linear.weight, generator: generator)
            if let bias = linear.bias {
                Initializer.normal(standardDeviation: biasVariance.squareRoot()).initialize(bias, generator: generator)
            }
            layers.append(linear)
            if index < cell.depth { layers.append(Tanh<Float>()) }
            fanIn = outputs
        }
        return Sequential(layers)
    }

    /// Trains one cell's network (Float) with SGD and cross-entropy on `data.train`, then measures it.
    public static func run(
        _ configuration: Configuration, cell: Cell, data: InitializationComparison.UserData
    ) throws -> Outcome {
        try configuration.validate()
        let train = data.train.dataset(as: Float.self)
        let test = data.test.dataset(as: Float.self)
        // Each cell's generator depends on the seed only, so a cell trains the same alone or in a sweep.
        let generator = RandomGenerator(seed: configuration.seed)
        let model = makeNetwork(
            inputs: train.featureCount, classes: train.classCount, width: configuration.width, cell: cell,
            biasVariance: configuration.biasVariance, generator: generator)
        let optimizer = try SGD(model.parameters, learningRate: configuration.learningRate)
        let start = ContinuousClock.now
        let history = KindlingNN.train(
            model, on: train, loss: { logits, batch in crossEntropy(logits, classIndices: batch.labels) },
            optimizer: optimizer, for: .iterations(configuration.steps), batchSize: configuration.batchSize,
            generator: generator, recordEvery: configuration.steps, showsProgress: false)
        let elapsed = ContinuousClock.now - start
        let loss =
            history.divergence?.loss
            ?? withoutGradient {
                Double(crossEntropy(model(train.features), classIndices: train.labels).scalars[0])
            }
        return Outcome(
            cell: cell, testAccuracy: accuracy(of: model, on: test), trainAccuracy: accuracy(of: model, on: train),
            finalLoss: loss, divergedAt: history.divergence?.step,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    /// Trains every cell, `concurrency` at a time, and returns the outcomes in `configuration.cells` order.
    public static func run(
        _ configuration: Configuration, data: InitializationComparison.UserData,
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws -> [Outcome] {
        try configuration.validate()
        let cells = configuration.cells
        let results = OutcomeSlots(count: cells.count)
        let queue = DispatchQueue(label: "trainability", attributes: .concurrent)
        let slots = DispatchSemaphore(value: max(1, concurrency))
        let group = DispatchGroup()
        // Deepest first, so that the longest runs do not start last.
        for index in cells.indices.sorted(by: { cells[$0].depth > cells[$1].depth }) {
            slots.wait()
            queue.async(group: group) {
                results.store(Result { try run(configuration, cell: cells[index], data: data) }, at: index)
                slots.signal()
            }
        }
        group.wait()
        return try results.values.map { try $0!.get() }
    }

    /// The measured against the predicted trainable depth, per σ_w².
    public struct Boundary: Sendable, Equatable {
        /// σ_w².
        public var weightVariance: Double
        /// ξ_c at (σ_w², σ_b²) (+∞ at the edge of chaos).
        public var correlationDepth: Double
        /// The deepest network of the grid that trained (held-out accuracy at least `threshold`), nil if none.
        public var deepestTrained: Int?
        /// The shallowest network deeper than `deepestTrained` that did not train, nil if none.
        public var shallowestFailed: Int?
    }

    /// "Trained": held-out accuracy at least half-way from chance (1 / classes) to the best accuracy of the grid.
    public static func threshold(_ outcomes: [Outcome], classes: Int) -> Double {
        let chance = 1 / Double(classes)
        let best = outcomes.map(\.testAccuracy).max() ?? 1
        return (chance + best) / 2
    }

    /// For each σ_w²: ξ_c from mean-field theory (300-node rule) and the measured boundary at `threshold`.
    public static func boundaries(
        _ configuration: Configuration, outcomes: [Outcome], threshold: Double
    ) -> [Boundary] {
        let rule = GaussHermiteRule(nodeCount: 300)
        return configuration.weightVariances.map { variance in
            let column = outcomes.filter { $0.cell.weightVariance == variance }.sorted { $0.cell.depth < $1.cell.depth }
            let deepest = column.filter { $0.testAccuracy >= threshold }.map(\.cell.depth).max()
            let failed = column.filter { $0.testAccuracy < threshold && $0.cell.depth > (deepest ?? 0) }
                .map(\.cell.depth).min()
            let theory = MeanField(
                activation: .tanh, weightVariance: variance, biasVariance: configuration.biasVariance, rule: rule)
            return Boundary(
                weightVariance: variance, correlationDepth: theory.fixedPoint().correlationDepth,
                deepestTrained: deepest, shallowestFailed: failed)
        }
    }

    /// Held-out accuracy over (σ_w², depth) with 6 ξ_c (and the edge of chaos, when the σ_w² range holds it).
    public static func chart(_ configuration: Configuration, outcomes: [Outcome]) -> HeatMapChart {
        let depths = configuration.depths.sorted()
        let variances = configuration.weightVariances.sorted()
        var byCell: [Cell: Double] = [:]
        for outcome in outcomes { byCell[outcome.cell] = outcome.testAccuracy }
        let values = depths.map { depth in
            variances.map { byCell[Cell(weightVariance: $0, depth: depth)] ?? .nan }
        }
        var chart = HeatMapChart(
            title:
                "tanh networks on \(configuration.dataName): held-out accuracy after \(configuration.steps) SGD steps",
            xLabel: "σ_w² (σ_b² = \(configuration.biasVariance))",
            yLabel: "depth (tanh layers of \(configuration.width))",
            colorLabel: "accuracy", x: variances, y: depths.map(Double.init), values: values)
        chart.colorRange = 0...1
        let rule = GaussHermiteRule(nodeCount: 200)
        let low = variances[0]
        let high = variances[variances.count - 1]
        let xs = (0...120).map { low + (high - low) * Double($0) / 120 }
        let scales = xs.map {
            6
                * MeanField(activation: .tanh, weightVariance: $0, biasVariance: configuration.biasVariance, rule: rule)
                .fixedPoint().correlationDepth
        }
        chart.curves = [ChartSeries("6 ξ_c (mean field)", x: xs, y: scales)]
        return chart
    }
}

/// The outcomes of concurrent cells, each stored once by its own index.
private final class OutcomeSlots: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<Trainability.Outcome, Error>?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func store(_ result: Result<Trainability.Outcome, Error>, at index: Int) {
        lock.withLock { values[index] = result }
    }
}
