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
    public let initialLearningRates: [Double]
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
