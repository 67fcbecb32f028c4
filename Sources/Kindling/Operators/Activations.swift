/// max(x, 0) element-wise; the gradient is 1 where x > 0 and 0 elsewhere (PyTorch's convention at 0).
public func relu<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    x.elementwise("relu", { $0 > 0 ? $0 : 0 }) { x, _ in x > 0 ? 1 : 0 }
}

/// The logistic function 1 / (1 + e^-x), computed without overflow for large |x|.
public func sigmoid<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    x.elementwise("sigmoid", { x in
        x >= 0 ? 1 / (1 + Scalar.exp(-x)) : Scalar.exp(x) / (1 + Scalar.exp(x))
    }) { _, y in y * (1 - y) }
}
