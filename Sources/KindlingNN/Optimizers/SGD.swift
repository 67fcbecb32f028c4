import KindlingCore

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay, exactly as
/// `torch.optim.SGD` (Sutskever et al. 2013 for the momentum form; Nesterov 1983).
///
/// Each step, for every parameter p with a gradient g, with the learning rate and weight decay of its
/// group: g = −g when maximizing; g = g + weightDecay·p; with momentum μ > 0: b = g on the parameter's
/// first step, else b = μ·b + (1 − dampening)·g, and g = nesterov ? g + μ·b : b; then p = p − learningRate·g.
///
/// ```swift
/// let optimizer = try SGD(model.parameters, learningRate: 0.01, momentum: 0.9, nesterov: true)
/// ```
public final class SGD<Scalar: TensorScalar>: Optimizer {
    private var groups: ParameterGroups<Scalar>
    /// The parameters it updates, group after group.
    public var parameters: [Parameter<Scalar>] { groups.parameters }
    /// The groups of parameters with their own learning rates and weight decays.
    public var parameterGroups: [ParameterGroup<Scalar>] {
        get { groups.groups }
        set { groups.groups = newValue }
    }
    /// The step size of the groups without their own (checked ≥ 0 when the optimizer is made; a schedule
    /// may set any value, as PyTorch's do).
    public var learningRate: Double
    /// The momentum factor μ (0: plain gradient descent); a one-cycle schedule may change it between steps.
    public var momentum: Double
    /// The dampening of the gradient's contribution to the momentum buffer.
    public let dampening: Double
    /// Whether the step uses Nesterov momentum, g + μ·b, instead of b.
    public let nesterov: Bool
    /// The L2 penalty coefficient added to the gradient as weightDecay·p, for the groups without their own.
    public let weightDecay: Double
    /// Whether it ascends the objective instead of descending it (steps along +g).
    public let maximize: Bool

    /// One momentum buffer per parameter (indexed as `parameters`), allocated at its first update.
    var momentumBuffers: [StateBuffer<Scalar>?]

    /// An optimizer of `parameters` (one group) with PyTorch's defaults.
    ///
    /// - Throws: `OptimizerError` for a negative learning rate, momentum or weight decay, for Nesterov
    ///   momentum without momentum > 0 and dampening 0, and for an empty or repeating parameter list.
    public convenience init(
        _ parameters: [Parameter<Scalar>], learningRate: Double, momentum: Double = 0,
        dampening: Double = 0, nesterov: Bool = false, weightDecay: Double = 0,
        maximize: Bool = false
    ) throws {
        try self.init(
            [ParameterGroup(parameters)], learningRate: learningRate, momentum: momentum,
            dampening: dampening, nesterov: nesterov, weightDecay: weightDecay, maximize: maximize)
    }

    /// An optimizer of parameter groups, each with the learning rate and weight decay it sets or else
    /// these.
    ///
    /// - Throws: `OptimizerError` as the other initializer, also for a group's negative setting.
    public init(
        _ groups: [ParameterGroup<Scalar>], learningRate: Double, momentum: Double = 0,
        dampening: Double = 0, nesterov: Bool = false, weightDecay: Double = 0,
        maximize: Bool = false
    ) throws {
        try OptimizerError.requireNonNegative(learningRate, "learning rate")
        try OptimizerError.requireNonNegative(momentum, "momentum")
        try OptimizerError.requireNonNegative(weightDecay, "weight decay")
        guard !dampening.isNaN else { throw OptimizerError("invalid dampening \(dampening)") }
        if nesterov && !(momentum > 0 && dampening == 0) {
            throw OptimizerError(
                "Nesterov momentum requires a momentum > 0 and zero dampening, got momentum \(momentum) and dampening \(dampening)"
            )
        }
        self.groups = try ParameterGroups(groups)
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.maximize = maximize
        momentumBuffers = Array(repeating: nil, count: self.groups.parameters.count)
    }

    /// One update of every parameter that requires gradients and has one.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step() {
        groups.forEachUpdate(learningRate: learningRate, weightDecay: weightDecay) {
            step($0, gradient: $1, index: $2, learningRate: $3, weightDecay: $4)
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func step(
        _ parameter: Parameter<Scalar>, gradient: Tensor<Scalar>, index: Int, learningRate: Double,
        weightDecay: Double
    ) {
        var isFirstStep = false
        if momentum != 0 && momentumBuffers[index] == nil {
            momentumBuffers[index] = StateBuffer(zeros: gradient.count)
            isFirstStep = true
        }
        let buffer = momentumBuffers[index]?.elements
        let maximize = maximize
        parameter.updateInPlace { values in
            gradient.withUnsafeBufferPointer { gradient in
                if buffer == nil && weightDecay == 0 {
                    // p − lr·(−g) = p + lr·g exactly: negation is exact.
                    return BLAS.axpy(
                        count: values.count, alpha: Scalar(maximize ? learningRate : -learningRate),
                        x: gradient.baseAddress!, y: values.baseAddress!)
                }
                ParallelChunks.forEach(count: values.count) { range in
                    UpdateKernels.sgd(
                        parameter: .init(rebasing: values[range]), gradient: .init(rebasing: gradient[range]),
                        momentumBuffer: buffer.map { .init(rebasing: $0[range]) }, isFirstStep: isFirstStep,
                        learningRate: Scalar(learningRate), momentum: Scalar(momentum),
                        gradientWeight: Scalar(1 - dampening), nesterov: nesterov, weightDecay: Scalar(weightDecay),
                        maximize: maximize)
                }
            }
        }
    }
}
