import KindlingCore

/// A whole-model initialization in one call, `model.initializeWeights(.he)`: every `WeightLayer`'s
/// weight by the scheme and its bias 0 (except `pytorchDefault`), every `NormalizationLayer`'s weight 1
/// and bias 0.
///
/// Draws happen layer by layer in `namedModules` order, each weight (out, in, ...) in row-major order,
/// so a model initialized after `numpy.random.seed(s)`-equivalent seeding reproduces the numpy
/// expressions below to the last bit.
public enum InitializationScheme: Sendable, Hashable {
    /// Every weight 0: the symmetric start that cannot learn distinct units.
    case zeros
    /// N(0, 1) · scale, drawn as `generator.standardNormal() * scale` (numpy `randn(out, in) * scale`);
    /// `.random(scale: 10)` is the docs' "too large" example.
    case random(scale: Double)
    /// He et al. 2015: N(0, 1) · sqrt(2 / fan_in), drawn as `generator.standardNormal() * sqrt(2 / fan_in)`
    /// (numpy `randn(out, in) * np.sqrt(2 / in)`, the formula of the course this reproduces; the same
    /// distribution as `Initializer.kaimingNormal(nonlinearity: .relu)`).
    case he
    /// Glorot & Bengio 2010: `Initializer.xavierUniform()` (gain 1), the paper's and Keras's default form.
    case xavier
    /// LeCun et al. 1998: `Initializer.lecunNormal`, N(0, 1/fan_in).
    case lecun
    /// Saxe et al. 2013: `Initializer.orthogonal()` (gain 1).
    case orthogonal
    /// What PyTorch's constructors do: weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (the weight's
    /// `kaiming_uniform_(a: sqrt(5))`), the weight drawn before the bias; BatchNorm weight 1, bias 0.
    case pytorchDefault
    /// Each weight layer by `Initializer.recommended(for:)` the first `ActivationLayer` after it in
    /// `namedModules` order, before the next weight layer (nil when there is none): ReLU family ->
    /// Kaiming normal with that gain, tanh -> Xavier uniform with gain 5/3, sigmoid or none -> Xavier
    /// uniform, SELU -> LeCun normal.
    case automatic
    /// Every weight by one initializer and every bias 0, as a Keras layer given `kernel_initializer`
    /// (its `bias_initializer` defaults to zeros): `.initializer(.varianceScaling(scale: 2))` is Keras's
    /// `HeNormal`.
    case initializer(Initializer)
}

extension Initializer {
    /// The initializer for a weight whose output goes through `nonlinearity` (nil: nothing, or an output):
    /// relu and leakyReLU -> `kaimingNormal(nonlinearity:)` (gain sqrt(2 / (1 + slope²))); tanh ->
    /// `xavierUniform(gain: 5/3)`; selu -> `lecunNormal` (Klambauer et al. 2017); sigmoid, linear, conv
    /// and nil -> `xavierUniform()`.
    public static func recommended(for nonlinearity: Nonlinearity?) -> Initializer {
        switch nonlinearity {
        case .relu?, .leakyReLU?:
            return .kaimingNormal(nonlinearity: nonlinearity!)
        case .tanh?:
            return .xavierUniform(gain: calculateGain(.tanh))
        case .selu?:
            return .lecunNormal
        default:
            return .xavierUniform()
        }
    }
}

extension Module {
    /// Calls `visit` on every module of the tree once, this one first, then depth-first in declaration
    /// order (`namedModules`, the order of PyTorch's `model.modules()` that an `_initialize_weights`
    /// loop walks). Write a policy by type:
    ///
    /// ```swift
    /// model.initializeWeights { module in
    ///     if let linear = module as? Linear<Float> {
    ///         Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu).initialize(linear.weight)
    ///         if let bias = linear.bias { Initializer.zeros.initialize(bias) }
    ///     }
    /// }
    /// ```
    public func initializeWeights(_ visit: (any Module<Scalar>) -> Void) {
        for module in uniqueModules { visit(module) }
    }

    /// Initializes every weight layer by `scheme` and every normalization layer to weight 1, bias 0,
    /// drawing from `generator` layer by layer in `namedModules` order.
    public func initializeWeights(_ scheme: InitializationScheme, generator: RandomGenerator = .global) {
        let modules = uniqueModules
        for (index, module) in modules.enumerated() {
            if let layer = module as? any WeightLayer<Scalar> {
                let shape = layer.weight.shape
                layer.weight.overwrite(
                    with: scheme.weightValues(
                        shape: shape, following: { nonlinearity(after: index, in: modules) }, generator: generator))
                guard let bias = layer.bias else { continue }
                if scheme == .pytorchDefault {
                    let bound = Initializer.pytorchDefaultBound(weightShape: shape)
                    Initializer.uniform(low: -bound, high: bound).initialize(bias, generator: generator)
                } else {
                    Initializer.zeros.initialize(bias)
                }
            } else if module is any NormalizationLayer<Scalar> {
                for (name, parameter) in module.namedOwnParameters {
                    if name == "weight" { Initializer.ones.initialize(parameter) }
                    if name == "bias" { Initializer.zeros.initialize(parameter) }
                }
            }
        }
    }

    /// The modules of `namedModules`, each once (a module shared by two parents is visited once).
    private var uniqueModules: [any Module<Scalar>] {
        var seen = Set<ObjectIdentifier>()
        return namedModules.map(\.module).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// The nonlinearity of the first activation after modules[index] and before the next weight layer.
    private func nonlinearity(after index: Int, in modules: [any Module<Scalar>]) -> Nonlinearity? {
        for module in modules[(index + 1)...] {
            if module is any WeightLayer<Scalar> { return nil }
            if let activation = module as? any ActivationLayer<Scalar> { return activation.nonlinearity }
        }
        return nil
    }
}

extension InitializationScheme {
    /// Overwrites one weight (PyTorch's layout) by the scheme, as `initializeWeights` does for each weight
    /// layer; `following` is the nonlinearity after the layer (what `.automatic` reads). Experiments that
    /// build their layers one at a time call it per layer to keep their draw order.
    package func initialize<Scalar: TensorScalar>(
        weight: Parameter<Scalar>, following: Nonlinearity?,
        generator: RandomGenerator
    ) {
        weight.overwrite(with: weightValues(shape: weight.shape, following: { following }, generator: generator))
    }

    /// The scheme's weight values for `shape`; `following` gives the nonlinearity after the layer.
    func weightValues(shape: [Int], following: () -> Nonlinearity?, generator: RandomGenerator) -> [Double] {
        let count = shape.reduce(1, *)
        switch self {
        case .zeros:
            return Initializer.zeros.values(shape: shape, generator: generator)
        case .random(let scale):
            return Initializer.centredNormalValues(count, standardDeviation: scale, generator: generator)
        case .he:
            let standardDeviation = (2 / Double(Fans(shape: shape).fanIn)).squareRoot()
            return Initializer.centredNormalValues(count, standardDeviation: standardDeviation, generator: generator)
        case .xavier:
            return Initializer.xavierUniform().values(shape: shape, generator: generator)
        case .lecun:
            return Initializer.lecunNormal.values(shape: shape, generator: generator)
        case .orthogonal:
            return Initializer.orthogonal().values(shape: shape, generator: generator)
        case .pytorchDefault:
            let bound = Initializer.pytorchDefaultBound(weightShape: shape)
            return Initializer.uniformValues(count, low: -bound, high: bound, generator: generator)
        case .automatic:
            return Initializer.recommended(for: following()).values(shape: shape, generator: generator)
        case .initializer(let initializer):
            return initializer.values(shape: shape, generator: generator)
        }
    }
}
