import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform
import KindlingText

/// The deep-signal experiment from the reference articles: push a batch of N(0, 1) inputs through a deep
/// stack of bias-free Linear(width, width) layers, each followed by an activation, and watch the
/// standard deviation of the activations layer by layer. With N(0, 1) weights and no activation it
/// grows by sqrt(width) per layer until it overflows; scaled to the fan-in and the nonlinearity's gain
/// (Xavier for tanh, Kaiming for ReLU) it stays put.
public struct SignalPropagation: Sendable {
    /// The nonlinearity after every layer.
    public enum Activation: String, CaseIterable, Sendable {
        case none, tanh, relu, sigmoid

        /// The nonlinearity for `calculateGain`.
        public var nonlinearity: Nonlinearity {
            switch self {
            case .none: return .linear
            case .tanh: return .tanh
            case .relu: return .relu
            case .sigmoid: return .sigmoid
            }
        }

        /// The activation as a module; nil for `none`.
        func module<Scalar: TensorScalar>(_: Scalar.Type) -> (any Module<Scalar>)? {
            switch self {
            case .none: return nil
            case .tanh: return Tanh<Scalar>()
            case .relu: return ReLU<Scalar>()
            case .sigmoid: return Sigmoid<Scalar>()
            }
        }

        func apply<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
            switch self {
            case .none: return x
            case .tanh: return KindlingCore.tanh(x)
            case .relu: return KindlingCore.relu(x)
            case .sigmoid: return KindlingCore.sigmoid(x)
            }
        }
    }

    /// One run's settings.
    public struct Configuration: Sendable {
        /// Number of Linear layers (the article's 100).
        public var layers = 100
        /// Width of every layer (the article's 256).
        public var width = 256
        /// Rows of the input batch (the article's 16).
        public var batchSize = 16
        /// The nonlinearity after every layer.
        public var activation = Activation.none
        /// How the weights are drawn: a registry entry, given `effectiveGain` (`InitializationSettings`).
        public var initialization: InitializationName = "normal"
        /// The gain for the entries that take one (xavier, kaiming, orthogonal...); nil means the
        /// activation's `calculateGain`.
        public var gain: Double?
        /// Seeds the generator that draws the input, then the weights layer by layer.
        public var seed: UInt32 = 0
        /// Also run a backward pass from the mean of the output and report each weight's gradient std.
        public var gradients = false
        /// When set, also push `batchSize` pairs of inputs whose entries have this correlation (each pair
        /// x, c·x + √(1 − c²)·n with x, n ~ N(0, 1), drawn after the weights, so the rest of the run is
        /// unchanged) through the same layers and record the correlation of their pre-activations per layer.
        public var inputCorrelation: Double?

        /// The defaults: 100 layers of 256, batch 16, no activation, N(0, 1) weights, seed 0.
        public init() {}

        /// The gain in effect.
        public var effectiveGain: Double { gain ?? calculateGain(activation.nonlinearity) }
    }

    /// Statistics of one layer (counted from 0, as the article prints them).
    public struct LayerStatistics: Sendable, Equatable {
        /// The layer's index.
        public let layer: Int
        /// Standard deviation (unbiased, as torch's `x.std()`) of the layer's output after the activation.
        public let activationStandardDeviation: Double
        /// Standard deviation of the loss gradient of the layer's weight, when asked for.
        public let gradientStandardDeviation: Double?
    }

    /// What a run observed.
    public struct Result: Sendable {
        /// The layers reached, in order; the last one is the first non-finite one if there is one.
        public let layers: [LayerStatistics]
        /// The first layer whose output holds a NaN or an infinity ("non-finite at layer N").
        public let firstNonFiniteLayer: Int?
        /// Each layer's σ_w² as mean-field theory counts it: fan_in times the mean square of the weights it
        /// drew (for N(0, σ²/fan_in) weights this is σ² up to sampling error, about √(2 / width²) relative).
        public let weightVariances: [Double]
        /// With `inputCorrelation`: per layer reached, the mean over the pairs of the correlation
        /// Σ h₁h₂ / √(Σ h₁² Σ h₂²) of the two inputs' pre-activations (NaN once they are not finite).
        public let pairCorrelations: [Double]?
    }

    /// Runs the experiment in `Scalar` precision.
    public static func run<Scalar: TensorScalar>(_ configuration: Configuration, as _: Scalar.Type = Scalar.self)
        -> Result
    {
        require(
            configuration.layers > 0 && configuration.width > 0 && configuration.batchSize > 1,
            "propagate: layers, width and batch size must be positive (batch at least 2), got \(configuration.layers), \(configuration.width), \(configuration.batchSize)"
        )
        let generator = RandomGenerator(seed: configuration.seed)
        let input = Tensor<Scalar>.randn([configuration.batchSize, configuration.width], generator: generator)
        let scheme = configuration.initialization.scheme(InitializationSettings(gain: configuration.effectiveGain))
        let layers = (0..<configuration.layers).map { _ in
            let layer = Linear<Scalar>(configuration.width, configuration.width, bias: false, generator: generator)
            scheme.initialize(
                weight: layer.weight, following: configuration.activation.nonlinearity, generator: generator)
            return layer
        }
        if configuration.initialization.entry.fitsToData {
            let stack = Sequential<Scalar>(
                layers.flatMap { layer -> [any Module<Scalar>] in
                    [layer] + [configuration.activation.module(Scalar.self)].compactMap { $0 }
                })
            stack.initializeWeights(.lsuv(batch: input, orthonormalPreinitialization: false), generator: generator)
        }
        var statistics: [LayerStatistics] = []
        var firstNonFinite: Int?
        var outputs: [Tensor<Scalar>] = []
        var x = input
        let record = configuration.gradients ? GradientMode.isEnabled : false
        let forward = {
            for (index, layer) in layers.enumerated() {
                x = configuration.activation.apply(layer(x))
                outputs.append(x)
                if !x.isFinite {
                    firstNonFinite = index
                    break
                }
            }
        }
        if record { forward() } else { withoutGradient(forward) }

        var gradientDeviations = [Double?](repeating: nil, count: outputs.count)
        if record && firstNonFinite == nil {
            x.mean().backward()
            for (index, layer) in layers.enumerated() {
                gradientDeviations[index] = layer.weight.grad.map { standardDeviation($0.scalars) }
            }
        }
        let pairCorrelations = configuration.inputCorrelation.map {
            measurePairs(correlation: $0, layers: layers, configuration: configuration, generator: generator)
        }
        for (index, output) in outputs.enumerated() {
            statistics.append(
                LayerStatistics(
                    layer: index, activationStandardDeviation: standardDeviation(output.scalars),
                    gradientStandardDeviation: gradientDeviations[index]))
        }
        let weightVariances = withoutGradient {
            layers.map { layer in
                let weight = layer.weight.value
                return Double(configuration.width) * Double((weight * weight).mean().scalars[0])
            }
        }
        return Result(
            layers: statistics, firstNonFiniteLayer: firstNonFinite, weightVariances: weightVariances,
            pairCorrelations: pairCorrelations.map { Array($0.prefix(statistics.count)) })
    }

    /// The mean correlation of `batchSize` correlated input pairs' pre-activations, layer by layer.
    static func measurePairs<Scalar: TensorScalar>(
        correlation c: Double, layers: [Linear<Scalar>], configuration: Configuration, generator: RandomGenerator
    ) -> [Double] {
        require(
            c >= -1 && c <= 1, "propagate: the input correlation must lie in [-1, 1], got \(c)")
        let shape = [configuration.batchSize, configuration.width]
        var first = Tensor<Scalar>.randn(shape, generator: generator)
        let noise = Tensor<Scalar>.randn(shape, generator: generator)
        var second = first * Scalar(c) + noise * Scalar((1 - c * c).squareRoot())
        return withoutGradient {
            layers.map { layer in
                let h1 = layer(first)
                let h2 = layer(second)
                first = configuration.activation.apply(h1)
                second = configuration.activation.apply(h2)
                let a = h1.scalars
                let b = h2.scalars
                var total = 0.0
                for row in 0..<configuration.batchSize {
                    var ab = 0.0
                    var aa = 0.0
                    var bb = 0.0
                    for column in row * configuration.width..<(row + 1) * configuration.width {
                        let x = Double(a[column])
                        let y = Double(b[column])
                        ab += x * y
                        aa += x * x
                        bb += y * y
                    }
                    total += ab / (aa * bb).squareRoot()
                }
                return total / Double(configuration.batchSize)
            }
        }
    }
}
