import Kindling
import XCTest

/// Training and evaluation modes as in PyTorch: every module stores its own flag, `train(_:)` and `eval()`
/// set it on the module and every descendant, and code that switches modes for a while gives every
/// module its own flag back (issue 10, section 3).
final class ModeTests: XCTestCase {
    /// A module written as a user would: no mode declared, a BatchNorm and a Dropout inside.
    private final class Block: ModuleBase, Module {
        let fc = Linear<Double>(2, 3, generator: RandomGenerator(seed: 1))
        let norm = BatchNorm1d<Double>(3)
        let drop = Dropout<Double>(probability: 0.5, generator: RandomGenerator(seed: 2))
        let head = Linear<Double>(3, 2, generator: RandomGenerator(seed: 3))
        func callAsFunction(_ input: Tensor<Double>) -> Tensor<Double> { head(drop(norm(fc(input)))) }
    }

    func testAModelWithoutBatchNormOrDropoutCanBeInEvaluationMode() {
        let model = Sequential<Double>(Linear(2, 3), ReLU(), Linear(3, 1))
        XCTAssertTrue(model.isTraining)
        model.eval()
        XCTAssertFalse(model.isTraining)
        XCTAssertEqual(model.namedModules.map(\.module.isTraining), [false, false, false, false])
        model.train()
        XCTAssertEqual(model.namedModules.map(\.module.isTraining), [true, true, true, true])
        model.train(false)
        XCTAssertEqual(model.namedModules.map(\.module.isTraining), [false, false, false, false])
    }

    func testACustomModuleHasItsOwnModeAndEvalReachesItsChildren() {
        let block = Block()
        let model = Sequential<Double>(block, ReLU())
        model.eval()
        XCTAssertFalse(block.isTraining)
        XCTAssertFalse(block.norm.isTraining)
        XCTAssertFalse(block.drop.isTraining)
        // A module's own flag is its own: setting it does not reach the children, as `training` in PyTorch.
        block.isTraining = true
        XCTAssertTrue(block.isTraining)
        XCTAssertFalse(block.norm.isTraining)
        XCTAssertFalse(model.isTraining)
        // Nor is a parent's flag computed from its children.
        block.norm.train()
        block.drop.train()
        XCTAssertFalse(model.isTraining)
    }

    func testAccuracyGivesEveryModuleItsOwnModeBack() {
        let block = Block()
        block.norm.eval()  // frozen statistics
        XCTAssertTrue(block.drop.isTraining)
        let data = Dataset(features: Tensor<Double>([[1, 2], [3, -4], [-5, 6], [0, 1]]), labels: [0, 1, 1, 0])
        let statistics = block.norm.runningMean.value
        _ = accuracy(of: block, on: data)
        XCTAssertFalse(block.norm.isTraining, "a BatchNorm the user put in evaluation mode stays there")
        XCTAssertTrue(block.drop.isTraining, "a Dropout in training mode trains again")
        XCTAssertTrue(block.isTraining)
        XCTAssertEqual(block.norm.runningMean.value, statistics, "evaluation did not update the statistics")
    }

    func testEvaluationModeIsUsedInsideAndEveryFlagRestoredAfterwards() {
        let block = Block()
        block.drop.eval()
        let seen = block.withEvaluationMode { block.namedModules.map(\.module.isTraining) }
        XCTAssertEqual(seen, [false, false, false, false, false])
        XCTAssertEqual(block.namedModules.map(\.module.isTraining), [true, true, true, false, true])
    }

    func testTrainingPutsTheWholeModelInTrainingModeAndLeavesItThere() throws {
        let block = Block()
        block.eval()
        let data = Dataset(features: Tensor<Double>([[1, 2], [3, -4], [-5, 6], [0, 1]]), labels: [0, 1, 1, 0])
        _ = train(
            block, on: data, loss: { crossEntropy($0, classIndices: $1.labels) },
            optimizer: try SGD(block.parameters, learningRate: 0.1), for: .iterations(2),
            showsProgress: false)
        XCTAssertEqual(block.namedModules.map(\.module.isTraining), [true, true, true, true, true])
        XCTAssertEqual(block.norm.batchesTracked.value.scalar, 2, "both steps normalized with batch statistics")
    }

    /// Evaluating a few rows at a time gives the one-pass output (each example's output is its own in
    /// evaluation mode), leaves the modes as they were, and does not touch the running statistics.
    func testEvaluationInSeveralPassesIsOnePass() {
        let generator = RandomGenerator(seed: 9)
        let model = Sequential<Double>(
            Linear(4, 6, generator: generator), BatchNorm1d(6), ReLU(), Dropout(probability: 0.5),
            Linear(6, 3, generator: generator))
        let input = Tensor<Double>.randn([10, 4], generator: generator)
        let whole = model.evaluationOutput(input, rowsPerPass: 10)
        let state = model.stateDictionary.map(\.value.scalars)
        for rows in [1, 3, 7] {
            let pieces = model.evaluationOutput(input, rowsPerPass: rows)
            XCTAssertEqual(pieces.shape, [10, 3])
            for (a, b) in zip(pieces.scalars, whole.scalars) { XCTAssertEqual(a, b, accuracy: 1e-14) }
        }
        XCTAssertEqual(model.namedModules.map(\.module.isTraining), Array(repeating: true, count: 6))
        XCTAssertEqual(model.stateDictionary.map(\.value.scalars), state)
    }
}
