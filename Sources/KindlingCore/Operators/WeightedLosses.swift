import KindlingPlatform

// The classification losses with PyTorch's options: class weights, an ignored index, label smoothing,
// probability targets (cross-entropy), and positive and element weights (binary cross-entropy on logits).
// Each is one recorded operation whose backward is written beside its forward.

/// Cross-entropy of logits (N, C) against class indices with PyTorch's options
/// (`torch.nn.functional.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)`).
/// Logits (N, C, d1, ..., dk) take N·d1···dk class indices in the row-major order of (N, d1, ..., dk):
/// every position is a sample (as PyTorch's K-dimensional case, e.g. per-pixel segmentation), `.none`
/// gives shape (N, d1, ..., dk).
///
/// With p = logSoftmax(x), class weights w (all 1 when nil) and smoothing ε, sample n with class yₙ loses
/// ℓₙ = −(1 − ε)·w[yₙ]·p[n, yₙ] − (ε / C)·Σ_c w[c]·p[n, c], and 0 when yₙ is `ignoreIndex`.
/// `.mean` divides Σₙ ℓₙ by Σ w[yₙ] over the samples not ignored (PyTorch's weighted mean: with weights
/// this is not the plain mean; when every sample is ignored it is 0 / 0 = NaN, as in PyTorch), `.sum`
/// adds, `.none` gives the N values. The gradient with respect to x[n, j] is
/// sₙ·(softmax(x)[n, j]·Σ_c aₙc − aₙⱼ), with aₙc the coefficient of p[n, c] above and sₙ the reduction's
/// factor. No gradient flows to the weights.
///
/// ```swift
/// let loss = crossEntropy(logits, classIndices: labels, weight: Tensor([1, 2, 0.5]), ignoreIndex: -100,
///                         labelSmoothing: 0.1)
/// ```
@_disfavoredOverload
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func crossEntropy<Scalar>(
    _ logits: Tensor<Scalar>, classIndices: [Int], weight: Tensor<Scalar>? = nil, ignoreIndex: Int? = nil,
    labelSmoothing: Double = 0, reduction: Reduction = .mean
) -> Tensor<Scalar> {
    if logits.rank > 2 {
        return perPosition(logits, classIndices, reduction, operation: "crossEntropy") { flat in
            crossEntropy(
                flat, classIndices: classIndices, weight: weight, ignoreIndex: ignoreIndex,
                labelSmoothing: labelSmoothing, reduction: reduction)
        }
    }
    require(logits.rank == 2, "crossEntropy: expects logits of shape (N, C) or (N, C, d1, ...), got \(logits.shape)")
    let (samples, classes) = (logits.shape[0], logits.shape[1])
    require(
        classIndices.count == samples,
        "crossEntropy: \(classIndices.count) class indices for \(samples) samples (logits \(logits.shape))")
    if let bad = classIndices.first(where: { ($0 < 0 || $0 >= classes) && $0 != ignoreIndex }) {
        failRequirement(
            "crossEntropy: class index \(bad) is out of range for \(classes) classes"
                + (ignoreIndex.map { " (and is not the ignored index \($0))" } ?? ""))
    }
    let classWeights = checkedClassWeights("crossEntropy", weight, classes: classes)
    require(
        labelSmoothing >= 0 && labelSmoothing <= 1,
        "crossEntropy: label smoothing must be in [0, 1], got \(labelSmoothing)")
    let smoothing = Scalar(labelSmoothing)
    let spread = Scalar(labelSmoothing) / Scalar(classes)
    var coefficients = [Scalar](repeating: 0, count: samples * classes)
    var normalizer: Scalar = 0
    for (n, target) in classIndices.enumerated() where target != ignoreIndex {
        normalizer += classWeights[target]
        if spread != 0 { for c in 0..<classes { coefficients[n * classes + c] = spread * classWeights[c] } }
        coefficients[n * classes + target] += (1 - smoothing) * classWeights[target]
    }
    return softCrossEntropy(
        "crossEntropy", logits, coefficients, targets: nil, meanDivisor: normalizer,
        reduction: reduction)
}

/// Cross-entropy of logits (N, C) against class probabilities (N, C), e.g. soft labels or mixup
/// (`torch.nn.functional.cross_entropy` with a floating-point target).
///
/// With p = logSoftmax(x), class weights w (all 1 when nil) and smoothing ε, the targets become
/// t' = (1 − ε)·t + ε / C and sample n loses ℓₙ = −Σ_c w[c]·t'[n, c]·p[n, c]. `.mean` divides Σₙ ℓₙ by N
/// (not by the weights, as PyTorch), `.sum` adds, `.none` gives the N values. Gradients flow to the logits,
/// sₙ·(softmax(x)[n, j]·Σ_c aₙc − aₙⱼ) with aₙc = w[c]·t'[n, c], and to the targets, −sₙ·(1 − ε)·w[c]·p[n, c].
///
/// ```swift
/// let loss = crossEntropy(logits, probabilities: Tensor([[0.7, 0.2, 0.1], [0, 0.5, 0.5]]))
/// ```
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func crossEntropy<Scalar>(
    _ logits: Tensor<Scalar>, probabilities targets: Tensor<Scalar>, weight: Tensor<Scalar>? = nil,
    labelSmoothing: Double = 0, reduction: Reduction = .mean
) -> Tensor<Scalar> {
    require(logits.rank == 2, "crossEntropy: expects logits of shape (N, C), got \(logits.shape)")
    require(
        targets.shape == logits.shape,
        "crossEntropy: the target probabilities have shape \(targets.shape), the logits \(logits.shape); they must be equal"
    )
    let classes = logits.shape[1]
    let classWeights = checkedClassWeights("crossEntropy", weight, classes: classes)
    require(
        labelSmoothing >= 0 && labelSmoothing <= 1,
        "crossEntropy: label smoothing must be in [0, 1], got \(labelSmoothing)")
    let keep = 1 - Scalar(labelSmoothing)
    let spread = Scalar(labelSmoothing) / Scalar(classes)
    let coefficients = targets.scalars.enumerated().map { index, t in
        classWeights[index % classes] * (labelSmoothing == 0 ? t : t * keep + spread)
    }
    let targetScales = (0..<classes).map { classWeights[$0] * keep }
    return softCrossEntropy(
        "crossEntropy", logits, coefficients, targets: (targets, targetScales),
        meanDivisor: Scalar(logits.shape[0]), reduction: reduction)
}

/// −Σ_c a[n, c]·logSoftmax(x)[n, c] per sample, reduced (`.mean` divides the sum by `meanDivisor`), with
/// the gradients described at `crossEntropy`; `targets` (the target tensor and, per class, ∂a/∂t) when
/// the coefficients come from a target tensor that may need a gradient.
private func softCrossEntropy<Scalar: TensorScalar>(
    _ operation: String, _ logits: Tensor<Scalar>, _ coefficients: [Scalar],
    targets: (tensor: Tensor<Scalar>, scales: [Scalar])?, meanDivisor: Scalar, reduction: Reduction
) -> Tensor<Scalar> {
    let (samples, classes) = (logits.shape[0], logits.shape[1])
    let logProbabilities = withoutGradient { logSoftmax(logits.detached(), alongAxis: 1) }.scalars
    var losses = [Scalar](repeating: 0, count: samples)
    var totals = [Scalar](repeating: 0, count: samples)
    for n in 0..<samples {
        var loss: Scalar = 0
        var total: Scalar = 0
        for c in 0..<classes where coefficients[n * classes + c] != 0 {
            loss -= coefficients[n * classes + c] * logProbabilities[n * classes + c]
            total += coefficients[n * classes + c]
        }
        losses[n] = loss
        totals[n] = total
    }
    let result: Tensor<Scalar>
    switch reduction {
    case .none: result = Tensor(shape: [samples], scalars: losses)
    case .sum: result = Tensor(losses.reduce(0, +))
    case .mean: result = Tensor(losses.reduce(0, +) / meanDivisor)
    }
    let inputs = [logits] + (targets.map { [$0.tensor] } ?? [])
    guard Tensor.recording(inputs) else { return result }
    let logitsNeeded = logits.requiresGradient
    let targetsNeeded = targets?.tensor.requiresGradient ?? false
    let targetScales = targets?.scales ?? []
    return Tensor.record(operation, result, inputs: inputs) { gradient in
        let scales: [Scalar]
        switch reduction {
        case .none: scales = gradient.scalars
        case .sum: scales = [Scalar](repeating: gradient.scalar, count: samples)
        case .mean: scales = [Scalar](repeating: gradient.scalar / meanDivisor, count: samples)
        }
        var dx: [Scalar]? = nil
        var dt: [Scalar]? = nil
        if logitsNeeded {
            dx = [Scalar](unsafeUninitializedCapacity: samples * classes) { out, initialized in
                for n in 0..<samples {
                    for c in 0..<classes {
                        let i = n * classes + c
                        out[i] = scales[n] * (Scalar.exp(logProbabilities[i]) * totals[n] - coefficients[i])
                    }
                }
                initialized = samples * classes
            }
        }
        if targetsNeeded {
            dt = (0..<(samples * classes)).map { i in
                -scales[i / classes] * targetScales[i % classes] * logProbabilities[i]
            }
        }
        let shape = [samples, classes]
        return [dx.map { Tensor(shape: shape, scalars: $0) }]
            + (targets == nil ? [] : [dt.map { Tensor(shape: shape, scalars: $0) }])
    }
}

/// The negative log-likelihood of log-probabilities (N, C) at class indices with PyTorch's options
/// (`torch.nn.functional.nll_loss(input, target, weight, ignore_index, reduction)`): sample n with class yₙ
/// loses ℓₙ = −w[yₙ]·x[n, yₙ] (w all 1 when nil), and 0 when yₙ is `ignoreIndex`. `.mean` divides Σₙ ℓₙ by
/// Σ w[yₙ] over the samples not ignored (NaN when every sample is ignored, as PyTorch), `.sum` adds, `.none`
/// gives the N values. The gradient with respect to the log-probabilities (not through a softmax) is
/// −sₙ·w[yₙ] at [n, yₙ] and 0 elsewhere, sₙ the reduction's factor. Input (N, C, d1, ..., dk) takes
/// N·d1···dk class indices in the row-major order of (N, d1, ..., dk), as `crossEntropy`.
///
/// ```swift
/// let loss = negativeLogLikelihood(logSoftmax(logits, alongAxis: 1), classIndices: labels,
///                                  weight: Tensor([1, 2, 0.5]), ignoreIndex: -100)
/// ```
@_disfavoredOverload
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func negativeLogLikelihood<Scalar>(
    _ logProbabilities: Tensor<Scalar>, classIndices: [Int], weight: Tensor<Scalar>? = nil, ignoreIndex: Int? = nil,
    reduction: Reduction = .mean
) -> Tensor<Scalar> {
    if logProbabilities.rank > 2 {
        return perPosition(logProbabilities, classIndices, reduction, operation: "negativeLogLikelihood") { flat in
            negativeLogLikelihood(
                flat, classIndices: classIndices, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
        }
    }
    require(
        logProbabilities.rank == 2,
        "negativeLogLikelihood: expects an input of shape (N, C) or (N, C, d1, ...), got \(logProbabilities.shape)")
    let (samples, classes) = (logProbabilities.shape[0], logProbabilities.shape[1])
    require(
        classIndices.count == samples,
        "negativeLogLikelihood: \(classIndices.count) class indices for \(samples) samples (input \(logProbabilities.shape))"
    )
    if let bad = classIndices.first(where: { ($0 < 0 || $0 >= classes) && $0 != ignoreIndex }) {
        failRequirement(
            "negativeLogLikelihood: class index \(bad) is out of range for \(classes) classes"
                + (ignoreIndex.map { " (and is not the ignored index \($0))" } ?? ""))
    }
    let classWeights = checkedClassWeights("negativeLogLikelihood", weight, classes: classes)
    let x = logProbabilities.scalars
    var sampleWeights = [Scalar](repeating: 0, count: samples)
    for (n, target) in classIndices.enumerated() where target != ignoreIndex { sampleWeights[n] = classWeights[target] }
    let losses = (0..<samples).map { n in
        sampleWeights[n] == 0 ? 0 : -sampleWeights[n] * x[n * classes + classIndices[n]]
    }
    let normalizer = sampleWeights.reduce(0, +)
    let result: Tensor<Scalar>
    switch reduction {
    case .none: result = Tensor(shape: [samples], scalars: losses)
    case .sum: result = Tensor(losses.reduce(0, +))
    case .mean: result = Tensor(losses.reduce(0, +) / normalizer)
    }
    guard Tensor.recording(logProbabilities) else { return result }
    return Tensor.record("negativeLogLikelihood", result, inputs: [logProbabilities]) { gradient in
        var dx = [Scalar](repeating: 0, count: samples * classes)
        for n in 0..<samples where sampleWeights[n] != 0 {
            let scale: Scalar
            switch reduction {
            case .none: scale = gradient.scalars[n]
            case .sum: scale = gradient.scalar
            case .mean: scale = gradient.scalar / normalizer
            }
            dx[n * classes + classIndices[n]] = -scale * sampleWeights[n]
        }
        return [Tensor(shape: [samples, classes], scalars: dx)]
    }
}

/// A classification loss of an input (N, C, d1, ..., dk) computed by `loss` on the input seen as
/// (N·d1···dk, C) (the class axis moved last, every position a sample; the gradient flows back through
/// the permutation), its `.none` result shaped (N, d1, ..., dk).
private func perPosition<Scalar: TensorScalar>(
    _ input: Tensor<Scalar>, _ classIndices: [Int], _ reduction: Reduction, operation: String,
    _ loss: (Tensor<Scalar>) -> Tensor<Scalar>
) -> Tensor<Scalar> {
    let positionsShape = [input.shape[0]] + Array(input.shape[2...])
    let positions = positionsShape.reduce(1, *)
    require(
        classIndices.count == positions,
        "\(operation): \(classIndices.count) class indices for an input of shape \(input.shape); expected one per position of \(positionsShape), \(positions) in all"
    )
    let classesLast = input.permuted([0] + Array(2..<input.rank) + [1]).reshaped([positions, input.shape[1]])
    let result = loss(classesLast)
    return reduction == .none ? result.reshaped(positionsShape) : result
}

/// The class weights as C scalars (all 1 when nil); stops unless `weight` has shape [C].
private func checkedClassWeights<Scalar: TensorScalar>(_ operation: String, _ weight: Tensor<Scalar>?, classes: Int)
    -> [Scalar]
{
    guard let weight else { return [Scalar](repeating: 1, count: classes) }
    require(
        weight.shape == [classes], "\(operation): the class weights have shape \(weight.shape), expected [\(classes)]")
    return weight.scalars
}

/// Binary cross-entropy of sigmoid(x) against targets t, from the logits x, with a weight for the
/// positive class and a weight per element (`torch.nn.functional.binary_cross_entropy_with_logits(input,
/// target, weight, pos_weight=...)`).
///
/// With l = (positiveWeight − 1)·t + 1, each element loses
/// w·((1 − t)·x + l·(log(1 + e^−|x|) + max(−x, 0))), which is finite for logits of any size and equals
/// the unweighted loss when both weights are 1. `positiveWeight` (e.g. one per class, shape [C]) and
/// `weight` broadcast to the input's shape; `.mean` is the plain mean over the elements (PyTorch's), `.sum`
/// adds, `.none` keeps the shape. Gradients: w·((1 − t) − l·σ(−x)) for x and w·(−x + (positiveWeight − 1)
/// ·(log(1 + e^−|x|) + max(−x, 0))) for t, times the reduction's factor; none for the weights.
///
/// ```swift
/// let loss = binaryCrossEntropyWithLogits(logits, targets, positiveWeight: Tensor([3, 1, 0.5]))
/// ```
@_disfavoredOverload
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func binaryCrossEntropyWithLogits<Scalar>(
    _ logits: Tensor<Scalar>, _ targets: Tensor<Scalar>, weight: Tensor<Scalar>? = nil,
    positiveWeight: Tensor<Scalar>? = nil, reduction: Reduction = .mean
) -> Tensor<Scalar> {
    require(
        logits.shape == targets.shape,
        "binaryCrossEntropyWithLogits: the input has shape \(logits.shape) and the target \(targets.shape); they must be equal"
    )
    let shape = logits.shape
    let count = logits.count
    func expanded(_ tensor: Tensor<Scalar>?, _ name: String) -> [Scalar]? {
        guard let tensor else { return nil }
        require(
            broadcasts(tensor.shape, to: shape),
            "binaryCrossEntropyWithLogits: the \(name) of shape \(tensor.shape) does not broadcast to the input's \(shape)"
        )
        return withoutGradient { (tensor.detached() + Tensor.zeros(shape)).scalars }
    }
    let weights = expanded(weight, "weight")
    let positiveWeights = expanded(positiveWeight, "positive weight")
    let x = logits.scalars
    let t = targets.scalars
    // softplus(−x) = log(1 + e^−|x|) + max(−x, 0), kept for the loss and both gradients.
    let decays = Kernels.map(x) { Scalar.exp(-Swift.abs($0)) }
    let softplus = (0..<count).map { i -> Scalar in Scalar.log1p(decays[i]) + Swift.max(-x[i], 0) }
    func logWeight(_ i: Int) -> Scalar {
        guard let positiveWeights else { return 1 }
        return (positiveWeights[i] - 1) * t[i] + 1
    }
    let losses = (0..<count).map { i -> Scalar in
        let unweighted: Scalar = (1 - t[i]) * x[i] + logWeight(i) * softplus[i]
        return weights.map { $0[i] * unweighted } ?? unweighted
    }
    let result: Tensor<Scalar>
    switch reduction {
    case .none: result = Tensor(shape: shape, scalars: losses)
    case .sum: result = Tensor(losses.reduce(0, +))
    case .mean: result = Tensor(losses.reduce(0, +) / Scalar(count))
    }
    guard Tensor.recording(logits, targets) else { return result }
    let inputNeeded = logits.requiresGradient
    let targetNeeded = targets.requiresGradient
    return Tensor.record("binaryCrossEntropyWithLogits", result, inputs: [logits, targets]) { gradient in
        func scale(_ i: Int) -> Scalar {
            let factor: Scalar
            switch reduction {
            case .none: factor = gradient.scalars[i]
            case .sum: factor = gradient.scalar
            case .mean: factor = gradient.scalar / Scalar(count)
            }
            return factor * (weights?[i] ?? 1)
        }
        let dx =
            inputNeeded
            ? (0..<count).map { i -> Scalar in
                // σ(−x) = 1 / (1 + e^x) without overflow: e^−|x| / (1 + e^−|x|) for x ≥ 0, else 1 / (1 + e^−|x|).
                let e = decays[i]
                let sigmoidOfNegative = x[i] >= 0 ? e / (1 + e) : 1 / (1 + e)
                return scale(i) * ((1 - t[i]) - logWeight(i) * sigmoidOfNegative)
            } : nil
        let dt =
            targetNeeded
            ? (0..<count).map { i -> Scalar in
                let positiveExcess: Scalar = positiveWeights.map { $0[i] - 1 } ?? 0
                return scale(i) * (positiveExcess * softplus[i] - x[i])
            } : nil
        return [dx.map { Tensor(shape: shape, scalars: $0) }, dt.map { Tensor(shape: shape, scalars: $0) }]
    }
}

/// Whether `shape` broadcasts to `target` without changing it.
private func broadcasts(_ shape: [Int], to target: [Int]) -> Bool {
    shape.count <= target.count && zip(shape.reversed(), target.reversed()).allSatisfy { $0 == $1 || $0 == 1 }
}
