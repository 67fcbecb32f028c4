import KindlingCore

/// Drives an optimizer's learning rates along a `LearningRateSchedule`, as a `torch.optim.lr_scheduler`
/// object does: creating it sets every parameter group's rate to the schedule's step 0, and each `step()`
/// (called after `optimizer.step()`, as in PyTorch) moves to the next step. Each group follows the schedule
/// from the rate it had when the scheduler was made (PyTorch's `initial_lr`). Groups without a rate of
/// their own share the optimizer's `learningRate`, which the scheduler sets for them.
///
/// ```swift
/// let optimizer = try SGD(model.parameters, learningRate: 0.1, momentum: 0.9)
/// let scheduler = try LearningRateScheduler(optimizer, schedule: .step(stepSize: 30, gamma: 0.1))
/// for _ in 0..<90 {
///     trainOneEpoch(model, optimizer)
///     scheduler.step()
/// }
/// ```
public final class LearningRateScheduler<Scalar: TensorScalar> {
    /// The schedule.
    public let schedule: LearningRateSchedule
    /// The optimizer whose group rates it sets.
    public let optimizer: any Optimizer<Scalar>
    /// Each group's rate when the scheduler was made (PyTorch's `base_lrs`).
    public private(set) var initialLearningRates: [Double]
    /// How many times `step()` has been called (PyTorch's `last_epoch`).
    public private(set) var stepCount = 0
    /// Which groups follow the optimizer's rate (they had none of their own, and the schedule gives none).
    private let followsOptimizerRate: [Bool]
    /// The optimizer whose momentum the schedule cycles, when it does.
    private let momentumTarget: (any MomentumScheduling)?

    /// A scheduler of `optimizer`'s rates; sets them to the schedule's values at step 0.
    ///
    /// - Throws: `OptimizerError` for a schedule setting PyTorch would reject too, for a list of maximum
    ///   rates that is not one per group, and for a schedule that cycles the momentum of an optimizer
    ///   without one (an SGD, Adam or AdamW has one).
    public init(_ optimizer: any Optimizer<Scalar>, schedule: LearningRateSchedule) throws {
        try schedule.validate()
        try schedule.checkGroups(optimizer.parameterGroups.count)
        if schedule.cyclesMomentum && !(optimizer is any MomentumScheduling) {
            throw OptimizerError(
                "OneCycleLR: cycling the momentum needs an optimizer with a momentum or β₁ (SGD, Adam, AdamW), got \(type(of: optimizer))"
            )
        }
        self.optimizer = optimizer
        self.schedule = schedule
        initialLearningRates = optimizer.parameterGroups.indices.map { optimizer.learningRate(ofGroup: $0) }
        // A schedule with one maximum per group gives every group a rate of its own.
        followsOptimizerRate = optimizer.parameterGroups.map {
            $0.learningRate == nil && !schedule.hasGroupMaximumLearningRates
        }
        momentumTarget = schedule.cyclesMomentum ? optimizer as? any MomentumScheduling : nil
        apply()
    }

    /// The rate of each group at the current step (PyTorch's `get_last_lr()`).
    public var learningRates: [Double] {
        initialLearningRates.enumerated().map { schedule.learningRate(atStep: stepCount, initial: $1, group: $0) }
    }

    /// Advances the schedule by one step and sets the optimizer's rates.
    public func step() {
        stepCount += 1
        apply()
    }

    private func apply() {
        var groups = optimizer.parameterGroups
        for (index, rate) in learningRates.enumerated() {
            if followsOptimizerRate[index] { optimizer.learningRate = rate } else { groups[index].learningRate = rate }
        }
        if followsOptimizerRate.contains(false) { optimizer.parameterGroups = groups }
        if let momentum = schedule.momentum(atStep: stepCount) { momentumTarget?.scheduledMomentum = momentum }
    }
}

/// An optimizer whose momentum a schedule may set (OneCycleLR's `cycle_momentum`): SGD's momentum μ,
/// Adam's and AdamW's β₁.
public protocol MomentumScheduling: AnyObject {
    /// The momentum the next step uses.
    var scheduledMomentum: Double { get set }
}

extension SGD: MomentumScheduling {
    /// `momentum`.
    public var scheduledMomentum: Double {
        get { momentum }
        set { momentum = newValue }
    }
}

extension Adam: MomentumScheduling {
    /// `betas.0`, β₁.
    public var scheduledMomentum: Double {
        get { betas.0 }
        set { betas.0 = newValue }
    }
}

extension LearningRateScheduler {
    /// The scheduler's position as PyTorch's `scheduler.state_dict()` keeps it: the step count
    /// (`last_epoch`) and each group's starting rate (`param_groups.i.initial_lr`). Saved beside the
    /// optimizer's state, it lets a scheduled run resume exactly:
    ///
    /// ```swift
    /// try scheduler.stateDictionary.safeTensors().write(to: schedulerURL)
    /// // later, with a new optimizer and scheduler built the same way and the optimizer's state loaded:
    /// try scheduler.loadStateDictionary(OptimizerStateDictionary(SafeTensors.read(from: schedulerURL)))
    /// ```
    public var stateDictionary: OptimizerStateDictionary<Scalar> {
        var state = OptimizerStateDictionary<Scalar>()
        state.integers["last_epoch"] = stepCount
        for (group, rate) in initialLearningRates.enumerated() {
            state.numbers["param_groups.\(group).initial_lr"] = rate
        }
        return state
    }

    /// Restores a position saved by `stateDictionary` and sets the optimizer's rates for it.
    ///
    /// - Throws: `OptimizerError` when the state lacks a key or was saved for another number of groups;
    ///   nothing changes then.
    public func loadStateDictionary(_ state: OptimizerStateDictionary<Scalar>) throws {
        guard let steps = state.integers["last_epoch"], steps >= 0 else {
            throw OptimizerError("scheduler state: 'last_epoch' is missing or negative")
        }
        let rates = try initialLearningRates.indices.map { group in
            guard let rate = state.numbers["param_groups.\(group).initial_lr"] else {
                throw OptimizerError("scheduler state: no starting rate for parameter group \(group)")
            }
            return rate
        }
        let saved = state.numbers.keys.filter { $0.hasPrefix("param_groups.") }.count
        guard saved == rates.count else {
            throw OptimizerError(
                "scheduler state: saved for \(saved) parameter groups, the optimizer has \(rates.count)")
        }
        initialLearningRates = rates
        stepCount = steps
        apply()
    }
}
