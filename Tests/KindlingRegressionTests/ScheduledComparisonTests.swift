import Kindling
import KindlingTestSupport
import XCTest

// Reference curves come from Scripts/reference/torch_scheduled_comparison.py
// (Fixtures/torch_scheduled_comparison.json): the docs' He run (circles, 2-10-5-1, full-batch SGD) in
// PyTorch float64 with a learning-rate schedule and clip_grad_norm_, the loss recorded every 100 steps.

final class ScheduledComparisonTests: XCTestCase {
    /// Runs the library's comparison (He only) as the fixture's run and compares the curve.
    private func assertFollowsPyTorch(
        _ name: String, schedule: LearningRateSchedule,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
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
        try assertFollowsPyTorch(
            "warm_up_cosine_clipped",
            schedule: .sequential(
                [.linear(startFactor: 0.01, totalSteps: 100), .cosineAnnealing(maxSteps: 1900)], milestones: [100]))
    }

    func testOneCycleMomentumWithClippingFollowsPyTorch() throws {
        try assertFollowsPyTorch(
            "one_cycle_momentum_clipped", schedule: .oneCycle(maxLearningRate: 0.2, totalSteps: 2000))
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
