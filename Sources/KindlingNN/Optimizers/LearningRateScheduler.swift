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
    /// Which groups had no rate of their own (they follow the optimizer's).
    private let followsOptimizerRate: [Bool]

    /// A scheduler of `optimizer`'s rates; sets them to the schedule's values at step 0.
    ///
    /// - Throws: `OptimizerError` for a schedule setting PyTorch would reject too.
    public init(_ optimizer: any Optimizer<Scalar>, schedule: LearningRateSchedule) throws {
        try schedule.validate()
        self.optimizer = optimizer
        self.schedule = schedule
        initialLearningRates = optimizer.parameterGroups.indices.map { optimizer.learningRate(ofGroup: $0) }
        followsOptimizerRate = optimizer.parameterGroups.map { $0.learningRate == nil }
        apply()
    }

    /// The rate of each group at the current step (PyTorch's `get_last_lr()`).
    public var learningRates: [Double] {
        initialLearningRates.map { schedule.learningRate(atStep: stepCount, initial: $0) }
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
