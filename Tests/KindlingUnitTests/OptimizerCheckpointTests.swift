import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Resuming from a checkpoint (model and optimizer saved to safetensors files, then loaded into new
/// objects) follows the uninterrupted run bit for bit in Double.
final class OptimizerCheckpointTests: XCTestCase {
    func model() -> Sequential<Double> {
        let generator = RandomGenerator(seed: 11)
        return Sequential(
            Linear(3, 6, generator: generator), BatchNorm1d(6), ReLU(), Linear(6, 2, generator: generator))
    }

    let input = Tensor<Double>.randn([8, 3], generator: RandomGenerator(seed: 12))
    let target = Tensor<Double>.randn([8, 2], generator: RandomGenerator(seed: 13))

    func train(_ model: Sequential<Double>, _ optimizer: some Optimizer<Double>, steps: Int) {
        for _ in 0..<steps {
            optimizer.zeroGradients()
            meanSquaredError(model(input), target).backward()
            optimizer.step()
        }
    }

    /// 20 steps in one go (the learning rate halved after 10, as a schedule would) equal 10 steps, the
    /// halving, a save, new objects, a load and 10 more steps.
    func assertResumeIsExact<O: CheckpointableOptimizer<Double>>(
        _ makeOptimizer: ([Parameter<Double>]) throws -> O, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let first = model()
        let firstOptimizer = try makeOptimizer(first.parameters)
        train(first, firstOptimizer, steps: 10)
        firstOptimizer.learningRate *= 0.5
        let checkpoint = try temporaryFolder()
        try first.save(to: checkpoint.appendingPathComponent("model.safetensors"))
        try firstOptimizer.save(to: checkpoint.appendingPathComponent("optimizer.safetensors"))

        let resumed = model()
        let resumedOptimizer = try makeOptimizer(resumed.parameters)
        try resumed.load(from: checkpoint.appendingPathComponent("model.safetensors"))
        try resumedOptimizer.load(from: checkpoint.appendingPathComponent("optimizer.safetensors"))
        XCTAssertEqual(resumedOptimizer.stateDictionary, firstOptimizer.stateDictionary, file: file, line: line)
        XCTAssertEqual(resumedOptimizer.learningRate, firstOptimizer.learningRate, file: file, line: line)
        train(resumed, resumedOptimizer, steps: 10)

        let uninterrupted = model()
        let optimizer = try makeOptimizer(uninterrupted.parameters)
        train(uninterrupted, optimizer, steps: 10)
        optimizer.learningRate *= 0.5
        train(uninterrupted, optimizer, steps: 10)
        XCTAssertEqual(
            resumed.stateDictionary.map(\.value), uninterrupted.stateDictionary.map(\.value), file: file, line: line)
        XCTAssertEqual(resumedOptimizer.stateDictionary, optimizer.stateDictionary, file: file, line: line)
    }

    /// A scheduled run (warm-up, then cosine annealing) resumed from the model, optimizer and scheduler
    /// states follows the uninterrupted 20 steps bit for bit: the scheduler's position is part of the checkpoint.
    func testAScheduledRunResumesExactly() throws {
        let schedule = LearningRateSchedule.sequential(
            [.linear(startFactor: 0.1, totalSteps: 5), .cosineAnnealing(maxSteps: 15)], milestones: [5])
        func scheduledTraining(
            _ model: Sequential<Double>, _ optimizer: Adam<Double>,
            _ scheduler: LearningRateScheduler<Double>, steps: Int
        ) {
            for _ in 0..<steps {
                train(model, optimizer, steps: 1)
                scheduler.step()
            }
        }
        let first = model()
        let firstOptimizer = try AdamW(first.parameters, learningRate: 0.05)
        let firstScheduler = try LearningRateScheduler(firstOptimizer, schedule: schedule)
        scheduledTraining(first, firstOptimizer, firstScheduler, steps: 10)
        let checkpoint = try temporaryFolder()
        try first.save(to: checkpoint.appendingPathComponent("model.safetensors"))
        try firstOptimizer.save(to: checkpoint.appendingPathComponent("optimizer.safetensors"))
        try firstScheduler.stateDictionary.safeTensors().write(
            to: checkpoint.appendingPathComponent("scheduler.safetensors"))

        let resumed = model()
        let resumedOptimizer = try AdamW(resumed.parameters, learningRate: 0.05)
        let resumedScheduler = try LearningRateScheduler(resumedOptimizer, schedule: schedule)
        try resumed.load(from: checkpoint.appendingPathComponent("model.safetensors"))
        try resumedOptimizer.load(from: checkpoint.appendingPathComponent("optimizer.safetensors"))
        try resumedScheduler.loadStateDictionary(
            OptimizerStateDictionary(SafeTensors.read(from: checkpoint.appendingPathComponent("scheduler.safetensors")))
        )
        XCTAssertEqual(resumedScheduler.stepCount, 10)
        XCTAssertEqual(resumedOptimizer.learningRate, firstOptimizer.learningRate)
        scheduledTraining(resumed, resumedOptimizer, resumedScheduler, steps: 10)

        let uninterrupted = model()
        let optimizer = try AdamW(uninterrupted.parameters, learningRate: 0.05)
        let scheduler = try LearningRateScheduler(optimizer, schedule: schedule)
        scheduledTraining(uninterrupted, optimizer, scheduler, steps: 20)
        XCTAssertEqual(resumed.stateDictionary.map(\.value), uninterrupted.stateDictionary.map(\.value))
        XCTAssertEqual(resumedOptimizer.learningRate, optimizer.learningRate)

        // Without the scheduler's state the resumed run would restart the warm-up: a different trajectory.
        let restarted = model()
        let restartedOptimizer = try AdamW(restarted.parameters, learningRate: 0.05)
        let restartedScheduler = try LearningRateScheduler(restartedOptimizer, schedule: schedule)
        try restarted.load(from: checkpoint.appendingPathComponent("model.safetensors"))
        try restartedOptimizer.load(from: checkpoint.appendingPathComponent("optimizer.safetensors"))
        scheduledTraining(restarted, restartedOptimizer, restartedScheduler, steps: 10)
        XCTAssertNotEqual(restarted.stateDictionary.map(\.value), uninterrupted.stateDictionary.map(\.value))
    }

    func testASchedulerStateForOtherGroupsIsRejected() throws {
        let optimizer = try SGD(model().parameters, learningRate: 0.1)
        let scheduler = try LearningRateScheduler(optimizer, schedule: .exponential(gamma: 0.5))
        var state = scheduler.stateDictionary
        state.numbers["param_groups.1.initial_lr"] = 0.2
        XCTAssertThrowsError(try scheduler.loadStateDictionary(state)) { error in
            XCTAssertTrue("\(error)".contains("saved for 2 parameter groups, the optimizer has 1"), "\(error)")
        }
        XCTAssertEqual(scheduler.stepCount, 0)
    }

    func testSGDWithNesterovMomentumAndWeightDecayResumesExactly() throws {
        try assertResumeIsExact { try SGD($0, learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3) }
    }

    func testAdamResumesExactly() throws {
        try assertResumeIsExact { try Adam($0, learningRate: 0.01, weightDecay: 1e-3) }
    }

    func testAdamWResumesExactly() throws {
        try assertResumeIsExact { try AdamW($0, learningRate: 0.01) }
    }

    func testAStateThatDoesNotFitIsRejectedAndChangesNothing() throws {
        let network = model()
        let sgd = try SGD(network.parameters, learningRate: 0.1, momentum: 0.9)
        train(network, sgd, steps: 1)
        let state = sgd.stateDictionary
        XCTAssertEqual(state.tensors.keys.sorted(), (0..<6).map { "state.\($0).momentum_buffer" }.sorted())

        let other = try SGD(model().parameters, learningRate: 0.1, momentum: 0.5)
        XCTAssertThrowsError(try other.loadStateDictionary(state)) { error in
            XCTAssertEqual(
                (error as? OptimizerError)?.description,
                "the saved optimizer state has momentum 0.9, this optimizer 0.5")
        }
        let adam = try Adam(model().parameters)
        XCTAssertThrowsError(try adam.loadStateDictionary(state)) { error in
            XCTAssertTrue("\(error)".contains("betas"), "\(error)")
        }
        var misshapen = state
        misshapen.tensors["state.0.momentum_buffer"] = .zeros([2])
        let fresh = try SGD(model().parameters, learningRate: 0.1, momentum: 0.9)
        XCTAssertThrowsError(try fresh.loadStateDictionary(misshapen)) { error in
            XCTAssertEqual(
                (error as? OptimizerError)?.description,
                "the saved state.0.momentum_buffer has shape [2], parameter 0 has shape [6, 3]")
        }
        XCTAssertEqual(fresh.stateDictionary.tensors.count, 0)
    }
}
