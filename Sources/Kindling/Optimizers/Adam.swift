import Foundation

/// Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization") exactly as `torch.optim.Adam`,
/// and with `decoupledWeightDecay` AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay
/// Regularization") exactly as `torch.optim.AdamW`: one implementation, as in PyTorch.
///
/// Each step, for every parameter p with a gradient g, with t its own count of updates:
/// t = t + 1; weight decay λ: p = (1 − lr·λ)·p if decoupled, else g = g + λ·p;
/// m = β₁·m + (1 − β₁)·g; v = β₂·v + (1 − β₂)·g²;
/// p = p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε).
///
/// ```swift
/// let optimizer = try Adam(model.parameters, learningRate: 1e-3)
/// ```
public class Adam<Scalar: TensorScalar>: Optimizer {
    /// The parameters it updates, in the order given.
    public let parameters: [Parameter<Scalar>]
    /// The step size; must stay ≥ 0.
    public var learningRate: Double {
        didSet { precondition(learningRate >= 0, "Adam: invalid learning rate \(learningRate): it must be ≥ 0") }
    }
    /// The decay rates (β₁, β₂) of the moving averages of the gradient and of its square.
    public let betas: (Double, Double)
    /// The term ε added to the denominator for numerical stability.
    public let epsilon: Double
    /// The weight decay coefficient λ.
    public let weightDecay: Double
    /// True for AdamW's decoupled weight decay (p = (1 − lr·λ)·p), false for Adam's L2 penalty (g = g + λ·p).
    public let decoupledWeightDecay: Bool

    /// The moments and the update count of one parameter.
    final class State {
        let firstMoment: StateBuffer<Scalar>
        let secondMoment: StateBuffer<Scalar>
        var step = 0

        init(count: Int) {
            firstMoment = StateBuffer(zeros: count)
            secondMoment = StateBuffer(zeros: count)
        }
    }

    /// One state per parameter, allocated at its first update.
    var states: [State?]

    /// An optimizer of `parameters` with PyTorch's defaults for Adam.
    ///
    /// - Throws: `OptimizerError` for a negative learning rate, ε or weight decay, betas outside [0, 1),
    ///   and an empty or repeating parameter list.
    public init(_ parameters: [Parameter<Scalar>], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false) throws {
        try OptimizerError.requireNonNegative(learningRate, "learning rate")
        try OptimizerError.requireNonNegative(epsilon, "epsilon")
        try OptimizerError.requireUnitInterval(betas.0, "beta1")
        try OptimizerError.requireUnitInterval(betas.1, "beta2")
        try OptimizerError.requireNonNegative(weightDecay, "weight decay")
        try OptimizerError.requireDistinct(parameters)
        self.parameters = parameters
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        states = Array(repeating: nil, count: parameters.count)
    }

    /// One update of every parameter that requires gradients and has one.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step() {
        let (beta1, beta2) = betas
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.gradientForStep else { continue }
            let state = states[index] ?? State(count: gradient.count)
            states[index] = state
            state.step += 1
            let step = Double(state.step)
            let stepSize = Scalar(learningRate / (1 - pow(beta1, step)))
            let biasCorrection2Root = Scalar((1 - pow(beta2, step)).squareRoot())
            let parameterScale = Scalar(decoupledWeightDecay && weightDecay != 0 ? 1 - learningRate * weightDecay : 1)
            let gradientDecay = Scalar(decoupledWeightDecay ? 0 : weightDecay)
            let firstMomentWeight = Scalar(1 - beta1), secondMomentWeight = Scalar(1 - beta2)
            let firstMoment = state.firstMoment.elements, secondMoment = state.secondMoment.elements
            parameter.updateInPlace { values in
                gradient.withUnsafeBufferPointer { gradient in
                    ParallelChunks.forEach(count: values.count) { range in
                        UpdateKernels.adam(
                            parameter: .init(rebasing: values[range]), gradient: .init(rebasing: gradient[range]),
                            firstMoment: .init(rebasing: firstMoment[range]),
                            secondMoment: .init(rebasing: secondMoment[range]),
                            parameterScale: parameterScale, gradientDecay: gradientDecay,
                            firstMomentWeight: firstMomentWeight, beta2: Scalar(beta2),
                            secondMomentWeight: secondMomentWeight, epsilon: Scalar(epsilon),
                            stepSize: stepSize, biasCorrection2Root: biasCorrection2Root)
                    }
                }
            }
        }
    }
}

/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, p = (1 − lr·λ)·p before the Adam
/// update, and PyTorch's default λ = 0.01 (`torch.optim.AdamW`).
///
/// ```swift
/// let optimizer = try AdamW(model.parameters, learningRate: 1e-3, weightDecay: 0.01)
/// ```
public final class AdamW<Scalar: TensorScalar>: Adam<Scalar> {
    /// An optimizer of `parameters` with PyTorch's defaults for AdamW.
    ///
    /// - Throws: `OptimizerError` for a negative learning rate, ε or weight decay, betas outside [0, 1),
    ///   and an empty or repeating parameter list.
    public init(_ parameters: [Parameter<Scalar>], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 1e-2) throws {
        try super.init(parameters, learningRate: learningRate, betas: betas, epsilon: epsilon,
                       weightDecay: weightDecay, decoupledWeightDecay: true)
    }
}
