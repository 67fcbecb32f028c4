/// A layer with a weight in PyTorch's layout and an optional bias (Linear, Conv2d): what the named
/// initialization schemes initialize. Fans come from the weight's shape (`Fans(shape:)`).
public protocol WeightLayer<Scalar>: Module {
    /// The weight, (out, in, kernel...) as in PyTorch.
    var weight: Parameter<Scalar> { get }
    /// The bias, shape (out), if the layer has one.
    var bias: Parameter<Scalar>? { get }
}

/// A normalization layer (BatchNorm): the schemes set its own parameters named `weight` (the scale γ)
/// to 1 and `bias` (the shift β) to 0, as PyTorch's `reset_parameters` does; its running statistics
/// are left as they are.
public protocol NormalizationLayer<Scalar>: Module {}

/// An activation module: `.automatic` initializes the weight layer before it for its nonlinearity.
public protocol ActivationLayer<Scalar>: Module {
    /// The nonlinearity it computes, for `calculateGain`.
    var nonlinearity: Nonlinearity { get }
}

extension Linear: WeightLayer {}

extension ReLU: ActivationLayer {
    /// `.relu`.
    public var nonlinearity: Nonlinearity { .relu }
}

extension Tanh: ActivationLayer {
    /// `.tanh`.
    public var nonlinearity: Nonlinearity { .tanh }
}

extension Sigmoid: ActivationLayer {
    /// `.sigmoid`.
    public var nonlinearity: Nonlinearity { .sigmoid }
}

extension BatchNorm: NormalizationLayer {}

extension LeakyReLU: ActivationLayer {
    /// `.leakyReLU` with this layer's slope.
    public var nonlinearity: Nonlinearity { .leakyReLU(negativeSlope: Double(negativeSlope)) }
}

extension ELU: ActivationLayer {
    /// `.relu`: ELU networks are He-initialized (Clevert et al. 2015).
    public var nonlinearity: Nonlinearity { .relu }
}

extension SELU: ActivationLayer {
    /// `.selu`: LeCun normal keeps SELU networks self-normalizing (Klambauer et al. 2017).
    public var nonlinearity: Nonlinearity { .selu }
}

extension Conv2d: WeightLayer {}
