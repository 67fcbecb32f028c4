/// Batch normalization (Ioffe & Szegedy 2015) of an input (N, C) or (N, C, L...) over every axis but the
/// channel axis 1, as `torch.nn.functional.batch_norm`:
/// y = (x - mean_c) / sqrt(var_c + epsilon) * weight_c + bias_c.
///
/// - In training, mean_c and var_c are the batch's statistics over the m = N * L... elements of channel c,
///   with the biased variance (divided by m). The running statistics are then updated in place with the
///   unbiased variance: running = (1 - momentum) * running + momentum * batch, where the batch variance
///   is multiplied by m / (m - 1). Training needs m > 1.
/// - In evaluation, mean_c and var_c are `runningMean` and `runningVariance`, which are left unchanged.
///
/// Gradients flow to the input, the weight and the bias (never to the running statistics). In training
/// the input's gradient is weight_c / sqrt(var_c + epsilon) * (g - mean(g) - x̂ mean(g x̂)), the means
/// taken over the channel; in evaluation it is g weight_c / sqrt(var_c + epsilon).
///
/// - Parameters:
///   - weight, bias: per-channel scale and shift, shape (C); nil means 1 and 0 (PyTorch's `affine=False`).
///   - runningMean, runningVariance: per-channel running statistics, shape (C).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func batchNormalization<Scalar>(
    _ input: Tensor<Scalar>, weight: Tensor<Scalar>?, bias: Tensor<Scalar>?,
    runningMean: inout Tensor<Scalar>, runningVariance: inout Tensor<Scalar>,
    training: Bool, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5
) -> Tensor<Scalar> {
    precondition(input.rank >= 2, "batchNormalization: expects an input (N, C) or (N, C, ...), got \(input.shape)")
    let layout = ChannelLayout(shape: input.shape)
    let channels = layout.channels
    for (name, tensor) in [("weight", weight), ("bias", bias), ("runningMean", runningMean), ("runningVariance", runningVariance)] {
        guard let tensor else { continue }
        precondition(tensor.shape == [channels],
                     "batchNormalization: \(name) has shape \(tensor.shape), but the input \(input.shape) has \(channels) channels")
    }
    precondition(!training || layout.perChannel > 1,
                 "batchNormalization: training needs more than 1 value per channel, got input shape \(input.shape)")
    precondition(epsilon >= 0 && momentum >= 0 && momentum <= 1,
                 "batchNormalization: needs epsilon >= 0 and momentum in [0, 1], got \(epsilon) and \(momentum)")

    let mean: [Scalar], variance: [Scalar]
    if training {
        (mean, variance) = channelStatistics(input.scalars, layout)
        let correction = Scalar(layout.perChannel) / Scalar(layout.perChannel - 1)
        runningMean = Tensor(shape: [channels], scalars: Kernels.zip(runningMean.scalars, mean) {
            (1 - momentum) * $0 + momentum * $1
        })
        runningVariance = Tensor(shape: [channels], scalars: Kernels.zip(runningVariance.scalars, variance) {
            (1 - momentum) * $0 + momentum * $1 * correction
        })
    } else {
        (mean, variance) = (runningMean.scalars, runningVariance.scalars)
    }
    let inverseDeviation = variance.map { 1 / ($0 + epsilon).squareRoot() }
    let scale = weight?.scalars ?? [Scalar](repeating: 1, count: channels)
    let shift = bias?.scalars ?? [Scalar](repeating: 0, count: channels)
    let (output, normalized) = normalizeChannels(input.scalars, layout, mean: mean, inverseDeviation: inverseDeviation,
                                                 scale: scale, shift: shift)
    let result = Tensor(shape: input.shape, scalars: output)

    let operands = [input, weight, bias].compactMap { $0 }
    guard Tensor.recording(operands) else { return result }
    let needs = (input.requiresGradient, weight?.requiresGradient ?? false, bias?.requiresGradient ?? false)
    let hasWeight = weight != nil, hasBias = bias != nil
    return Tensor.record("batchNormalization", result, inputs: operands) { gradient in
        let (dx, dWeight, dBias) = normalizationBackward(
            gradient.scalars, normalized, layout, inverseDeviation: inverseDeviation, scale: scale, training: training)
        var gradients: [Tensor<Scalar>?] = [needs.0 ? Tensor(shape: layout.shape, scalars: dx) : nil]
        if hasWeight { gradients.append(needs.1 ? Tensor(shape: [channels], scalars: dWeight) : nil) }
        if hasBias { gradients.append(needs.2 ? Tensor(shape: [channels], scalars: dBias) : nil) }
        return gradients
    }
}

/// A shape (N, C, L...) seen as N blocks of C channels of `spatial` contiguous elements each.
private struct ChannelLayout {
    let shape: [Int]
    let batch: Int
    let channels: Int
    let spatial: Int

    init(shape: [Int]) {
        self.shape = shape
        batch = shape[0]
        channels = shape[1]
        spatial = shape[2...].reduce(1, *)
    }

    /// The number of elements of one channel, m = N * L.
    var perChannel: Int { batch * spatial }
}

/// Per-channel mean and biased variance (two passes).
@_specialize(where S == Float)
@_specialize(where S == Double)
private func channelStatistics<S: TensorScalar>(_ x: [S], _ layout: ChannelLayout) -> (mean: [S], variance: [S]) {
    let (batch, channels, spatial) = (layout.batch, layout.channels, layout.spatial)
    let m = S(layout.perChannel)
    var mean = [S](repeating: 0, count: channels), variance = [S](repeating: 0, count: channels)
    x.withUnsafeBufferPointer { x in
        for c in 0..<channels {
            var total: S = 0
            for n in 0..<batch {
                let base = (n * channels + c) * spatial
                for l in 0..<spatial { total += x[base + l] }
            }
            let average = total / m
            var squares: S = 0
            for n in 0..<batch {
                let base = (n * channels + c) * spatial
                for l in 0..<spatial {
                    let d = x[base + l] - average
                    squares += d * d
                }
            }
            mean[c] = average
            variance[c] = squares / m
        }
    }
    return (mean, variance)
}

/// x̂ = (x - mean_c) * inverseDeviation_c and y = scale_c * x̂ + shift_c.
@_specialize(where S == Float)
@_specialize(where S == Double)
private func normalizeChannels<S: TensorScalar>(
    _ x: [S], _ layout: ChannelLayout, mean: [S], inverseDeviation: [S], scale: [S], shift: [S]
) -> (output: [S], normalized: [S]) {
    let (batch, channels, spatial) = (layout.batch, layout.channels, layout.spatial)
    var y = [S](repeating: 0, count: x.count), normalized = [S](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { x in
        y.withUnsafeMutableBufferPointer { y in
            normalized.withUnsafeMutableBufferPointer { normalized in
                for n in 0..<batch {
                    for c in 0..<channels {
                        let base = (n * channels + c) * spatial
                        let (mu, k, w, b) = (mean[c], inverseDeviation[c], scale[c], shift[c])
                        for i in base..<(base + spatial) {
                            let h = (x[i] - mu) * k
                            normalized[i] = h
                            y[i] = h * w + b
                        }
                    }
                }
            }
        }
    }
    return (y, normalized)
}

/// Gradients of batch normalization with respect to the input, the weight and the bias.
@_specialize(where S == Float)
@_specialize(where S == Double)
private func normalizationBackward<S: TensorScalar>(
    _ g: [S], _ normalized: [S], _ layout: ChannelLayout, inverseDeviation: [S], scale: [S], training: Bool
) -> (input: [S], weight: [S], bias: [S]) {
    let (batch, channels, spatial) = (layout.batch, layout.channels, layout.spatial)
    let m = S(layout.perChannel)
    var dx = [S](repeating: 0, count: g.count)
    var dWeight = [S](repeating: 0, count: channels), dBias = [S](repeating: 0, count: channels)
    g.withUnsafeBufferPointer { g in
        normalized.withUnsafeBufferPointer { h in
            dx.withUnsafeMutableBufferPointer { dx in
                for c in 0..<channels {
                    var sumG: S = 0, sumGH: S = 0
                    for n in 0..<batch {
                        let base = (n * channels + c) * spatial
                        for i in base..<(base + spatial) {
                            sumG += g[i]
                            sumGH += g[i] * h[i]
                        }
                    }
                    dBias[c] = sumG
                    dWeight[c] = sumGH
                    let k = scale[c] * inverseDeviation[c]
                    let meanG = training ? sumG / m : 0, meanGH = training ? sumGH / m : 0
                    for n in 0..<batch {
                        let base = (n * channels + c) * spatial
                        for i in base..<(base + spatial) { dx[i] = k * (g[i] - meanG - h[i] * meanGH) }
                    }
                }
            }
        }
    }
    return (dx, dWeight, dBias)
}
