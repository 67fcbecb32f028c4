import KindlingPlatform

// Loss functions with PyTorch's semantics (torch.nn.functional). Each one is a single recorded operation
// whose backward is written beside its forward.

/// How a loss combines the losses of the individual elements (or samples), as PyTorch's `reduction`.
public enum Reduction: Sendable {
    /// The average (PyTorch's default).
    case mean
    /// The total.
    case sum
    /// No reduction: one loss per element (per sample for the classification losses).
    case none
}

/// The mean squared error (prediction - target)² (`torch.nn.functional.mse_loss`). Both tensors have
/// the same shape; both receive gradients: ±2 (prediction - target), times 1/n for the mean.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func meanSquaredError<Scalar>(
    _ prediction: Tensor<Scalar>, _ target: Tensor<Scalar>, reduction: Reduction = .mean
) -> Tensor<Scalar> {
    elementwiseLoss(
        "meanSquaredError", prediction, target, reduction: reduction,
        loss: { x, t in (x - t) * (x - t) },
        inputDerivative: { x, t in 2 * (x - t) },
        targetDerivative: { x, t in 2 * (t - x) })
}

/// Binary cross-entropy of probabilities p against targets t in [0, 1]
/// (`torch.nn.functional.binary_cross_entropy`): -(t log p + (1 - t) log(1 - p)), where each logarithm
/// is clamped at -100 as PyTorch does, so that p = 0 or 1 gives a finite loss. The gradient with
/// respect to p is (p - t) / max(p (1 - p), ε) with PyTorch's ε, the Float nearest 1e-12; with respect to t
/// it is log(1 - p) - log p.
/// Prefer `binaryCrossEntropyWithLogits` on logits: it is exact where the sigmoid saturates.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func binaryCrossEntropy<Scalar>(
    _ probabilities: Tensor<Scalar>, _ targets: Tensor<Scalar>, reduction: Reduction = .mean
) -> Tensor<Scalar> {
    if let outside = probabilities.scalars.first(where: { !($0 >= 0 && $0 <= 1) }) {
        failRequirement("binaryCrossEntropy: every probability must be in [0, 1], found \(outside)")
    }
    return elementwiseLoss(
        "binaryCrossEntropy", probabilities, targets, reduction: reduction,
        loss: { p, t in
            (t - 1) * Swift.max(Scalar.log1p(-p), -100) - t * Swift.max(Scalar.log(p), -100)
        },
        inputDerivative: { p, t in (p - t) / Swift.max(p * (1 - p), Scalar(Float(1e-12))) },
        targetDerivative: { p, _ in Scalar.log1p(-p) - Scalar.log(p) })
}

/// Binary cross-entropy of sigmoid(x) against targets t, from the logits x
/// (`torch.nn.functional.binary_cross_entropy_with_logits`), in PyTorch's stable form
/// (1 - t) x - min(x, 0) + log(1 + e^-|x|) = (1 - t) x - log sigmoid(x), finite and exact for logits of
/// any size (±1000 included); as in PyTorch, x = +inf with t = 0 gives +inf and x = -inf with t = 1 NaN.
/// The gradient with respect to x is sigmoid(x) - t, with respect to t it is -x (times 1/n for the mean).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func binaryCrossEntropyWithLogits<Scalar>(
    _ logits: Tensor<Scalar>, _ targets: Tensor<Scalar>, reduction: Reduction = .mean
) -> Tensor<Scalar> {
    require(
        logits.shape == targets.shape,
        "binaryCrossEntropyWithLogits: the input has shape \(logits.shape) and the target \(targets.shape); they must be equal"
    )
    // e^-|x| is taken once per element and kept: the loss needs log(1 + e^-|x|) and the gradient needs
    // sigmoid(x), which is 1 / (1 + e^-|x|) for x >= 0 and e^-|x| / (1 + e^-|x|) otherwise (as stableSigmoid).
    let x = logits.scalars
    let t = targets.scalars
    let count = x.count
    let decays = Kernels.map(x) { Scalar.exp(-Swift.abs($0)) }
    let losses = [Scalar](unsafeUninitializedCapacity: count) { out, initialized in
        for i in 0..<count { out[i] = (1 - t[i]) * x[i] - Swift.min(x[i], 0) + Scalar.log1p(decays[i]) }
        initialized = count
    }
    let result = reduced(losses, reduction, shape: logits.shape)
    guard Tensor.recording(logits, targets) else { return result }
    let shape = logits.shape
    let inputNeeded = logits.requiresGradient
    let targetNeeded = targets.requiresGradient
    return Tensor.record("binaryCrossEntropyWithLogits", result, inputs: [logits, targets]) { gradient in
        let weights = elementWeights(gradient, reduction, count: count)
        let dx =
            inputNeeded
            ? [Scalar](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count {
                    let e = decays[i]
                    let sigmoid = x[i] >= 0 ? 1 / (1 + e) : e / (1 + e)
                    out[i] = (sigmoid - t[i]) * weights[i]
                }
                initialized = count
            } : nil
        let dt = targetNeeded ? Kernels.zip(x, weights) { x, w in -x * w } : nil
        return [dx.map { Tensor(shape: shape, scalars: $0) }, dt.map { Tensor(shape: shape, scalars: $0) }]
    }
}

/// Cross-entropy of logits (N, C) against class indices (`torch.nn.functional.cross_entropy`): for each
/// sample n, log Σ_c e^x[n,c] - x[n, y_n], computed with the row maximum subtracted, so it is finite for
/// logits of any size. The gradient is softmax(x[n]) - onehot(y_n) (times 1/N for the mean). Logits
/// (N, C, d1, ..., dk) take one class index per position of (N, d1, ..., dk), in row-major order (see the
/// overload with `weight:`).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func crossEntropy<Scalar>(
    _ logits: Tensor<Scalar>, classIndices: [Int], reduction: Reduction = .mean
) -> Tensor<Scalar> {
    if logits.rank > 2 {
        return crossEntropy(
            logits, classIndices: classIndices, weight: nil, ignoreIndex: nil, labelSmoothing: 0, reduction: reduction)
    }
    let (samples, classes) = checkClassification("crossEntropy", logits, classIndices)
    let logProbabilities = withoutGradient { logSoftmax(logits.detached(), alongAxis: 1) }.scalars
    let losses = classIndices.enumerated().map { n, c in -logProbabilities[n * classes + c] }
    let result = reduced(losses, reduction)
    guard Tensor.recording(logits) else { return result }
    return Tensor.record("crossEntropy", result, inputs: [logits]) { gradient in
        let weights = elementWeights(gradient, reduction, count: samples)
        var dx = [Scalar](repeating: 0, count: samples * classes)
        for n in 0..<samples {
            for c in 0..<classes { dx[n * classes + c] = weights[n] * Scalar.exp(logProbabilities[n * classes + c]) }
            dx[n * classes + classIndices[n]] -= weights[n]
        }
        return [Tensor(shape: [samples, classes], scalars: dx)]
    }
}

/// The negative log-likelihood of log-probabilities (N, C) at class indices
/// (`torch.nn.functional.nll_loss`): -x[n, y_n] for each sample n. The gradient is -1 at the chosen
/// class of each sample and 0 elsewhere (times 1/N for the mean). For class weights, an ignored index or
/// an input (N, C, d1, ..., dk), see the overload with `weight:`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func negativeLogLikelihood<Scalar>(
    _ logProbabilities: Tensor<Scalar>, classIndices: [Int], reduction: Reduction = .mean
) -> Tensor<Scalar> {
    if logProbabilities.rank > 2 {
        return negativeLogLikelihood(
            logProbabilities, classIndices: classIndices, weight: nil, ignoreIndex: nil, reduction: reduction)
    }
    let (samples, classes) = checkClassification("negativeLogLikelihood", logProbabilities, classIndices)
    let losses = classIndices.enumerated().map { n, c in -logProbabilities.scalars[n * classes + c] }
    let result = reduced(losses, reduction)
    guard Tensor.recording(logProbabilities) else { return result }
    return Tensor.record("negativeLogLikelihood", result, inputs: [logProbabilities]) { gradient in
        let weights = elementWeights(gradient, reduction, count: samples)
        var dx = [Scalar](repeating: 0, count: samples * classes)
        for n in 0..<samples { dx[n * classes + classIndices[n]] = -weights[n] }
        return [Tensor(shape: [samples, classes], scalars: dx)]
    }
}

/// A loss that is a function of (input, target) element pairs, reduced; both operands get gradients
/// from the two partial derivatives.
private func elementwiseLoss<Scalar>(
    _ operation: String, _ input: Tensor<Scalar>, _ target: Tensor<Scalar>, reduction: Reduction,
    loss: (Scalar, Scalar) -> Scalar,
    inputDerivative: @escaping (Scalar, Scalar) -> Scalar,
    targetDerivative: @escaping (Scalar, Scalar) -> Scalar
) -> Tensor<Scalar> {
    require(
        input.shape == target.shape,
        "\(operation): the input has shape \(input.shape) and the target \(target.shape); they must be equal")
    let result = reduced(Kernels.zip(input.scalars, target.scalars, loss), reduction, shape: input.shape)
    guard Tensor.recording(input, target) else { return result }
    let x = input.scalars
    let t = target.scalars
    let shape = input.shape
    let inputNeeded = input.requiresGradient
    let targetNeeded = target.requiresGradient
    return Tensor.record(operation, result, inputs: [input, target]) { gradient in
        let weights = elementWeights(gradient, reduction, count: x.count)
        func partial(_ derivative: @escaping (Scalar, Scalar) -> Scalar) -> Tensor<Scalar> {
            Tensor(
                shape: shape,
                scalars: [Scalar](unsafeUninitializedCapacity: x.count) { out, initialized in
                    for i in 0..<x.count { out[i] = derivative(x[i], t[i]) * weights[i] }
                    initialized = x.count
                })
        }
        return [inputNeeded ? partial(inputDerivative) : nil, targetNeeded ? partial(targetDerivative) : nil]
    }
}

/// The per-element losses combined as `reduction` asks; `shape` is kept for `.none`.
private func reduced<Scalar>(_ losses: [Scalar], _ reduction: Reduction, shape: [Int]? = nil) -> Tensor<Scalar> {
    switch reduction {
    case .none: return Tensor(shape: shape ?? [losses.count], scalars: losses)
    case .sum: return Tensor(losses.reduce(0, +))
    case .mean: return Tensor(losses.reduce(0, +) / Scalar(losses.count))
    }
}

/// The weight of each element's loss in the reduced result's gradient: g / n for the mean, g for the
/// sum, g_i for no reduction.
private func elementWeights<Scalar>(_ gradient: Tensor<Scalar>, _ reduction: Reduction, count: Int) -> [Scalar] {
    switch reduction {
    case .none: return gradient.scalars
    case .sum: return [Scalar](repeating: gradient.scalar, count: count)
    case .mean: return [Scalar](repeating: gradient.scalar / Scalar(count), count: count)
    }
}

/// Checks the (N, C) input and the N class indices of a classification loss; returns (N, C).
private func checkClassification<Scalar>(
    _ operation: String, _ input: Tensor<Scalar>, _ classIndices: [Int]
) -> (samples: Int, classes: Int) {
    require(input.rank == 2, "\(operation): expects an input of shape (N, C), got \(input.shape)")
    let (samples, classes) = (input.shape[0], input.shape[1])
    require(
        classIndices.count == samples,
        "\(operation): \(classIndices.count) class indices for \(samples) samples (input shape \(input.shape))")
    if let sample = classIndices.firstIndex(where: { $0 < 0 || $0 >= classes }) {
        failRequirement(
            "\(operation): class index \(classIndices[sample]) (sample \(sample)) is out of range for \(classes) classes"
        )
    }
    return (samples, classes)
}
