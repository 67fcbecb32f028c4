import KindlingPlatform

/// Batch normalization in training over the joint batch of several processes, each holding its own part
/// (Ioffe & Szegedy 2015; PyTorch's `SyncBatchNorm`): with m_c the joint batch's element count per channel,
///
///     mean_c = Σ_processes Σ x / m_c,   var_c = Σ_processes Σ (x − mean_c)² / m_c   (two passes)
///
/// and each process's output is its own rows normalized by them, as `batchNormalization` would compute on the
/// joint batch; the running statistics are updated as there with the unbiased joint variance
/// (var_c · m_c / (m_c − 1)). Backward, the sums Σ g and Σ g (x − mean_c) are summed over the processes and
/// the input's gradient is weight_c k_c (g − Σg / m_c − x̂ Σ g x̂ / m_c) with k_c = 1 / sqrt(var_c + ε): the
/// gradient of the sum of every process's loss with respect to this process's rows. The weight's and the
/// bias's gradients are this process's own (Σ g x̂, Σ g), which data-parallel training then averages.
///
/// So N processes with batches of B, whose gradients are averaged, make the updates of one process with
/// the joint batch of N·B (the losses being means over each batch).
///
/// `sum` must be called in the same order by every process (it is a collective): twice forward, once
/// backward when the input needs a gradient.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func synchronizedBatchNormalization<Scalar: TensorScalar>(
    _ input: Tensor<Scalar>, weight: Tensor<Scalar>?, bias: Tensor<Scalar>?,
    runningMean: inout Tensor<Scalar>, runningVariance: inout Tensor<Scalar>,
    momentum: Scalar, epsilon: Scalar, sum: @escaping ([Scalar]) -> [Scalar]
) -> Tensor<Scalar> {
    let layout = ChannelLayout(shape: input.shape)
    let channels = layout.channels
    let x = input.scalars
    let (totals, squares, mean): ([Scalar], [Scalar], [Scalar]) = x.withUnsafeBufferPointer { x in
        let x = x.baseAddress!
        let totals = sum(
            channelSums(layout) { base, _, length in Scalar.sum(x + base, count: length) } + [
                Scalar(layout.perChannel)
            ])
        let count = totals[channels]
        let mean = totals[..<channels].map { $0 / count }
        let squares = sum(
            channelSums(layout) { base, c, length in Scalar.sumOfSquares(x + base, count: length, about: mean[c]) })
        return (totals, squares, mean)
    }
    let count = totals[channels]
    require(
        count > 1,
        "batchNormalization: training needs more than 1 value per channel over every process's batch, got \(count)")
    let variance = squares.map { $0 / count }
    let scale = weight?.scalars ?? [Scalar](repeating: 1, count: channels)
    let shift = bias?.scalars ?? [Scalar](repeating: 0, count: channels)
    let (output, _, _) = normalizeChannels(
        x, layout, statistics: (mean, variance), scale: scale, shift: shift, epsilon: epsilon, rectified: false)
    let correction = count / (count - 1)
    runningMean = Tensor(
        shape: [channels], scalars: Kernels.zip(runningMean.scalars, mean) { (1 - momentum) * $0 + momentum * $1 })
    runningVariance = Tensor(
        shape: [channels],
        scalars: Kernels.zip(runningVariance.scalars, variance) { (1 - momentum) * $0 + momentum * $1 * correction })
    let result = Tensor(shape: input.shape, scalars: output)

    let operands = [input, weight, bias].compactMap { $0 }
    guard Tensor.recording(operands) else { return result }
    let needsInput = input.requiresGradient
    let needs = (weight?.requiresGradient ?? false, bias?.requiresGradient ?? false)
    let (hasWeight, hasBias) = (weight != nil, bias != nil)
    let k = variance.map { inverseDeviation($0, epsilon) }
    return Tensor.record("synchronizedBatchNormalization", result, inputs: operands) { gradient in
        let g = gradient.scalars
        var gradients: [Tensor<Scalar>?] = [nil]
        let (sumG, sumGX) = g.withUnsafeBufferPointer { g in
            x.withUnsafeBufferPointer { x in
                let (g, x) = (g.baseAddress!, x.baseAddress!)
                let sumG = channelSums(layout) { base, _, length in Scalar.sum(g + base, count: length) }
                let sumGX = channelSums(layout) { base, c, length in
                    Scalar.sumOfProducts(g + base, x + base, count: length, about: mean[c])
                }
                guard needsInput else { return (sumG, sumGX) }
                let joint = sum(sumG + sumGX)
                let dx = [Scalar](unsafeUninitializedCapacity: layout.shape.reduce(1, *)) { dx, initialized in
                    let dx = dx.baseAddress!
                    forEachRun(layout) { base, c, length in
                        Scalar.batchNormRunBackward(
                            g + base, input: x + base, into: dx + base, count: length, factor: scale[c] * k[c],
                            meanG: joint[c] / count, mean: mean[c], k: k[c], meanGH: joint[channels + c] * k[c] / count)
                    }
                    initialized = layout.shape.reduce(1, *)
                }
                gradients[0] = Tensor(shape: layout.shape, scalars: dx)
                return (sumG, sumGX)
            }
        }
        if hasWeight {
            gradients.append(needs.0 ? Tensor(shape: [channels], scalars: zip(sumGX, k).map { $0 * $1 }) : nil)
        }
        if hasBias { gradients.append(needs.1 ? Tensor(shape: [channels], scalars: sumG) : nil) }
        return gradients
    }
}

/// The per-channel sums over an input (N, C, L...) laid out as `layout`: `runSum(base, c, length)` is the sum
/// over one run (the `length` contiguous values of channel c in one example, starting at offset `base`), and
/// a channel's runs are added in example order, as `normalizeChannels` adds them. Channels are split between
/// the cores.
private func channelSums<S: TensorScalar>(
    _ layout: ChannelLayout, _ runSum: (_ base: Int, _ channel: Int, _ length: Int) -> S
) -> [S] {
    [S](unsafeUninitializedCapacity: layout.channels) { sums, initialized in
        let sums = sums.baseAddress!
        ParallelChunks.forEach(count: layout.channels, elementsPerItem: layout.perChannel) { range in
            for c in range {
                var total: S = 0
                for n in 0..<layout.batch {
                    total += runSum((n * layout.channels + c) * layout.spatial, c, layout.spatial)
                }
                (sums + c).initialize(to: total)
            }
        }
        initialized = layout.channels
    }
}

/// Calls `body(base, c, length)` for every run of the input (see `channelSums`), the channels split between
/// the cores.
private func forEachRun(_ layout: ChannelLayout, _ body: (_ base: Int, _ channel: Int, _ length: Int) -> Void) {
    ParallelChunks.forEach(count: layout.channels, elementsPerItem: layout.perChannel) { range in
        for c in range {
            for n in 0..<layout.batch { body((n * layout.channels + c) * layout.spatial, c, layout.spatial) }
        }
    }
}
