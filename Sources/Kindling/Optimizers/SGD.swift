/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay, exactly as
/// `torch.optim.SGD` (Sutskever et al. 2013 for the momentum form; Nesterov 1983).
///
/// Each step, for every parameter p with a gradient g:
/// g = g + weightDecay·p; with momentum μ > 0: b = g on the parameter's first step, else
/// b = μ·b + (1 − dampening)·g, and g = nesterov ? g + μ·b : b; then p = p − learningRate·g.
///
/// ```swift
/// let optimizer = try SGD(model.parameters, learningRate: 0.01, momentum: 0.9, nesterov: true)
/// ```
public final class SGD<Scalar: TensorScalar>: Optimizer {
    /// The parameters it updates, in the order given.
    public let parameters: [Parameter<Scalar>]
    /// The step size; must stay ≥ 0.
    public var learningRate: Double {
        didSet { precondition(learningRate >= 0, "SGD: invalid learning rate \(learningRate): it must be ≥ 0") }
    }
    /// The momentum factor μ (0: plain gradient descent).
    public let momentum: Double
    /// The dampening of the gradient's contribution to the momentum buffer.
    public let dampening: Double
    /// Whether the step uses Nesterov momentum, g + μ·b, instead of b.
    public let nesterov: Bool
    /// The L2 penalty coefficient added to the gradient as weightDecay·p.
    public let weightDecay: Double

    /// One momentum buffer per parameter, allocated at its first update.
    var momentumBuffers: [StateBuffer<Scalar>?]

    /// An optimizer of `parameters` with PyTorch's defaults.
    ///
    /// - Throws: `OptimizerError` for a negative learning rate, momentum or weight decay, for Nesterov
    ///   momentum without momentum > 0 and dampening 0, and for an empty or repeating parameter list.
    public init(_ parameters: [Parameter<Scalar>], learningRate: Double, momentum: Double = 0,
                dampening: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) throws {
        try OptimizerError.requireNonNegative(learningRate, "learning rate")
        try OptimizerError.requireNonNegative(momentum, "momentum")
        try OptimizerError.requireNonNegative(weightDecay, "weight decay")
        guard !dampening.isNaN else { throw OptimizerError("invalid dampening \(dampening)") }
        if nesterov && !(momentum > 0 && dampening == 0) {
            throw OptimizerError(
                "Nesterov momentum requires a momentum > 0 and zero dampening, got momentum \(momentum) and dampening \(dampening)")
        }
        try OptimizerError.requireDistinct(parameters)
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        momentumBuffers = Array(repeating: nil, count: parameters.count)
    }

    /// One update of every parameter that requires gradients and has one.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step() {
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.gradientForStep else { continue }
            var isFirstStep = false
            if momentum != 0 && momentumBuffers[index] == nil {
                momentumBuffers[index] = StateBuffer(zeros: gradient.count)
                isFirstStep = true
            }
            let buffer = momentumBuffers[index]?.elements
            parameter.updateInPlace { values in
                gradient.withUnsafeBufferPointer { gradient in
                    if buffer == nil && weightDecay == 0 {
                        return BLAS.axpy(count: values.count, alpha: Scalar(-learningRate),
                                         x: gradient.baseAddress!, y: values.baseAddress!)
                    }
                    ParallelChunks.forEach(count: values.count) { range in
                        UpdateKernels.sgd(
                            parameter: .init(rebasing: values[range]), gradient: .init(rebasing: gradient[range]),
                            momentumBuffer: buffer.map { .init(rebasing: $0[range]) }, isFirstStep: isFirstStep,
                            learningRate: Scalar(learningRate), momentum: Scalar(momentum),
                            gradientWeight: Scalar(1 - dampening), nesterov: nesterov, weightDecay: Scalar(weightDecay))
                    }
                }
            }
        }
    }
}
