import Kindling
import KindlingTestSupport
import XCTest

// Reference rates come from Scripts/reference/torch_lr_scheduler.py (Fixtures/torch_lr_scheduler.json):
// torch.optim.lr_scheduler driving SGD with two parameter groups (rates 0.1 and 0.03), the rates recorded
// before each optimizer step, with scheduler.step() after optimizer.step().

final class LearningRateScheduleTests: XCTestCase {
    private static let schedules: [String: LearningRateSchedule] = [
        "step": .step(stepSize: 7, gamma: 0.5),
        "step_default_gamma": .step(stepSize: 10),
        "multi_step": .multiStep(milestones: [5, 12, 12, 30], gamma: 0.3),
        "exponential": .exponential(gamma: 0.9),
        "cosine_annealing": .cosineAnnealing(maxSteps: 20, minimumLearningRate: 0.001),
        "cosine_annealing_to_zero": .cosineAnnealing(maxSteps: 30),
        "linear_warm_up": .linear(startFactor: 0.01, endFactor: 1, totalSteps: 8),
        "linear_defaults": .linear(),
        "linear_decay": .linear(startFactor: 1, endFactor: 0.2, totalSteps: 12),
        "one_cycle": .oneCycle(maxLearningRate: 0.5, totalSteps: 50),
        "one_cycle_linear": .oneCycle(
            maxLearningRate: 0.2, totalSteps: 40, percentStart: 0.25, annealing: .linear,
            divFactor: 10, finalDivFactor: 100),
        "one_cycle_three_phase": .oneCycle(maxLearningRate: 0.4, totalSteps: 60, threePhase: true),
        "warm_up_then_cosine": .sequential(
            [.linear(startFactor: 0.1, totalSteps: 5), .cosineAnnealing(maxSteps: 35)],
            milestones: [5]),
        "warm_up_then_exponential": .sequential(
            [.linear(startFactor: 0.25, totalSteps: 4), .exponential(gamma: 0.8)],
            milestones: [6]),
        "three_stages": .sequential(
            [
                .linear(startFactor: 0.1, totalSteps: 4), .step(stepSize: 3, gamma: 0.5),
                .cosineAnnealing(maxSteps: 10, minimumLearningRate: 0.002),
            ], milestones: [4, 10]),
    ]

    func testEveryScheduleFollowsPyTorchStepByStep() throws {
        let root = try XCTUnwrap(fixture("torch_lr_scheduler.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_lr_scheduler.py")
        let initial = try XCTUnwrap(root["initial_learning_rates"] as? [Double])
        let cases = try XCTUnwrap(root["cases"] as? [String: [[Double]]])
        XCTAssertEqual(Set(cases.keys), Set(Self.schedules.keys))
        for (name, expected) in cases {
            let schedule = try XCTUnwrap(Self.schedules[name])
            let first = Parameter(Tensor<Double>([0, 0]))
            let second = Parameter(Tensor<Double>([0, 0]))
            let optimizer = try SGD(
                [
                    ParameterGroup([first], learningRate: initial[0]),
                    ParameterGroup([second], learningRate: initial[1]),
                ], learningRate: 1)
            let scheduler = try LearningRateScheduler(optimizer, schedule: schedule)
            XCTAssertEqual(scheduler.initialLearningRates, initial)
            XCTAssertGreaterThanOrEqual(expected.count, 10)
            for (step, rates) in expected.enumerated() {
                let actual = [optimizer.learningRate(ofGroup: 0), optimizer.learningRate(ofGroup: 1)]
                for (value, reference) in zip(actual, rates)
                where !(abs(value - reference) <= 1e-13 * max(abs(reference), 1e-3)) {
                    XCTFail("\(name): step \(step): \(actual) vs PyTorch's \(rates)")
                    break
                }
                XCTAssertEqual(scheduler.learningRates, actual, "\(name)")
                optimizer.step()
                scheduler.step()
            }
        }
    }

    func testASingleGroupScheduleMovesTheOptimizersRate() throws {
        let parameter = Parameter(Tensor<Double>([1]))
        let optimizer = try Adam([parameter], learningRate: 0.2)
        let scheduler = try LearningRateScheduler(optimizer, schedule: .exponential(gamma: 0.5))
        scheduler.step()
        scheduler.step()
        XCTAssertEqual(optimizer.learningRate, 0.05)
        XCTAssertNil(optimizer.parameterGroups[0].learningRate)
        XCTAssertEqual(scheduler.stepCount, 2)
    }

    func testInvalidSchedulesAreRejectedWithTheValue() throws {
        let optimizer = try SGD([Parameter(Tensor<Double>([1]))], learningRate: 0.1)
        let cases: [(LearningRateSchedule, String)] = [
            (.step(stepSize: 0), "step size must be at least 1, got 0"),
            (.multiStep(milestones: [5, 3]), "milestones must be increasing, got [5, 3]"),
            (.cosineAnnealing(maxSteps: 0), "maxSteps must be at least 1, got 0"),
            (.linear(startFactor: 0), "start factor must be in (0, 1], got 0.0"),
            (.linear(endFactor: 1.5), "end factor must be in [0, 1], got 1.5"),
            (
                .oneCycle(maxLearningRate: 0.1, totalSteps: 10, percentStart: 1.2),
                "percentStart must be in [0, 1], got 1.2"
            ),
            (.sequential([.exponential(gamma: 0.9)], milestones: [3]), "1 schedules need 0 milestones, got 1"),
            (
                .sequential([.exponential(gamma: 0.9), .step(stepSize: -1)], milestones: [3]),
                "step size must be at least 1, got -1"
            ),
        ]
        for (schedule, message) in cases {
            XCTAssertThrowsError(try LearningRateScheduler(optimizer, schedule: schedule)) {
                XCTAssertTrue("\($0)".contains(message), "'\($0)' does not say '\(message)'")
            }
        }
    }
}

extension LearningRateScheduleTests {
    func testDescriptionNamesPyTorchsClassesAndSettings() {
        let schedule = LearningRateSchedule.sequential(
            [.linear(startFactor: 0.01, totalSteps: 100), .cosineAnnealing(maxSteps: 900)], milestones: [100])
        XCTAssertEqual(
            "\(schedule)",
            "SequentialLR([LinearLR(startFactor: 0.01, endFactor: 1.0, totalSteps: 100), "
                + "CosineAnnealingLR(maxSteps: 900, minimumLearningRate: 0.0)], milestones: [100])")
    }
}
