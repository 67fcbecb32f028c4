import Foundation
import KindlingCore
import KindlingPlatform

/// Rescales the gradients of `parameters` so that their joint norm is at most `maxNorm`, and returns that
/// norm as it was before clipping (`torch.nn.utils.clip_grad_norm_`; Pascanu et al. 2013, "On the
/// difficulty of training recurrent neural networks").
///
/// The total norm is the `normType`-norm of the vector of each gradient's own `normType`-norm,
/// ‖(‖g₁‖ₚ, ‖g₂‖ₚ, ...)‖ₚ, which equals the norm of all gradients joined into one vector; `.infinity` takes
/// the largest |g|. Every gradient is multiplied by maxNorm / (total + 1e-6) when that is below 1 (a NaN
/// total makes every gradient NaN, as in PyTorch). Parameters without a gradient are ignored; with none
/// at all the norm is 0.
///
/// ```swift
/// loss.backward()
/// let norm = clipGradientNorm(model.parameters, maxNorm: 1.0)
/// optimizer.step()
/// ```
@discardableResult
public func clipGradientNorm<Scalar: TensorScalar>(
    _ parameters: [Parameter<Scalar>], maxNorm: Double,
    normType: Double = 2
) -> Double {
    require(normType > 0, "clipGradientNorm: the norm type must be > 0 or .infinity, got \(normType)")
    let withGradients = parameters.filter { $0.grad != nil }
    guard !withGradients.isEmpty else { return 0 }
    let norms = withGradients.map { vectorNorm($0.grad!.scalars.lazy.map { Double($0) }, normType) }
    let total = vectorNorm(norms, normType)
    let coefficient = maxNorm / (total + 1e-6)
    if !(coefficient >= 1) {
        let scale = Scalar(coefficient)
        for parameter in withGradients {
            var gradient = parameter.grad!
            gradient.withUnsafeMutableBufferPointer { values in
                for i in values.indices { values[i] *= scale }
            }
            parameter.grad = gradient
        }
    }
    return total
}

/// Clamps every element of the gradients of `parameters` to [−clipValue, clipValue]
/// (`torch.nn.utils.clip_grad_value_`; NaN stays NaN).
///
/// ```swift
/// clipGradientValue(model.parameters, clipValue: 0.5)
/// ```
public func clipGradientValue<Scalar: TensorScalar>(_ parameters: [Parameter<Scalar>], clipValue: Double) {
    require(clipValue >= 0, "clipGradientValue: the clip value must be ≥ 0, got \(clipValue)")
    let bound = Scalar(clipValue)
    for parameter in parameters {
        guard var gradient = parameter.grad else { continue }
        gradient.withUnsafeMutableBufferPointer { values in
            for i in values.indices where values[i] > bound || values[i] < -bound {
                values[i] = values[i] > bound ? bound : -bound
            }
        }
        parameter.grad = gradient
    }
}

/// (Σ|x|ᵖ)^(1/p), the largest |x| for p = ∞, with PyTorch's special cases for p = 1 and 2.
private func vectorNorm<Values: Sequence<Double>>(_ values: Values, _ p: Double) -> Double {
    if p == .infinity { return values.reduce(0) { $1.isNaN || $0.isNaN ? .nan : Swift.max($0, Swift.abs($1)) } }
    if p == 1 { return values.reduce(0) { $0 + Swift.abs($1) } }
    if p == 2 { return values.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    return pow(values.reduce(0) { $0 + pow(Swift.abs($1), p) }, 1 / p)
}
