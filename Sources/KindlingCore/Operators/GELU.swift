import Foundation

/// How `gelu` evaluates the Gaussian cumulative distribution Φ.
public enum GELUApproximation: String, Sendable, CaseIterable {
    /// Φ(x) = (1 + erf(x / √2)) / 2, exactly (BERT's "gelu"; PyTorch's approximate='none').
    case none
    /// Φ(x) ≈ (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2 (PyTorch's approximate='tanh', "gelu_new").
    case tanh
}

/// The Gaussian error linear unit x Φ(x) (Hendrycks & Gimpel 2016), `torch.nn.functional.gelu`.
/// Exact: 0.5 x (1 + erf(x / √2)), derivative Φ(x) + x φ(x) with φ(x) = e^(-x²/2) / √(2π).
/// Tanh approximation: 0.5 x (1 + t), t = tanh(u), u = √(2/π) (x + 0.044715 x³), derivative
/// 0.5 (1 + t) + 0.5 x (1 - t²) √(2/π) (1 + 3 · 0.044715 x²).
///
/// The exact form runs the scalar type's kernel (`VectorKernelScalar.applyGELU`): in Float a vectorized
/// kernel whose erf is Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, as in PyTorch's own
/// vectorized CPU kernel); in Double libm's erf.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func gelu<Scalar>(_ x: Tensor<Scalar>, approximation: GELUApproximation = .none) -> Tensor<Scalar> {
    let input = x.scalars
    let count = input.count
    let output = [Scalar](unsafeUninitializedCapacity: count) { out, initialized in
        input.withUnsafeBufferPointer { x in
            guard count > 0 else { return }
            let (x, out) = (x.baseAddress!, out.baseAddress!)
            ParallelChunks.forEach(count: count) { range in
                switch approximation {
                case .none: Scalar.applyGELU(x + range.lowerBound, into: out + range.lowerBound, count: range.count)
                case .tanh: for i in range { out[i] = x[i] * GELUKernel.tanhCDF(x[i]) }
                }
            }
        }
        initialized = count
    }
    let result = Tensor(shape: x.shape, scalars: output)
    guard Tensor.recording(x) else { return result }
    let shape = x.shape
    return Tensor.record("gelu", result, inputs: [x]) { gradient in
        let dx = [Scalar](unsafeUninitializedCapacity: count) { dx, initialized in
            input.withUnsafeBufferPointer { x in
                gradient.scalars.withUnsafeBufferPointer { g in
                    guard count > 0 else { return }
                    let (x, g, dx) = (x.baseAddress!, g.baseAddress!, dx.baseAddress!)
                    ParallelChunks.forEach(count: count) { range in
                        let start = range.lowerBound
                        if approximation == .none {
                            return Scalar.geluBackward(
                                x + start, upstream: g + start, into: dx + start,
                                count: range.count)
                        }
                        for i in range { dx[i] = g[i] * GELUKernel.derivative(x[i], approximation) }
                    }
                }
            }
            initialized = count
        }
        return [Tensor(shape: shape, scalars: dx)]
    }
}

/// The scalar pieces of `gelu`.
enum GELUKernel {
    static let inverseSquareRootOfTwo = 0.70710678118654752440
    static let squareRootOfTwoOverPi = 0.79788456080286535588
    static let inverseSquareRootOfTwoPi = 0.39894228040143267794
    static let cubicCoefficient = 0.044715

    /// erf through libm's double-precision erf (Float's exact GELU runs the vectorized kernel instead).
    @inline(__always)
    package static func erf<S: TensorScalar>(_ x: S) -> S { S(Foundation.erf(Double(x))) }

    /// Φ(x) = (1 + erf(x / √2)) / 2.
    @inline(__always)
    package static func cdf<S: TensorScalar>(_ x: S) -> S {
        0.5 * (1 + erf(x * S(inverseSquareRootOfTwo)))
    }

    /// (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2.
    @inline(__always)
    static func tanhCDF<S: TensorScalar>(_ x: S) -> S {
        0.5 * (1 + S.tanh(S(squareRootOfTwoOverPi) * (x + S(cubicCoefficient) * x * x * x)))
    }

    /// d/dx of x Φ(x) under the given approximation.
    package static func derivative<S: TensorScalar>(_ x: S, _ approximation: GELUApproximation) -> S {
        switch approximation {
        case .none:
            return cdf(x) + x * S(inverseSquareRootOfTwoPi) * S.exp(-0.5 * x * x)
        case .tanh:
            let t = S.tanh(S(squareRootOfTwoOverPi) * (x + S(cubicCoefficient) * x * x * x))
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * S(squareRootOfTwoOverPi)
                * (1 + 3 * S(cubicCoefficient) * x * x)
        }
    }
}
