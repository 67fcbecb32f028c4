import Foundation
import KindlingCore

/// Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization") exactly as `torch.optim.Adam`,
/// and with `decoupledWeightDecay` AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay
/// Regularization") exactly as `torch.optim.AdamW`: one implementation, as in PyTorch. With `amsgrad`,
/// the AMSGrad variant (Reddi et al. 2018, "On the Convergence of Adam and Beyond").
///
/// Each step, for every parameter p with a gradient g, with t its own count of updates and the learning
/// rate and weight decay λ of its group: g = −g when maximizing; t = t + 1;
/// weight decay: p = (1 − lr·λ)·p if decoupled, else g = g + λ·p;
/// m = β₁·m + (1 − β₁)·g; v = β₂·v + (1 − β₂)·g²; v̂ = amsgrad ? max(v̂, v) : v;
/// p = p − (lr / (1 − β₁ᵗ))·m / (√v̂ / √(1 − β₂ᵗ) + ε).
///
/// ```swift
/// let optimizer = try Adam(model.parameters, learningRate: 1e-3, amsgrad: true)
/// ```
public class Adam<Scalar: TensorScalar>: Optimizer {
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
    /// The decay rates (β₁, β₂) of the moving averages of the gradient and of its square; a one-cycle
    /// schedule may change β₁ between steps.
    public var betas: (Double, Double)
    /// The term ε added to the denominator for numerical stability.
    public let epsilon: Double
    /// The weight decay coefficient λ of the groups without their own.
    public let weightDecay: Double
    /// True for AdamW's decoupled weight decay (p = (1 − lr·λ)·p), false for Adam's L2 penalty (g = g + λ·p).
    public let decoupledWeightDecay: Bool
    /// Whether the denominator uses the largest second moment seen so far (AMSGrad).
    public let amsgrad: Bool
    /// Whether it ascends the objective instead of descending it (steps along +g).
    public let maximize: Bool

    /// The moments and the update count of one parameter (PyTorch's `exp_avg`, `exp_avg_sq`,
    /// `max_exp_avg_sq` and `step`).
    final class State {
        let firstMoment: StateBuffer<Scalar>
        let secondMoment: StateBuffer<Scalar>
        /// The running maximum of the second moment, with AMSGrad only.
        let maxSecondMoment: StateBuffer<Scalar>?
        package var step = 0

        init(count: Int, amsgrad: Bool) {
            firstMoment = StateBuffer(zeros: count)
            secondMoment = StateBuffer(zeros: count)
            maxSecondMoment = amsgrad ? StateBuffer(zeros: count) : nil
        }
    }

    /// One state per parameter (indexed as `parameters`), allocated at its first update.
    var states: [State?]

    /// An optimizer of `parameters` (one group) with PyTorch's defaults for Adam.
    ///
    /// - Throws: `OptimizerError` for a negative learning rate, ε or weight decay, betas outside [0, 1),
    ///   and an empty or repeating parameter list.
    public convenience init(
        _ parameters: [Parameter<Scalar>], learningRate: Double = 1e-3,
        betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8, weightDecay: Double = 0,
        decoupledWeightDecay: Bool = false, amsgrad: Bool = false, maximize: Bool = false
    ) throws {
        try self.init(
            [ParameterGroup(parameters)], learningRate: learningRate, betas: betas, epsilon: epsilon,
            weightDecay: weightDecay, decoupledWeightDecay: decoupledWeightDecay, amsgrad: amsgrad,
            maximize: maximize)
    }

    /// An optimizer of parameter groups, each with the learning rate and weight decay it sets or else these.
    ///
    /// - Throws: `OptimizerError` as the other initializer, also for a group's negative setting.
    public init(
        _ groups: [ParameterGroup<Scalar>], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        epsilon: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false,
        amsgrad: Bool = false, maximize: Bool = false
    ) throws {
        try OptimizerError.requireNonNegative(learningRate, "learning rate")
        try OptimizerError.requireNonNegative(epsilon, "epsilon")
        try OptimizerError.requireUnitInterval(betas.0, "beta1")
        try OptimizerError.requireUnitInterval(betas.1, "beta2")
        try OptimizerError.requireNonNegative(weightDecay, "weight decay")
        self.groups = try ParameterGroups(groups)
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.amsgrad = amsgrad
        self.maximize = maximize
        states = Array(repeating: nil, count: self.groups.parameters.count)
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
        let (beta1, beta2) = betas
        let state = states[index] ?? State(count: gradient.count, amsgrad: amsgrad)
        states[index] = state
        state.step += 1
        let step = Double(state.step)
        let stepSize = Scalar(learningRate / (1 - pow(beta1, step)))
        let biasCorrection2Root = Scalar((1 - pow(beta2, step)).squareRoot())
        let parameterScale = Scalar(decoupledWeightDecay && weightDecay != 0 ? 1 - learningRate * weightDecay : 1)
        let gradientDecay = Scalar(decoupledWeightDecay ? 0 : weightDecay)
        let gradientSign: Scalar = maximize ? -1 : 1
        let firstMomentWeight = Scalar(1 - beta1)
        let secondMomentWeight = Scalar(1 - beta2)
        let firstMoment = state.firstMoment.elements
        let secondMoment = state.secondMoment.elements
        let maxSecondMoment = state.maxSecondMoment?.elements
        parameter.updateInPlace { values in
            gradient.withUnsafeBufferPointer { gradient in
                ParallelChunks.forEach(count: values.count) { range in
                    UpdateKernels.adam(
                        parameter: .init(rebasing: values[range]), gradient: .init(rebasing: gradient[range]),
                        firstMoment: .init(rebasing: firstMoment[range]),
                        secondMoment: .init(rebasing: secondMoment[range]),
                        maxSecondMoment: maxSecondMoment.map { .init(rebasing: $0[range]) },
                        gradientSign: gradientSign, parameterScale: parameterScale, gradientDecay: gradientDecay,
                        firstMomentWeight: firstMomentWeight, beta2: Scalar(beta2),
                        secondMomentWeight: secondMomentWeight, epsilon: Scalar(epsilon),
                        stepSize: stepSize, biasCorrection2Root: biasCorrection2Root)
                }
            }
        }
    }
}

/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, p = (1 − lr·λ)·p before the Adam
/// update, and PyTorch's default λ = 0.01 (`torch.optim.AdamW`).
///
/// ```swift
/// let optimizer = try AdamW(model.weightDecayGroups(weightDecay: 0.05), learningRate: 1e-3)
/// ```
public final class AdamW<Scalar: TensorScalar>: Adam<Scalar> {
    /// An optimizer of `parameters` (one group) with PyTorch's defaults for AdamW.
    ///
    /// - Throws: `OptimizerError` for a negative learning rate, ε or weight decay, betas outside [0, 1),
    ///   and an empty or repeating parameter list.
    public convenience init(
        _ parameters: [Parameter<Scalar>], learningRate: Double = 1e-3,
        betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8, weightDecay: Double = 1e-2,
        amsgrad: Bool = false, maximize: Bool = false
    ) throws {
        try self.init(
            [ParameterGroup(parameters)], learningRate: learningRate, betas: betas, epsilon: epsilon,
            weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize)
    }

    /// An optimizer of parameter groups, each with the learning rate and weight decay it sets or else these.
    ///
    /// - Throws: `OptimizerError` as the other initializer, also for a group's negative setting.
    public init(
        _ groups: [ParameterGroup<Scalar>], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        epsilon: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false
    ) throws {
        try super.init(
            groups, learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay,
            decoupledWeightDecay: true, amsgrad: amsgrad, maximize: maximize)
    }
}
