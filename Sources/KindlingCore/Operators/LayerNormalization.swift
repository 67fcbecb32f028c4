import KindlingPlatform

/// Layer normalization over the last axis (Ba, Kiros & Hinton 2016; `torch.nn.functional.layer_norm`
/// with `normalized_shape` the last dimension): for every row x of D values,
/// y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias, with the biased variance (divided by D).
///
/// The backward pass, with x̂ the normalized row, r = 1 / sqrt(var + eps) and ĝ = g * weight:
/// dx = r (ĝ - mean(ĝ) - x̂ mean(ĝ x̂)), dweight = Σ_rows g x̂, dbias = Σ_rows g.
/// Means and variances are accumulated in Double for both precisions, by the scalar type's kernel
/// (`VectorKernelScalar.layerNormRows`; Float's is vectorized and sums in a different order).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func layerNorm<Scalar>(
    _ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>, epsilon: Double = 1e-5
) -> Tensor<Scalar> {
    require(x.rank >= 1, "layerNorm: needs at least one axis, got a scalar")
    let width = x.shape[x.rank - 1]
    require(
        weight.shape == [width] && bias.shape == [width],
        "layerNorm: weight \(weight.shape) and bias \(bias.shape) must both be [\(width)] for input of shape \(x.shape)"
    )
    let rows = width == 0 ? 0 : x.count / width
    let recording = Tensor.recording([x, weight, bias])
    // The normalized rows and inverse deviations are kept for the backward pass only.
    var normalized = [Scalar](repeating: 0, count: recording ? x.count : 0)
    var inverseDeviations = [Scalar](repeating: 0, count: recording ? rows : 0)
    var output = [Scalar](repeating: 0, count: x.count)
    x.scalars.withUnsafeBufferPointer { x in
        weight.scalars.withUnsafeBufferPointer { w in
            bias.scalars.withUnsafeBufferPointer { b in
                normalized.withUnsafeMutableBufferPointer { xhat in
                    inverseDeviations.withUnsafeMutableBufferPointer { r in
                        output.withUnsafeMutableBufferPointer { y in
                            guard rows > 0 else { return }
                            let (x, w, b, y) = (x.baseAddress!, w.baseAddress!, b.baseAddress!, y.baseAddress!)
                            // An empty array's buffer may still have an address: test `recording`.
                            let (xhat, r) = recording ? (xhat.baseAddress, r.baseAddress) : (nil, nil)
                            ParallelChunks.forEach(count: rows, elementsPerItem: width) { range in
                                let start = range.lowerBound * width
                                Scalar.layerNormRows(
                                    x + start, weight: w, bias: b, into: y + start,
                                    normalized: xhat.map { $0 + start },
                                    inverseDeviations: r.map { $0 + range.lowerBound },
                                    rows: range.count, width: width, epsilon: epsilon)
                            }
                        }
                    }
                }
            }
        }
    }
    let result = Tensor(shape: x.shape, scalars: output)
    guard recording else { return result }
    let gamma = weight.scalars
    let shape = x.shape
    let needInput = x.requiresGradient
    let needWeight = weight.requiresGradient
    let needBias = bias.requiresGradient
    return Tensor.record("layerNorm", result, inputs: [x, weight, bias]) { gradient in
        let g = gradient.scalars
        var dx = [Scalar](repeating: 0, count: needInput ? g.count : 0)
        var dWeight = [Scalar](repeating: 0, count: width)
        var dBias = [Scalar](repeating: 0, count: width)
        for row in 0..<rows {
            let start = row * width
            var meanScaled = 0.0
            var meanScaledNormalized = 0.0
            for j in 0..<width {
                let scaled = Double(g[start + j]) * Double(gamma[j])
                meanScaled += scaled
                meanScaledNormalized += scaled * Double(normalized[start + j])
                dWeight[j] += g[start + j] * normalized[start + j]
                dBias[j] += g[start + j]
            }
            guard needInput else { continue }
            meanScaled /= Double(width)
            meanScaledNormalized /= Double(width)
            let inverse = Double(inverseDeviations[row])
            for j in 0..<width {
                let scaled = Double(g[start + j]) * Double(gamma[j])
                dx[start + j] = Scalar(
                    inverse * (scaled - meanScaled - Double(normalized[start + j]) * meanScaledNormalized))
            }
        }
        return [
            needInput ? Tensor(shape: shape, scalars: dx) : nil,
            needWeight ? Tensor(shape: [width], scalars: dWeight) : nil,
            needBias ? Tensor(shape: [width], scalars: dBias) : nil,
        ]
    }
}
