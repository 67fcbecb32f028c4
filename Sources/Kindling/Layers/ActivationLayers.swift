/// The rectifier max(x, 0) as a module.
public final class ReLU<Scalar: TensorScalar>: Module {
    /// A ReLU.
    public init() {}
    /// max(x, 0).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { relu(input) }
}

/// The hyperbolic tangent as a module.
public final class Tanh<Scalar: TensorScalar>: Module {
    /// A Tanh.
    public init() {}
    /// tanh(x).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { tanh(input) }
}

/// The logistic sigmoid as a module.
public final class Sigmoid<Scalar: TensorScalar>: Module {
    /// A Sigmoid.
    public init() {}
    /// 1 / (1 + e^-x).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { sigmoid(input) }
}
