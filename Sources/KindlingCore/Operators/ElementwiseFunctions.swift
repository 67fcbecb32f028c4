import KindlingPlatform

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
        let local = Kernels.zip(scalars, result.scalars, derivative)
        let shape = self.shape
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

/// Every element raised to `exponent`, as `torch.pow(x, exponent)`: the exponents 0.5 and -0.5 are
/// computed as sqrt(x) and 1 / sqrt(x), as PyTorch does (so (-inf)^0.5 is NaN), 2 and 3 by
/// multiplication, -1 and -2 by division, the rest by the C library's pow. The gradient is
/// exponent · x^(exponent - 1) by the same rules, and 0 everywhere for exponent 0 (where 0 · 0^-1 would
/// give NaN at x = 0).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func pow<Scalar>(_ x: Tensor<Scalar>, _ exponent: Scalar) -> Tensor<Scalar> {
    x.elementwise("pow", { power($0, exponent) }) { x, _ in
        exponent == 0 ? 0 : exponent * power(x, exponent - 1)
    }
}

/// x^exponent with PyTorch's special cases (see `pow`).
@inline(__always)
private func power<Scalar: TensorScalar>(_ x: Scalar, _ exponent: Scalar) -> Scalar {
    switch exponent {
    case 0.5: return x.squareRoot()
    case -0.5: return 1 / x.squareRoot()
    case 2: return x * x
    case 3: return x * x * x
    case -1: return 1 / x
    case -2: return 1 / (x * x)
    default: return Scalar.pow(x, exponent)
    }
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

/// Every element limited to [min, max] (either bound may be omitted), NaN kept as NaN (`torch.clamp`).
/// The gradient passes strictly inside the bounds and is 0 at a bound itself, at NaN and beyond, as in
/// PyTorch 2.15 (an omitted bound lets ±inf through with gradient 1).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func clamp<Scalar>(_ x: Tensor<Scalar>, min lower: Scalar? = nil, max upper: Scalar? = nil) -> Tensor<Scalar> {
    clamping("clamp", x, lower, upper)
}

/// clamp(x, min, max) under PyTorch's name for the activation (`torch.nn.functional.hardtanh`), with
/// its defaults -1 and 1: NaN stays NaN; the gradient is 1 strictly inside (min, max) and 0 elsewhere.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func hardtanh<Scalar>(_ x: Tensor<Scalar>, min lower: Scalar = -1, max upper: Scalar = 1) -> Tensor<Scalar> {
    clamping("hardtanh", x, lower, upper)
}

@inline(__always)
private func clamping<Scalar>(_ operation: String, _ x: Tensor<Scalar>, _ lower: Scalar?, _ upper: Scalar?) -> Tensor<
    Scalar
> {
    let low = lower ?? -.infinity
    let high = upper ?? .infinity
    require(!low.isNaN && !high.isNaN && low <= high, "\(operation): min \(low) is greater than max \(high)")
    return x.elementwise(operation, { $0.isNaN ? $0 : Swift.min(Swift.max($0, low), high) }) { x, _ in
        (lower == nil || x > low) && (upper == nil || x < high) ? 1 : 0
    }
}
