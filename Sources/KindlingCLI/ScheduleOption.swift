import ArgumentParser
import Kindling

/// `--schedule`'s spelling of a learning-rate schedule over a run of `iterations` updates at rate `lr`:
/// an optional warm-up `warmup:STEPS[:START_FACTOR]+` (LinearLR from START_FACTOR, default 0.01, to 1)
/// followed by one of
/// `constant`, `step:SIZE[:GAMMA]`, `multistep:M1/M2/...[:GAMMA]` (GAMMA defaults to 0.1),
/// `exponential:GAMMA`, `cosine[:MIN_LR]` (annealed over the iterations after the warm-up),
/// `linear:START_FACTOR:END_FACTOR:STEPS`, `onecycle[:PCT_START]` (peaking at `lr`, over all iterations,
/// without warm-up); after a warm-up, the schedule's steps count from the warm-up's end. Returns nil for
/// `constant` without warm-up.
enum ScheduleOption {
    static let help = """
        Learning-rate schedule: constant, step:SIZE[:GAMMA], multistep:M1/M2/...[:GAMMA], exponential:GAMMA, \
        cosine[:MIN_LR], linear:START:END:STEPS or onecycle[:PCT_START], optionally after a linear warm-up \
        'warmup:STEPS[:START_FACTOR]+' (e.g. warmup:500+cosine; steps after a warm-up count from its end).
        """

    static func parse(_ text: String, iterations: Int, learningRate: Double) throws -> LearningRateSchedule? {
        func fail(_ why: String) -> ValidationError { ValidationError("--schedule: '\(text)' \(why)") }
        func number(_ field: Substring) throws -> Double {
            guard let value = Double(field), value.isFinite else { throw fail("has '\(field)' where a number belongs") }
            return value
        }
        func count(_ field: Substring) throws -> Int {
            guard let value = Int(field), value >= 1 else {
                throw fail("has '\(field)' where a positive integer belongs")
            }
            return value
        }
        var main = Substring(text)
        var warmUp: (steps: Int, startFactor: Double)?
        if let plus = text.firstIndex(of: "+") {
            let fields = text[..<plus].split(separator: ":", omittingEmptySubsequences: false)
            guard fields.first == "warmup", (2...3).contains(fields.count) else {
                throw fail("must start with 'warmup:STEPS[:START_FACTOR]+' when it has a '+'")
            }
            warmUp = (try count(fields[1]), fields.count == 3 ? try number(fields[2]) : 0.01)
            main = text[text.index(after: plus)...]
        }
        let warmUpSteps = warmUp?.steps ?? 0
        if warmUpSteps > 0 && warmUpSteps >= iterations {
            throw fail("warms up for \(warmUpSteps) of only \(iterations) iterations")
        }
        let fields = main.split(separator: ":", omittingEmptySubsequences: false)
        func arguments(_ range: ClosedRange<Int>) throws -> ArraySlice<Substring> {
            guard range.contains(fields.count - 1) else {
                throw fail(
                    "gives '\(fields[0])' \(fields.count - 1) arguments, it takes \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)")"
                )
            }
            return fields.dropFirst()
        }
        let schedule: LearningRateSchedule?
        switch fields[0] {
        case "constant":
            _ = try arguments(0...0)
            schedule = nil
        case "step":
            let values = try arguments(1...2)
            schedule = .step(stepSize: try count(values[1]), gamma: values.count == 2 ? try number(values[2]) : 0.1)
        case "multistep":
            let values = try arguments(1...2)
            let milestones = try values[1].split(separator: "/", omittingEmptySubsequences: false).map(count)
            schedule = .multiStep(milestones: milestones, gamma: values.count == 2 ? try number(values[2]) : 0.1)
        case "exponential":
            schedule = .exponential(gamma: try number(try arguments(1...1)[1]))
        case "cosine":
            let values = try arguments(0...1)
            schedule = .cosineAnnealing(
                maxSteps: iterations - warmUpSteps,
                minimumLearningRate: values.isEmpty ? 0 : try number(values[1]))
        case "linear":
            let values = try arguments(3...3)
            schedule = .linear(
                startFactor: try number(values[1]), endFactor: try number(values[2]),
                totalSteps: try count(values[3]))
        case "onecycle":
            let values = try arguments(0...1)
            guard warmUp == nil else { throw fail("warms up a one-cycle schedule, which has its own warm-up") }
            schedule = .oneCycle(
                maxLearningRate: learningRate, totalSteps: iterations,
                percentStart: values.isEmpty ? 0.3 : try number(values[1]))
        default:
            throw fail(
                "is not a schedule: \(oneOf(["constant", "step", "multistep", "exponential", "cosine", "linear", "onecycle"]))"
            )
        }
        guard let warmUp else { return schedule }
        let warmUpSchedule = LearningRateSchedule.linear(
            startFactor: warmUp.startFactor, endFactor: 1, totalSteps: warmUp.steps)
        return .sequential([warmUpSchedule, schedule ?? .exponential(gamma: 1)], milestones: [warmUp.steps])
    }
}
