import KindlingCore
import KindlingPlatform

/// Layer-sequential unit-variance initialization (Mishkin & Matas 2015, "All you need is a good init"):
/// a data-dependent scheme, `model.initializeWeights(.lsuv(batch: x))`.
///
/// 1. Pre-initialization (unless turned off): every `WeightLayer`'s weight `Initializer.orthogonal()`
///    (Saxe et al. 2013), drawn layer by layer in `namedModules` order, and its bias 0.
/// 2. For each weight layer in the order the forward pass reaches it: run the model on `batch` (in
///    evaluation mode, without a graph), take σ, the unbiased standard deviation of all elements of the
///    layer's output (before its activation), and while |σ - target| > tolerance and fewer than
///    `maxAttempts` scalings were made, multiply the weight by target / (σ + 1e-8) and measure again.
///
/// It matches `LSUVinit` of the `lsuv` package (0.3.0, by the paper's first author) to 1e-10 in Double from
/// the same pre-initialized weights and batch. Where the package departs from the paper, Kindling takes:
/// the package's criterion on σ with tolerance 0.1 (the paper's is on the variance), its unbiased σ
/// (`torch.std`) and its 1e-8 (so an all-zero output does not divide by zero); the paper's at most
/// `maxAttempts` scalings (the package checks `attempts > max_attempts` after scaling, so it can make one
/// more) and the paper's forward order (the package walks modules in declaration order, the same for a
/// `Sequential`). With zero biases the output is linear in the weight, so one scaling always lands on σ =
/// target (up to the 1e-8): the attempt limit matters only without the pre-initialization.
///
/// Layers are observed through forward hooks, so they must be called through `callWithHooks` (as
/// `Sequential` calls its layers); the report lists weight layers the forward pass never reached.
public struct LSUVInitialization<Scalar: TensorScalar> {
    /// The inputs the model is run on (a mini-batch of training data).
    public var batch: Tensor<Scalar>
    /// The standard deviation each weight layer's output is scaled to (the paper's 1).
    public var targetStandardDeviation: Double
    /// Accepted distance of the output's standard deviation from the target.
    public var tolerance: Double
    /// The most scalings per layer.
    public var maxAttempts: Int
    /// Whether weights are first made orthonormal and biases 0 (the paper's step 1).
    public var orthonormalPreinitialization: Bool

    /// LSUV on `batch` with the paper's and the package's defaults (σ 1 ± 0.1, at most 10 scalings, orthonormal
    /// pre-initialization).
    public static func lsuv(
        batch: Tensor<Scalar>, targetStandardDeviation: Double = 1, tolerance: Double = 0.1,
        maxAttempts: Int = 10, orthonormalPreinitialization: Bool = true
    ) -> Self {
        Self(
            batch: batch, targetStandardDeviation: targetStandardDeviation, tolerance: tolerance,
            maxAttempts: maxAttempts, orthonormalPreinitialization: orthonormalPreinitialization)
    }
}

/// What an LSUV initialization did, layer by layer in the order it processed them.
public struct LSUVReport: Sendable, Equatable {
    /// One weight layer's outcome.
    public struct Layer: Sendable, Equatable {
        /// The layer's dotted name in `namedModules` ("3" in a `Sequential`).
        public let name: String
        /// σ of the layer's output before any scaling.
        public let initialStandardDeviation: Double
        /// σ of the layer's output after the last scaling.
        public let finalStandardDeviation: Double
        /// How many times the weight was scaled.
        public let scalings: Int
    }

    /// The processed layers, in forward order.
    public let layers: [Layer]
    /// Weight layers whose forward hook never fired (not called through `callWithHooks`), left unscaled.
    public let unreachedLayers: [String]
}

extension Module {
    /// Initializes the model's weight layers by LSUV on `scheme.batch` (see `LSUVInitialization`), drawing
    /// the orthonormal pre-initialization from `generator`; each module's training mode is restored after.
    ///
    /// ```swift
    /// let net = Sequential<Double>(Linear(2, 64), Tanh(), Linear(64, 64), Tanh(), Linear(64, 1))
    /// let report = net.initializeWeights(.lsuv(batch: trainSet.features), generator: RandomGenerator(seed: 3))
    /// report.layers.map(\.finalStandardDeviation)   // each within 1 ± 0.1
    /// ```
    @discardableResult
    public func initializeWeights(_ scheme: LSUVInitialization<Scalar>, generator: RandomGenerator = .global)
        -> LSUVReport
    {
        require(
            scheme.targetStandardDeviation > 0 && scheme.targetStandardDeviation.isFinite,
            "lsuv: the target standard deviation must be a positive number, got \(scheme.targetStandardDeviation)")
        require(scheme.tolerance >= 0, "lsuv: the tolerance must not be negative, got \(scheme.tolerance)")
        require(scheme.maxAttempts >= 0, "lsuv: maxAttempts must not be negative, got \(scheme.maxAttempts)")
        var seen = Set<ObjectIdentifier>()
        let layers = namedModules.compactMap { name, module -> (name: String, layer: any WeightLayer<Scalar>)? in
            guard let layer = module as? any WeightLayer<Scalar>, seen.insert(ObjectIdentifier(layer)).inserted else {
                return nil
            }
            return (name, layer)
        }
        if scheme.orthonormalPreinitialization {
            for (_, layer) in layers {
                Initializer.orthogonal().initialize(layer.weight, generator: generator)
                if let bias = layer.bias { Initializer.zeros.initialize(bias) }
            }
        }
        let modes = namedModules.map { ($0.module, $0.module.isTraining) }
        eval()
        defer { for (module, mode) in modes { module.isTraining = mode } }

        return withoutGradient {
            let order = forwardOrder(of: layers.map(\.layer), on: scheme.batch)
            let processed = order.map { index in
                scaleToTarget(layers[index], scheme: scheme)
            }
            let reached = Set(order)
            return LSUVReport(
                layers: processed,
                unreachedLayers: layers.indices.filter { !reached.contains($0) }.map { layers[$0].name })
        }
    }

    /// The indices of `layers` in the order one forward pass on `batch` calls them (each once).
    private func forwardOrder(of layers: [any WeightLayer<Scalar>], on batch: Tensor<Scalar>) -> [Int] {
        let calls = OutputCapture<Int>()
        let handles = layers.enumerated().map { index, layer in
            layer.registerForwardHook { _, _, _ in
                if !calls.values.contains(index) { calls.values.append(index) }
            }
        }
        defer { for handle in handles { handle.remove() } }
        _ = callWithHooks(batch)
        return calls.values
    }

    /// Scales one layer's weight until its output's σ on the batch is within the tolerance of the target.
    /// One forward pass of the model gives the layer's input; as the layers before it do not change (and
    /// evaluation mode draws nothing), each later measurement applies the layer alone to that input, which
    /// computes what another pass of the whole model would.
    private func scaleToTarget(
        _ entry: (name: String, layer: any WeightLayer<Scalar>),
        scheme: LSUVInitialization<Scalar>
    ) -> LSUVReport.Layer {
        let inputs = OutputCapture<Tensor<Scalar>>()
        let handle = entry.layer.registerForwardHook { _, input, _ in inputs.values.append(input) }
        _ = callWithHooks(scheme.batch)
        handle.remove()
        let input = inputs.values[0]
        func measure() -> Double { standardDeviation(entry.layer(input).scalars) }
        let initial = measure()
        var current = initial
        var scalings = 0
        while Swift.abs(current - scheme.targetStandardDeviation) > scheme.tolerance && scalings < scheme.maxAttempts {
            let scale = Scalar(scheme.targetStandardDeviation / (current + 1e-8))
            entry.layer.weight.updateInPlace { weights in
                for i in weights.indices { weights[i] *= scale }
            }
            scalings += 1
            current = measure()
        }
        return LSUVReport.Layer(
            name: entry.name, initialStandardDeviation: initial, finalStandardDeviation: current,
            scalings: scalings)
    }
}

/// Values a hook collects during a forward pass.
private final class OutputCapture<Value> {
    package var values: [Value] = []
}
