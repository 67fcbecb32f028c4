extension Tensor {
    /// An element-wise function with its derivative, recorded for autograd. When the graph is recorded,
    /// `derivative(input, output)` (d output / d input) is evaluated in the forward sweep and kept, so the
    /// backward pass is one multiplication by the upstream gradient. Inlined into each operator so that
    /// `f` and `derivative` are compiled into the loops.
    @inline(__always)
    public func elementwise(
        _ operation: String, _ f: (Scalar) -> Scalar,
        derivative: (_ input: Scalar, _ output: Scalar) -> Scalar
    ) -> Tensor {
        let result = Tensor(shape: shape, scalars: Kernels.map(scalars, f))
        guard Tensor.recording(self) else { return result }
        let local = Kernels.zip(scalars, result.scalars, derivative), shape = self.shape
        return Tensor.record(operation, result, inputs: [self]) { gradient in
            [Tensor(shape: shape, scalars: Kernels.zip(gradient.scalars, local, *))]
        }
    }
}

/// e^x element-wise.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func exp<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    x.elementwise("exp", Scalar.exp) { _, y in y }
}

/// Natural logarithm element-wise.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func log<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    x.elementwise("log", Scalar.log) { x, _ in 1 / x }
}

/// Square root element-wise.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func sqrt<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    x.elementwise("sqrt", { $0.squareRoot() }) { _, y in 1 / (2 * y) }
}

/// Every element raised to `exponent`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func pow<Scalar>(_ x: Tensor<Scalar>, _ exponent: Scalar) -> Tensor<Scalar> {
    x.elementwise("pow", { Scalar.pow($0, exponent) }) { x, _ in exponent * Scalar.pow(x, exponent - 1) }
}

/// Absolute value element-wise (the gradient at 0 is 0, as PyTorch's).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func abs<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    x.elementwise("abs", { Swift.abs($0) }) { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }
}

/// Hyperbolic tangent element-wise.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func tanh<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    x.elementwise("tanh", Scalar.tanh) { _, y in 1 - y * y }
}

/// Every element limited to [min, max] (either bound may be omitted). The gradient passes where the
/// element is inside the bounds (bounds included), as PyTorch's clamp.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func clamp<Scalar>(_ x: Tensor<Scalar>, min lower: Scalar? = nil, max upper: Scalar? = nil) -> Tensor<Scalar> {
    let low = lower ?? -.infinity, high = upper ?? .infinity
    require(low <= high, "clamp: min \(low) is greater than max \(high)")
    return x.elementwise("clamp", { Swift.min(Swift.max($0, low), high) }) { x, _ in x >= low && x <= high ? 1 : 0 }
}
