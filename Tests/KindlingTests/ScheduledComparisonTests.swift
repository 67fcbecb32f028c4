import XCTest
import Kindling

// Reference curves come from Scripts/reference/torch_scheduled_comparison.py
// (Fixtures/torch_scheduled_comparison.json): the docs' He run (circles, 2-10-5-1, full-batch SGD) in
// PyTorch float64 with a learning-rate schedule and clip_grad_norm_, the loss recorded every 100 steps.

/// One run of the fixture.
private struct ScheduledRun {
    let learningRate: Double
    let momentum: Double
    let schedule: String
    let clipGradientNorm: Double?
    let losses: [Double]
    let clippedSteps: Int
    let trainAccuracy: Double

    static func load(_ name: String) throws -> ScheduledRun {
        let root = try XCTUnwrap(fixture("torch_scheduled_comparison.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_scheduled_comparison.py")
        let run = try XCTUnwrap((root["runs"] as? [String: [String: Any]])?[name])
        return ScheduledRun(
            learningRate: try XCTUnwrap(run["learning_rate"] as? Double), momentum: try XCTUnwrap(run["momentum"] as? Double),
            schedule: try XCTUnwrap(run["schedule"] as? String), clipGradientNorm: run["clip_grad_norm"] as? Double,
            losses: try XCTUnwrap(run["losses"] as? [Double]), clippedSteps: try XCTUnwrap(run["clipped_steps"] as? Int),
            trainAccuracy: try XCTUnwrap(run["train_accuracy"] as? Double))
    }
}

final class ScheduledComparisonTests: XCTestCase {
    /// Runs the library's comparison (He only) as the fixture's run and compares the curve.
    private func assertFollowsPyTorch(_ name: String, schedule: LearningRateSchedule,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try ScheduledRun.load(name)
        if reference.clipGradientNorm != nil {
            XCTAssertGreaterThan(reference.clippedSteps, 0, "the reference clips at some steps", file: file, line: line)
        }
        var configuration = InitializationComparison.Configuration()
        configuration.initializations = ["he"]
        configuration.iterations = 2000
        configuration.recordEvery = 100
        configuration.learningRate = reference.learningRate
        configuration.optimizer = reference.momentum == 0 ? .sgd : .momentum
        configuration.schedule = schedule
        configuration.clipGradientNorm = reference.clipGradientNorm
        let run = try XCTUnwrap(InitializationComparison.run(configuration).first)
        XCTAssertEqual(run.history.losses.count, 20, file: file, line: line)
        for (step, (loss, expected)) in zip(run.history.losses, reference.losses).enumerated()
        where !(abs(loss - expected) <= 1e-9 * expected) {
            XCTFail("\(name): loss at step \(step * 100): \(loss) vs PyTorch's \(expected)", file: file, line: line)
            return
        }
        XCTAssertEqual(run.trainAccuracy, reference.trainAccuracy, accuracy: 1e-12, file: file, line: line)
    }

    func testWarmUpCosineWithClippingFollowsPyTorch() throws {
        try assertFollowsPyTorch("warm_up_cosine_clipped", schedule: .sequential(
            [.linear(startFactor: 0.01, totalSteps: 100), .cosineAnnealing(maxSteps: 1900)], milestones: [100]))
    }

    func testOneCycleMomentumWithClippingFollowsPyTorch() throws {
        try assertFollowsPyTorch("one_cycle_momentum_clipped", schedule: .oneCycle(maxLearningRate: 0.2, totalSteps: 2000))
    }

    func testStepScheduleFollowsPyTorch() throws {
        try assertFollowsPyTorch("step_unclipped", schedule: .step(stepSize: 500, gamma: 0.5))
    }

    func testInvalidScheduleOrClipIsRejected() {
        var configuration = InitializationComparison.Configuration()
        configuration.clipGradientNorm = 0
        XCTAssertThrowsError(try configuration.validate()) {
            XCTAssertTrue("\($0)".contains("gradient norm to clip to must be a positive number, got 0.0"), "\($0)")
        }
        configuration.clipGradientNorm = nil
        configuration.schedule = .cosineAnnealing(maxSteps: 0)
        XCTAssertThrowsError(try configuration.validate()) {
            XCTAssertTrue("\($0)".contains("invalid schedule: CosineAnnealingLR: maxSteps must be at least 1"), "\($0)")
        }
    }
}

extension CommandLineTests {
    /// The command line spells the fixture's schedules (see its `schedule` fields) and prints PyTorch's
    /// first and last recorded costs.
    func testCompareInitScheduleAndClippingFollowPyTorch() throws {
        for name in ["warm_up_cosine_clipped", "one_cycle_momentum_clipped", "step_unclipped"] {
            let reference = try ScheduledRun.load(name)
            var arguments = ["compare-init", "--inits", "he", "--iterations", "2000", "--record-every", "100",
                             "--lr", "\(reference.learningRate)", "--optimizer", reference.momentum == 0 ? "sgd" : "momentum",
                             "--schedule", reference.schedule]
            if let clip = reference.clipGradientNorm { arguments += ["--clip-grad-norm", "\(clip)"] }
            let outcome = try kindling(arguments: arguments)
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            let row = try XCTUnwrap(outcome.output.split(separator: "\n").first { $0.hasPrefix("he ") }, outcome.output)
            let costs = row.split(separator: " ").dropFirst().prefix(2).compactMap { Double($0) }
            XCTAssertEqual(costs.count, 2, outcome.output)
            XCTAssertEqual(costs[0], reference.losses[0], accuracy: 1e-9 * reference.losses[0], name)
            XCTAssertEqual(costs[1], reference.losses[19], accuracy: 1e-9 * reference.losses[19], name)
        }
    }

    func testBadSchedulesAndClipsAreNamed() throws {
        let cases: [([String], String)] = [
            (["--schedule", "cosin"], "--schedule: 'cosin' is not a schedule: one of constant, step"),
            (["--schedule", "step:x"], "--schedule: 'step:x' has 'x' where a positive integer belongs"),
            (["--schedule", "step"], "gives 'step' 0 arguments, it takes 1 to 2"),
            (["--schedule", "warmup:20000+cosine"], "warms up for 20000 of only 15000 iterations"),
            (["--schedule", "ramp:5+cosine"], "must start with 'warmup:STEPS[:START_FACTOR]+'"),
            (["--schedule", "multistep:9/3"], "MultiStepLR: the milestones must be increasing, got [9, 3]"),
            (["--clip-grad-norm", "-1"], "the gradient norm to clip to must be a positive number, got -1.0"),
        ]
        for (arguments, message) in cases {
            let outcome = try kindling(arguments: ["compare-init"] + arguments)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.errors.contains(message), "\(arguments): \(outcome.errors)")
            XCTAssertTrue(outcome.output.isEmpty, "\(arguments): nothing trained: \(outcome.output)")
        }
    }
}
