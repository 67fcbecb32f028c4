import Foundation
import KindlingCore
import KindlingPlatform

/// A learning-rate schedule: the rate at each step as a function of the step and of the rate the
/// optimizer (or parameter group) started with, as the closed forms of `torch.optim.lr_scheduler`.
/// Step 0 is before the first `scheduler.step()`; a `LearningRateScheduler` applies it to an optimizer.
///
/// ```swift
/// // five steps of linear warm-up from 1% of the rate, then cosine annealing over 95 steps
/// let schedule = LearningRateSchedule.sequential(
///     [.linear(startFactor: 0.01, totalSteps: 5), .cosineAnnealing(maxSteps: 95)], milestones: [5])
/// schedule.learningRate(atStep: 5, initial: 0.1)   // 0.1
/// ```
public indirect enum LearningRateSchedule: Sendable, Equatable, Codable {
    /// `StepLR`: initial · gamma^⌊step / stepSize⌋.
    case step(stepSize: Int, gamma: Double = 0.1)
    /// `MultiStepLR`: initial · gamma^(number of milestones ≤ step); a repeated milestone counts twice.
    case multiStep(milestones: [Int], gamma: Double = 0.1)
    /// `ExponentialLR`: initial · gamma^step.
    case exponential(gamma: Double)
    /// `CosineAnnealingLR` (Loshchilov & Hutter 2017, "SGDR", without restarts):
    /// minimum + (initial − minimum) · (1 + cos(π · step / maxSteps)) / 2, which rises again after maxSteps.
    case cosineAnnealing(maxSteps: Int, minimumLearningRate: Double = 0)
    /// `LinearLR`, for warm-up: initial · (startFactor + (endFactor − startFactor) · min(step, totalSteps) / totalSteps).
    case linear(startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalSteps: Int = 5)
    /// `OneCycleLR` (Smith & Topin 2019, "Super-Convergence"): from maxLearningRate / divFactor up to
    /// maxLearningRate over the first percentStart · totalSteps − 1 steps, then down to
    /// maxLearningRate / (divFactor · finalDivFactor) at step totalSteps − 1 (with `threePhase`, back to the
    /// start by 2 · percentStart · totalSteps − 2 first); each phase anneals by cosine or linearly. It ignores
    /// the optimizer's initial rate (as PyTorch) and runs for totalSteps. `groupMaximumLearningRates`, when
    /// not empty, gives each parameter group its own maximum (PyTorch's `max_lr` as a list; one per group).
    /// With `momentum` (PyTorch's `cycle_momentum=True`, whose default bounds are 0.85 and 0.95) the
    /// optimizer's momentum (SGD's μ, Adam's β₁) moves the other way in the same phases: from
    /// `momentum.maximum` down to `momentum.base` while the rate rises, and back while it falls (three
    /// phases: down, up, then held at the maximum); nil leaves it alone (`cycle_momentum=False`).
    case oneCycle(
        maxLearningRate: Double, totalSteps: Int, percentStart: Double = 0.3, annealing: Annealing = .cosine,
        divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false,
        groupMaximumLearningRates: [Double] = [], momentum: MomentumCycle? = nil)
    /// `SequentialLR`: schedule i runs from milestone i − 1 (step 0 for the first), counting its own
    /// steps from 0 there; e.g. a warm-up followed by a decay.
    case sequential([LearningRateSchedule], milestones: [Int])

    /// The momentum bounds of a one-cycle schedule that cycles the momentum (PyTorch's `base_momentum` and
    /// `max_momentum`).
    public struct MomentumCycle: Sendable, Equatable, Codable {
        /// The momentum at the peak learning rate (PyTorch's default 0.85).
        public var base: Double
        /// The momentum at the start and the end (PyTorch's default 0.95).
        public var maximum: Double

        /// Bounds `base` ≤ `maximum`, PyTorch's 0.85 and 0.95 by default.
        public init(base: Double = 0.85, maximum: Double = 0.95) {
            self.base = base
            self.maximum = maximum
        }
    }

    /// How a phase of the one-cycle schedule moves between its two rates.
    public enum Annealing: String, Sendable, Equatable, Codable {
        /// end + (start − end) / 2 · (1 + cos(π · fraction)).
        case cosine
        /// start + (end − start) · fraction.
        case linear
    }

    /// The learning rate at `step` (≥ 0) for a group that started at `initial` (for a one-cycle schedule
    /// with one maximum per group, group 0's).
    public func learningRate(atStep step: Int, initial: Double) -> Double {
        learningRate(atStep: step, initial: initial, group: 0)
    }

    /// The learning rate at `step` (≥ 0) for parameter group `group`, which started at `initial`.
    public func learningRate(atStep step: Int, initial: Double, group: Int) -> Double {
        switch self {
        case .step(let stepSize, let gamma):
            return initial * pow(gamma, Double(step / stepSize))
        case .multiStep(let milestones, let gamma):
            return initial * pow(gamma, Double(milestones.count(where: { $0 <= step })))
        case .exponential(let gamma):
            return initial * pow(gamma, Double(step))
        case .cosineAnnealing(let maxSteps, let minimum):
            return minimum + (initial - minimum) * (1 + cos(Double.pi * Double(step) / Double(maxSteps))) / 2
        case .linear(let startFactor, let endFactor, let totalSteps):
            return initial
                * (startFactor + (endFactor - startFactor) * Double(min(totalSteps, step)) / Double(totalSteps))
        case .oneCycle(
            let maxLearningRate, _, _, _, let divFactor, let finalDivFactor, let threePhase,
            let groupMaximumLearningRates, _):
            let maximum = groupMaximumLearningRates.isEmpty ? maxLearningRate : groupMaximumLearningRates[group]
            let start = maximum / divFactor
            let minimum = start / finalDivFactor
            let values =
                threePhase
                ? [(start, maximum), (maximum, start), (start, minimum)] : [(start, maximum), (maximum, minimum)]
            return oneCyclePhaseValue(atStep: step, values)
        case .sequential(let schedules, let milestones):
            let index = milestones.count(where: { $0 <= step })
            let offset = index == 0 ? 0 : milestones[index - 1]
            return schedules[index].learningRate(atStep: step - offset, initial: initial, group: group)
        }
    }

    /// The momentum at `step` of a schedule that cycles it (a one-cycle schedule with `momentum`, or a
    /// sequence whose schedule at `step` is one); nil when the schedule leaves the momentum alone.
    public func momentum(atStep step: Int) -> Double? {
        switch self {
        case .oneCycle(_, _, _, _, _, _, let threePhase, _, let cycle?):
            let values =
                threePhase
                ? [(cycle.maximum, cycle.base), (cycle.base, cycle.maximum), (cycle.maximum, cycle.maximum)]
                : [(cycle.maximum, cycle.base), (cycle.base, cycle.maximum)]
            return oneCyclePhaseValue(atStep: step, values)
        case .sequential(let schedules, let milestones):
            let index = milestones.count(where: { $0 <= step })
            return schedules[index].momentum(atStep: step - (index == 0 ? 0 : milestones[index - 1]))
        default:
            return nil
        }
    }

    /// Whether some step's momentum comes from the schedule.
    var cyclesMomentum: Bool {
        switch self {
        case .oneCycle(_, _, _, _, _, _, _, _, let cycle): return cycle != nil
        case .sequential(let schedules, _): return schedules.contains { $0.cyclesMomentum }
        default: return false
        }
    }

    /// Whether the schedule gives each parameter group its own maximum rate.
    var hasGroupMaximumLearningRates: Bool {
        switch self {
        case .oneCycle(_, _, _, _, _, _, _, let maxima, _): return !maxima.isEmpty
        case .sequential(let schedules, _): return schedules.contains { $0.hasGroupMaximumLearningRates }
        default: return false
        }
    }

    /// Throws unless every per-group maximum list of the schedule has one value per group.
    func checkGroups(_ count: Int) throws {
        switch self {
        case .oneCycle(_, _, _, _, _, _, _, let maxima, _) where !maxima.isEmpty && maxima.count != count:
            throw OptimizerError("OneCycleLR: \(maxima.count) maximum learning rates for \(count) parameter groups")
        case .sequential(let schedules, _):
            for schedule in schedules { try schedule.checkGroups(count) }
        default:
            break
        }
    }

    /// The one-cycle value at `step` moving through `values` (from, to) in the schedule's phases: phase i
    /// ends at percentStart · totalSteps − 1, 2 · percentStart · totalSteps − 2 (three phases) and
    /// totalSteps − 1, as PyTorch's `_schedule_phases`.
    private func oneCyclePhaseValue(atStep step: Int, _ values: [(from: Double, to: Double)]) -> Double {
        guard case .oneCycle(_, let totalSteps, let percentStart, let annealing, _, _, _, _, _) = self else {
            failRequirement("oneCyclePhaseValue: not a one-cycle schedule")
        }
        require(step <= totalSteps, "OneCycleLR: step \(step) is past the \(totalSteps) total steps")
        let ends =
            values.count == 3
            ? [
                percentStart * Double(totalSteps) - 1, 2 * percentStart * Double(totalSteps) - 2,
                Double(totalSteps - 1),
            ]
            : [percentStart * Double(totalSteps) - 1, Double(totalSteps - 1)]
        var phaseStart = 0.0
        for (index, end) in ends.enumerated() {
            if Double(step) <= end || index == ends.count - 1 {
                let fraction = (Double(step) - phaseStart) / (end - phaseStart)
                let (from, to) = values[index]
                switch annealing {
                case .cosine: return to + (from - to) / 2 * (cos(Double.pi * fraction) + 1)
                case .linear: return (to - from) * fraction + from
                }
            }
            phaseStart = end
        }
        return values[values.count - 1].to
    }
}

extension LearningRateSchedule {
    /// Throws an `OptimizerError` naming the first setting that PyTorch would reject too.
    public func validate() throws {
        func fail(_ message: String) throws -> Never { throw OptimizerError(message) }
        switch self {
        case .step(let stepSize, _):
            if stepSize < 1 { try fail("StepLR: the step size must be at least 1, got \(stepSize)") }
        case .multiStep(let milestones, _):
            if milestones != milestones.sorted() {
                try fail("MultiStepLR: the milestones must be increasing, got \(milestones)")
            }
        case .exponential:
            break
        case .cosineAnnealing(let maxSteps, _):
            if maxSteps < 1 { try fail("CosineAnnealingLR: maxSteps must be at least 1, got \(maxSteps)") }
        case .linear(let startFactor, let endFactor, let totalSteps):
            if !(startFactor > 0 && startFactor <= 1) {
                try fail("LinearLR: the start factor must be in (0, 1], got \(startFactor)")
            }
            if !(endFactor >= 0 && endFactor <= 1) {
                try fail("LinearLR: the end factor must be in [0, 1], got \(endFactor)")
            }
            if totalSteps < 1 { try fail("LinearLR: totalSteps must be at least 1, got \(totalSteps)") }
        case .oneCycle(let maxLearningRate, let totalSteps, let percentStart, _, _, _, _, let maxima, let momentum):
            if totalSteps < 1 { try fail("OneCycleLR: totalSteps must be at least 1, got \(totalSteps)") }
            if !(percentStart >= 0 && percentStart <= 1) {
                try fail("OneCycleLR: percentStart must be in [0, 1], got \(percentStart)")
            }
            if let bad = ([maxLearningRate] + maxima).first(where: { !($0 >= 0) }) {
                try fail("OneCycleLR: invalid maximum learning rate \(bad)")
            }
            if let momentum, !(momentum.base >= 0 && momentum.base <= momentum.maximum) {
                try fail(
                    "OneCycleLR: the momentum bounds need 0 <= base <= maximum, got \(momentum.base) and \(momentum.maximum)"
                )
            }
        case .sequential(let schedules, let milestones):
            if schedules.count != milestones.count + 1 {
                try fail(
                    "SequentialLR: \(schedules.count) schedules need \(schedules.count - 1) milestones, got \(milestones.count)"
                )
            }
            if milestones != milestones.sorted() || milestones.contains(where: { $0 < 1 }) {
                try fail("SequentialLR: the milestones must be increasing and positive, got \(milestones)")
            }
            for schedule in schedules { try schedule.validate() }
        }
    }
}

extension LearningRateSchedule: CustomStringConvertible {
    /// The schedule under PyTorch's class name with its settings, e.g. `StepLR(stepSize: 30, gamma: 0.1)`.
    public var description: String {
        switch self {
        case .step(let stepSize, let gamma): return "StepLR(stepSize: \(stepSize), gamma: \(gamma))"
        case .multiStep(let milestones, let gamma): return "MultiStepLR(milestones: \(milestones), gamma: \(gamma))"
        case .exponential(let gamma): return "ExponentialLR(gamma: \(gamma))"
        case .cosineAnnealing(let maxSteps, let minimum):
            return "CosineAnnealingLR(maxSteps: \(maxSteps), minimumLearningRate: \(minimum))"
        case .linear(let start, let end, let steps):
            return "LinearLR(startFactor: \(start), endFactor: \(end), totalSteps: \(steps))"
        case .oneCycle(
            let maximum, let steps, let percentStart, let annealing, let divFactor, let finalDivFactor, let threePhase,
            let maxima, let momentum):
            return "OneCycleLR(maxLearningRate: \(maximum), totalSteps: \(steps), percentStart: \(percentStart), "
                + "annealing: \(annealing.rawValue), divFactor: \(divFactor), finalDivFactor: \(finalDivFactor), threePhase: \(threePhase)"
                + (maxima.isEmpty ? "" : ", groupMaximumLearningRates: \(maxima)")
                + (momentum.map { ", momentum: \($0.base)...\($0.maximum)" } ?? "") + ")"
        case .sequential(let schedules, let milestones):
            return "SequentialLR([\(schedules.map(\.description).joined(separator: ", "))], milestones: \(milestones))"
        }
    }
}
