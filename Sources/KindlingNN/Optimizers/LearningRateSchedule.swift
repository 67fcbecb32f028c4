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
    /// `OneCycleLR` (Smith & Topin 2019, "Super-Convergence") with `cycle_momentum=False`: from
    /// maxLearningRate / divFactor up to maxLearningRate over the first percentStart · totalSteps − 1
    /// steps, then down to maxLearningRate / (divFactor · finalDivFactor) at step totalSteps − 1 (with
    /// `threePhase`, back to the start by 2 · percentStart · totalSteps − 2 first); each phase anneals by
    /// cosine or linearly. It ignores the optimizer's initial rate (as PyTorch) and runs for totalSteps.
    case oneCycle(
        maxLearningRate: Double, totalSteps: Int, percentStart: Double = 0.3, annealing: Annealing = .cosine,
        divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false)
    /// `SequentialLR`: schedule i runs from milestone i − 1 (step 0 for the first), counting its own
    /// steps from 0 there; e.g. a warm-up followed by a decay.
    case sequential([LearningRateSchedule], milestones: [Int])

    /// How a phase of the one-cycle schedule moves between its two rates.
    public enum Annealing: String, Sendable, Equatable, Codable {
        /// end + (start − end) / 2 · (1 + cos(π · fraction)).
        case cosine
        /// start + (end − start) · fraction.
        case linear
    }

    /// The learning rate at `step` (≥ 0) for a group that started at `initial`.
    public func learningRate(atStep step: Int, initial: Double) -> Double {
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
            let maxLearningRate, let totalSteps, let percentStart, let annealing, let divFactor,
            let finalDivFactor, let threePhase):
            require(step <= totalSteps, "OneCycleLR: step \(step) is past the \(totalSteps) total steps")
            let start = maxLearningRate / divFactor
            let minimum = start / finalDivFactor
            let phases: [(end: Double, from: Double, to: Double)] =
                threePhase
                ? [
                    (percentStart * Double(totalSteps) - 1, start, maxLearningRate),
                    (2 * percentStart * Double(totalSteps) - 2, maxLearningRate, start),
                    (Double(totalSteps - 1), start, minimum),
                ]
                : [
                    (percentStart * Double(totalSteps) - 1, start, maxLearningRate),
                    (Double(totalSteps - 1), maxLearningRate, minimum),
                ]
            var phaseStart = 0.0
            for (index, phase) in phases.enumerated() {
                if Double(step) <= phase.end || index == phases.count - 1 {
                    let fraction = (Double(step) - phaseStart) / (phase.end - phaseStart)
                    switch annealing {
                    case .cosine: return phase.to + (phase.from - phase.to) / 2 * (cos(Double.pi * fraction) + 1)
                    case .linear: return (phase.to - phase.from) * fraction + phase.from
                    }
                }
                phaseStart = phase.end
            }
            return phases[phases.count - 1].to
        case .sequential(let schedules, let milestones):
            let index = milestones.count(where: { $0 <= step })
            let offset = index == 0 ? 0 : milestones[index - 1]
            return schedules[index].learningRate(atStep: step - offset, initial: initial)
        }
    }

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
        case .oneCycle(let maxLearningRate, let totalSteps, let percentStart, _, _, _, _):
            if totalSteps < 1 { try fail("OneCycleLR: totalSteps must be at least 1, got \(totalSteps)") }
            if !(percentStart >= 0 && percentStart <= 1) {
                try fail("OneCycleLR: percentStart must be in [0, 1], got \(percentStart)")
            }
            if !(maxLearningRate >= 0) { try fail("OneCycleLR: invalid maximum learning rate \(maxLearningRate)") }
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
            let maximum, let steps, let percentStart, let annealing, let divFactor, let finalDivFactor, let threePhase):
            return "OneCycleLR(maxLearningRate: \(maximum), totalSteps: \(steps), percentStart: \(percentStart), "
                + "annealing: \(annealing.rawValue), divFactor: \(divFactor), finalDivFactor: \(finalDivFactor), threePhase: \(threePhase))"
        case .sequential(let schedules, let milestones):
            return "SequentialLR([\(schedules.map(\.description).joined(separator: ", "))], milestones: \(milestones))"
        }
    }
}
