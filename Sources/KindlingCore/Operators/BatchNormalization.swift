import KindlingPlatform

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
///   - input: the batch, (N, C) or (N, C, L...).
///   - weight: per-channel scale, shape (C); nil means 1 (PyTorch's `affine=False`).
///   - bias: per-channel shift, shape (C); nil means 0.
///   - runningMean: the per-channel running mean, shape (C), updated in place in training.
///   - runningVariance: the per-channel running (unbiased) variance, shape (C), updated in place in training.
///   - training: normalize with the batch's statistics and update the running ones (true), or with the
///     running statistics (false).
///   - momentum: the weight of the batch's statistics in the running update (PyTorch's 0.1).
///   - epsilon: added to the variance before the square root (PyTorch's 1e-5).
///   - applyingReLU: returns relu(batchNormalization(...)) with the values and gradients of the two
///     operations one after the other, in one pass over the data each way instead of two (`Sequential`
///     fuses a BatchNorm followed by a ReLU this way when no module hook is registered).
///   - sum: in training, normalize over the union of the batches of several processes (synchronized batch
///     normalization, PyTorch's `SyncBatchNorm`): `sum` returns the element-wise sums over the processes of
///     the per-channel sums it is given (KindlingDistributed's allreduce), and the statistics, the running
///     update and the input's gradient are those of the joint batch; see `synchronizedBatchNormalization`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func batchNormalization<Scalar>(
    _ input: Tensor<Scalar>, weight: Tensor<Scalar>?, bias: Tensor<Scalar>?,
    runningMean: inout Tensor<Scalar>, runningVariance: inout Tensor<Scalar>,
    training: Bool, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5, applyingReLU: Bool = false,
    summingAcrossProcesses sum: (([Scalar]) -> [Scalar])? = nil
) -> Tensor<Scalar> {
    require(input.rank >= 2, "batchNormalization: expects an input (N, C) or (N, C, ...), got \(input.shape)")
    if training, let sum {
        let output = synchronizedBatchNormalization(
            input, weight: weight, bias: bias, runningMean: &runningMean, runningVariance: &runningVariance,
            momentum: momentum, epsilon: epsilon, sum: sum)
        return applyingReLU ? relu(output) : output
    }
    let layout = ChannelLayout(shape: input.shape)
    let channels = layout.channels
    for (name, tensor) in [
        ("weight", weight), ("bias", bias), ("runningMean", runningMean), ("runningVariance", runningVariance),
    ] {
        guard let tensor else { continue }
        require(
            tensor.shape == [channels],
            "batchNormalization: \(name) has shape \(tensor.shape), but the input \(input.shape) has \(channels) channels"
        )
    }
    require(
        !training || layout.perChannel > 1,
        "batchNormalization: training needs more than 1 value per channel, got input shape \(input.shape)")
    require(
        epsilon >= 0 && momentum >= 0 && momentum <= 1,
        "batchNormalization: needs epsilon >= 0 and momentum in [0, 1], got \(epsilon) and \(momentum)")

    let scale = weight?.scalars ?? [Scalar](repeating: 1, count: channels)
    let shift = bias?.scalars ?? [Scalar](repeating: 0, count: channels)
    let statistics = training ? nil : (mean: runningMean.scalars, variance: runningVariance.scalars)
    let (output, mean, variance) = normalizeChannels(
        input.scalars, layout, statistics: statistics,
        scale: scale, shift: shift, epsilon: epsilon,
        rectified: applyingReLU)
    if training {
        let correction = Scalar(layout.perChannel) / Scalar(layout.perChannel - 1)
        runningMean = Tensor(
            shape: [channels],
            scalars: Kernels.zip(runningMean.scalars, mean) {
                (1 - momentum) * $0 + momentum * $1
            })
        runningVariance = Tensor(
            shape: [channels],
            scalars: Kernels.zip(runningVariance.scalars, variance) {
                (1 - momentum) * $0 + momentum * $1 * correction
            })
    }
    let result = Tensor(shape: input.shape, scalars: output)

    let operands = [input, weight, bias].compactMap { $0 }
    guard Tensor.recording(operands) else { return result }
    let needs = (input.requiresGradient, weight?.requiresGradient ?? false, bias?.requiresGradient ?? false)
    let hasWeight = weight != nil
    let hasBias = bias != nil
    let x = input.scalars
    return Tensor.record("batchNormalization", result, inputs: operands) { gradient in
        let (dx, dWeight, dBias) = normalizationBackward(
            gradient.scalars, x, layout, mean: mean, variance: variance, epsilon: epsilon, scale: scale,
            training: training, needsInput: needs.0, rectifiedOutput: applyingReLU ? output : nil)
        var gradients: [Tensor<Scalar>?] = [needs.0 ? Tensor(shape: layout.shape, scalars: dx) : nil]
        if hasWeight { gradients.append(needs.1 ? Tensor(shape: [channels], scalars: dWeight) : nil) }
        if hasBias { gradients.append(needs.2 ? Tensor(shape: [channels], scalars: dBias) : nil) }
        return gradients
    }
}

/// A shape (N, C, L...) seen as N blocks of C channels of `spatial` contiguous elements each.
struct ChannelLayout {
    package let shape: [Int]
    package let batch: Int
    package let channels: Int
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

/// 1 / sqrt(variance + epsilon), the factor that normalizes a channel.
@inline(__always)
func inverseDeviation<S: TensorScalar>(_ variance: S, _ epsilon: S) -> S {
    1 / (variance + epsilon).squareRoot()
}

/// y = scale_c (x - mean_c) / sqrt(var_c + epsilon) + shift_c, with the batch's mean and biased variance
/// per channel (two passes: the mean, then the squared deviations from it) when `statistics` is nil,
/// followed by ReLU when `rectified`.
/// Channels are independent: each is done whole (statistics, then output) while it is in cache, and the
/// channels are split between the cores.
@_specialize(where S == Float)
@_specialize(where S == Double)
func normalizeChannels<S: TensorScalar>(
    _ x: [S], _ layout: ChannelLayout, statistics: (mean: [S], variance: [S])?, scale: [S], shift: [S], epsilon: S,
    rectified: Bool
) -> (output: [S], mean: [S], variance: [S]) {
    let (batch, channels, spatial) = (layout.batch, layout.channels, layout.spatial)
    let m = S(layout.perChannel)
    var mean = statistics?.mean ?? [S](repeating: 0, count: channels)
    var variance = statistics?.variance ?? [S](repeating: 0, count: channels)
    let y = [S](unsafeUninitializedCapacity: x.count) { y, initialized in
        x.withUnsafeBufferPointer { x in
            mean.withUnsafeMutableBufferPointer { mean in
                variance.withUnsafeMutableBufferPointer { variance in
                    let (x, y, mean, variance) = (
                        x.baseAddress!, y.baseAddress!, mean.baseAddress!, variance.baseAddress!
                    )
                    ParallelChunks.forEach(count: channels, elementsPerItem: layout.perChannel) { range in
                        for c in range {
                            if statistics == nil {
                                var total: S = 0
                                for n in 0..<batch { total += S.sum(x + (n * channels + c) * spatial, count: spatial) }
                                let average = total / m
                                var squares: S = 0
                                for n in 0..<batch {
                                    let run = x + (n * channels + c) * spatial
                                    squares += S.sumOfSquares(run, count: spatial, about: average)
                                }
                                mean[c] = average
                                variance[c] = squares / m
                            }
                            let (mu, k) = (mean[c], inverseDeviation(variance[c], epsilon))
                            let (w, b) = (scale[c], shift[c])
                            for n in 0..<batch {
                                let base = (n * channels + c) * spatial
                                S.batchNormRun(
                                    x + base, into: y + base, count: spatial, mean: mu, k: k, weight: w,
                                    bias: b, rectified: rectified)
                            }
                        }
                    }
                }
            }
        }
        initialized = x.count
    }
    return (y, mean, variance)
}

/// Gradients of batch normalization with respect to the input, the weight and the bias, with
/// x̂ = (x - mean_c) k_c, k_c = 1 / sqrt(var_c + epsilon), recomputed from the input rather than stored:
/// dBias_c = Σ g, dWeight_c = Σ g x̂, and (in training) dx = scale_c k_c (g - mean(g) - x̂ mean(g x̂)).
/// With `rectifiedOutput` (the output of a batch normalization fused with ReLU), g is first zeroed where
/// that output is <= 0, as ReLU's backward does, one channel at a time in a buffer that stays in cache.
@_specialize(where S == Float)
@_specialize(where S == Double)
private func normalizationBackward<S: TensorScalar>(
    _ g: [S], _ x: [S], _ layout: ChannelLayout, mean: [S], variance: [S], epsilon: S, scale: [S],
    training: Bool, needsInput: Bool, rectifiedOutput: [S]?
) -> (input: [S], weight: [S], bias: [S]) {
    let (batch, channels, spatial) = (layout.batch, layout.channels, layout.spatial)
    let m = S(layout.perChannel)
    var dWeight = [S](repeating: 0, count: channels)
    var dBias = [S](repeating: 0, count: channels)
    let dx = [S](unsafeUninitializedCapacity: needsInput ? g.count : 0) { dx, initialized in
        g.withUnsafeBufferPointer { g in
            x.withUnsafeBufferPointer { x in
                rectifiedOutput.withBaseAddress { y in
                    dWeight.withUnsafeMutableBufferPointer { dWeight in
                        dBias.withUnsafeMutableBufferPointer { dBias in
                            let (g, x, dx) = (g.baseAddress!, x.baseAddress!, needsInput ? dx.baseAddress : nil)
                            let (dWeight, dBias) = (dWeight.baseAddress!, dBias.baseAddress!)
                            ParallelChunks.forEach(count: channels, elementsPerItem: layout.perChannel) { range in
                                // One channel's gradient masked by the fused ReLU, reused for every channel of the range.
                                let masked = UnsafeMutablePointer<S>.allocate(
                                    capacity: y == nil ? 0 : layout.perChannel)
                                defer { masked.deallocate() }
                                for c in range {
                                    /// The upstream gradient of run n of channel c (masked when fused with ReLU).
                                    var run: (Int) -> UnsafePointer<S> = { n in g + (n * channels + c) * spatial }
                                    if let y {
                                        for n in 0..<batch {
                                            let base = (n * channels + c) * spatial
                                            S.reluBackward(
                                                g + base, output: y + base, into: masked + n * spatial,
                                                count: spatial)
                                        }
                                        run = { n in UnsafePointer(masked + n * spatial) }
                                    }
                                    let (mu, k) = (mean[c], inverseDeviation(variance[c], epsilon))
                                    var sumG: S = 0
                                    var sumGX: S = 0
                                    for n in 0..<batch {
                                        let base = (n * channels + c) * spatial
                                        sumG += S.sum(run(n), count: spatial)
                                        sumGX += S.sumOfProducts(run(n), x + base, count: spatial, about: mu)
                                    }
                                    let sumGH = sumGX * k
                                    dBias[c] = sumG
                                    dWeight[c] = sumGH
                                    guard let dx else { continue }
                                    let factor = scale[c] * k
                                    let meanG = training ? sumG / m : 0
                                    let meanGH = training ? sumGH / m : 0
                                    for n in 0..<batch {
                                        let base = (n * channels + c) * spatial
                                        S.batchNormRunBackward(
                                            run(n), input: x + base, into: dx + base,
                                            count: spatial, factor: factor, meanG: meanG, mean: mu,
                                            k: k, meanGH: meanGH)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        initialized = needsInput ? g.count : 0
    }
    return (dx, dWeight, dBias)
}
