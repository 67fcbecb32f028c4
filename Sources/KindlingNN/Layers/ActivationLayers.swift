import KindlingCore

/// The rectifier max(x, 0) as a module.
public final class ReLU<Scalar: TensorScalar>: ModuleBase, Module {
    /// A ReLU.
    public override init() {}
    /// max(x, 0).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { relu(input) }
}

/// The hyperbolic tangent as a module.
public final class Tanh<Scalar: TensorScalar>: ModuleBase, Module {
    /// A Tanh.
    public override init() {}
    /// tanh(x).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { tanh(input) }
}

/// The logistic sigmoid as a module.
public final class Sigmoid<Scalar: TensorScalar>: ModuleBase, Module {
    /// A Sigmoid.
    public override init() {}
    /// 1 / (1 + e^-x).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { sigmoid(input) }
}

/// The leaky rectifier as a module (`torch.nn.LeakyReLU`): x where x > 0, negativeSlope * x elsewhere.
public final class LeakyReLU<Scalar: TensorScalar>: ModuleBase, Module {
    /// The slope for negative inputs.
    public let negativeSlope: Scalar
    /// A LeakyReLU with the given slope for negative inputs (PyTorch's default 0.01).
    public init(negativeSlope: Scalar = 0.01) { self.negativeSlope = negativeSlope }
    /// leakyReLU(x, negativeSlope).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        leakyReLU(input, negativeSlope: negativeSlope)
    }
}

/// The exponential linear unit as a module (`torch.nn.ELU`): x where x > 0, alpha (e^x - 1) elsewhere.
public final class ELU<Scalar: TensorScalar>: ModuleBase, Module {
    /// The saturation value for negative inputs is -alpha.
    public let alpha: Scalar
    /// An ELU with the given alpha (PyTorch's default 1).
    public init(alpha: Scalar = 1) { self.alpha = alpha }
    /// elu(x, alpha).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { elu(input, alpha: alpha) }
}

/// The scaled exponential linear unit as a module (`torch.nn.SELU`), with PyTorch's constants.
public final class SELU<Scalar: TensorScalar>: ModuleBase, Module {
    /// A SELU.
    public override init() {}
    /// selu(x).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { selu(input) }
}

/// Softmax along one axis as a module (`torch.nn.Softmax(dim)`).
public final class Softmax<Scalar: TensorScalar>: ModuleBase, Module {
    /// The axis whose lines sum to 1.
    public let axis: Int
    /// A softmax along `axis` (by default the last).
    public init(alongAxis axis: Int = -1) { self.axis = axis }
    /// softmax(x, alongAxis: axis).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { softmax(input, alongAxis: axis) }
}

/// Log-softmax along one axis as a module (`torch.nn.LogSoftmax(dim)`).
public final class LogSoftmax<Scalar: TensorScalar>: ModuleBase, Module {
    /// The axis normalized over.
    public let axis: Int
    /// A log-softmax along `axis` (by default the last).
    public init(alongAxis axis: Int = -1) { self.axis = axis }
    /// logSoftmax(x, alongAxis: axis).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { logSoftmax(input, alongAxis: axis) }
}
