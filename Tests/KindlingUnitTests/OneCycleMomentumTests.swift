import Kindling
import KindlingTestSupport
import XCTest

// Reference values come from Scripts/reference/torch_one_cycle_momentum.py
// (Fixtures/torch_one_cycle_momentum.json): torch.optim.lr_scheduler.OneCycleLR with cycle_momentum and
// per-group max_lr over SGD and Adam, every group's rate and the momentum (β₁) at each step, and the
// parameters after training sum(c · p²) / 2 in float64.

final class OneCycleMomentumTests: XCTestCase {
    private struct Case {
        let name: String
        let steps: Int
        let makeOptimizer: ([ParameterGroup<Double>]) throws -> any Optimizer<Double>
        let schedule: LearningRateSchedule
    }

    private let cases = [
        Case(
            name: "sgd_two_groups", steps: 20,
            makeOptimizer: { try SGD($0, learningRate: 0.1, momentum: 0.9) },
            schedule: .oneCycle(
                maxLearningRate: 0.05, totalSteps: 20, groupMaximumLearningRates: [0.05, 0.02],
                momentum: .init(base: 0.8, maximum: 0.95))),
        Case(
            name: "sgd_without_momentum", steps: 12, makeOptimizer: { try SGD($0, learningRate: 0.1) },
            schedule: .oneCycle(maxLearningRate: 0.03, totalSteps: 12, momentum: .init())),
        Case(
            name: "adam_three_phase_linear", steps: 15, makeOptimizer: { try Adam($0, learningRate: 0.01) },
            schedule: .oneCycle(
                maxLearningRate: 0.1, totalSteps: 15, annealing: .linear, divFactor: 10, threePhase: true,
                groupMaximumLearningRates: [0.1, 0.04], momentum: .init(base: 0.85, maximum: 0.95))),
    ]

    func testMomentumCyclingAndGroupMaximaFollowPyTorch() throws {
        let root = try XCTUnwrap(fixture("torch_one_cycle_momentum.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_one_cycle_momentum.py")
        let references = try XCTUnwrap(root["cases"] as? [String: [String: Any]])
        let coefficients = [Tensor<Double>([1, 2, 3]), Tensor<Double>([4, 5])]
        for test in cases {
            let reference = try XCTUnwrap(references[test.name], test.name)
            let parameters = [Parameter(Tensor<Double>([1, -2, 3])), Parameter(Tensor<Double>([0.5, 0.25]))]
            let optimizer = try test.makeOptimizer(parameters.map { ParameterGroup([$0]) })
            let scheduler = try LearningRateScheduler(optimizer, schedule: test.schedule)
            let momentumOwner = try XCTUnwrap(optimizer as? any MomentumScheduling)
            var rates: [[Double]] = []
            var momenta: [Double] = []
            for _ in 0..<test.steps {
                rates.append(scheduler.learningRates)
                momenta.append(momentumOwner.scheduledMomentum)
                for parameter in parameters { parameter.zeroGradient() }
                zip(coefficients, parameters).map { ($0 * $1.value * $1.value).sum() / 2 }.reduce(Tensor(0), +)
                    .backward()
                optimizer.step()
                scheduler.step()
            }
            let expectedRates = try XCTUnwrap(reference["lrs"] as? [[Double]])
            for (step, (rate, expected)) in zip(rates, expectedRates).enumerated() {
                assertClose(rate, expected, tolerance: 1e-15, "\(test.name) step \(step): rates")
            }
            assertClose(
                momenta, try XCTUnwrap(reference["momenta"] as? [Double]), tolerance: 1e-15, "\(test.name): momenta")
            let final = try XCTUnwrap(reference["final"] as? [[Double]])
            for (parameter, expected) in zip(parameters, final) {
                assertClose(parameter.value.scalars, expected, tolerance: 1e-13, "\(test.name): parameters")
            }
        }
    }

    func testGroupMaximaMustMatchTheGroups() throws {
        let optimizer = try SGD([Parameter(Tensor<Double>([1]))], learningRate: 0.1)
        XCTAssertThrowsError(
            try LearningRateScheduler(
                optimizer,
                schedule: .oneCycle(maxLearningRate: 0.1, totalSteps: 10, groupMaximumLearningRates: [0.1, 0.2]))
        ) { error in
            XCTAssertEqual("\(error)", "OneCycleLR: 2 maximum learning rates for 1 parameter groups")
        }
    }
}
