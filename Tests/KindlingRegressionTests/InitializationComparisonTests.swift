import Kindling
import XCTest

/// The docs' three-way comparison (DESIGN.md) against the costs the course published: circles, 2-10-5-1
/// ReLU network, full-batch gradient descent at 0.01 for 15000 iterations, the cost every 1000.
final class InitializationComparisonTests: XCTestCase {
    /// The course's published costs for He initialization at iterations 0, 1000, ..., 14000 (issue 5).
    let publishedHeCosts = [
        0.8830537463419761, 0.6879825919728063, 0.6751286264523371, 0.6526117768893805, 0.6082958970572938,
        0.5304944491717495, 0.4138645817071794, 0.3117803464844441, 0.23696215330322562, 0.1859728720920684,
        0.15015556280371808, 0.12325079292273551, 0.09917746546525937, 0.08457055954024283, 0.07357895962677366,
    ]

    func run(
        _ initialization: InitializationName,
        precision: InitializationComparison.Precision = .double
    ) throws -> InitializationComparison.Run {
        var configuration = InitializationComparison.Configuration()
        configuration.initializations = [initialization]
        configuration.precision = precision
        return try XCTUnwrap(InitializationComparison.run(configuration).first)
    }

    func testHeReproducesThePublishedCurveAndAccuracies() throws {
        let run = try run("he")
        XCTAssertEqual(run.history.steps, Array(stride(from: 0, to: 15000, by: 1000)))
        XCTAssertEqual(run.history.losses.count, publishedHeCosts.count)
        for (step, (cost, published)) in zip(run.history.steps, zip(run.history.losses, publishedHeCosts)) {
            XCTAssertEqual(cost, published, accuracy: 1e-9 * published, "iteration \(step)")
        }
        XCTAssertEqual(run.trainAccuracy, 0.9933333333333333, accuracy: 1e-15)
        XCTAssertEqual(run.testAccuracy, 0.96, accuracy: 1e-15)
        XCTAssertNil(run.history.divergence)
    }

    func testZerosNeverBreakSymmetry() throws {
        let run = try run("zeros")
        XCTAssertEqual(run.history.losses.count, 15)
        for (step, cost) in zip(run.history.steps, run.history.losses) {
            XCTAssertEqual(cost, 0.6931471805599453, accuracy: 1e-12, "iteration \(step)")
        }
        XCTAssertEqual(run.trainAccuracy, 0.5)
        XCTAssertEqual(run.testAccuracy, 0.5)
    }

    func testRandomTimesTenTrainsBadlyButFinitely() throws {
        let run = try run("random")
        // The course prints inf at iteration 0 (it takes log(sigmoid) naively); on the logits the cost is
        // finite, about 1773.59.
        let first = try XCTUnwrap(run.history.losses.first)
        XCTAssertTrue(first.isFinite)
        XCTAssertEqual(first, 1773.59, accuracy: 0.01)
        XCTAssertEqual(try XCTUnwrap(run.history.losses.last), 0.3828, accuracy: 0.005)
        XCTAssertEqual(run.trainAccuracy, 0.83, accuracy: 1e-12)
        XCTAssertEqual(run.testAccuracy, 0.86, accuracy: 1e-12)
    }

    func testHeInFloatFollowsThePublishedCurve() throws {
        let run = try run("he", precision: .float)
        XCTAssertEqual(run.history.losses.count, publishedHeCosts.count)
        for (step, (cost, published)) in zip(run.history.steps, zip(run.history.losses, publishedHeCosts)) {
            XCTAssertEqual(cost, published, accuracy: 1e-4, "iteration \(step)")
        }
    }

    func testInvalidSettingsAreRejectedWithTheirValue() {
        var configuration = InitializationComparison.Configuration()
        configuration.learningRate = -1
        XCTAssertThrowsError(try InitializationComparison.run(configuration)) { error in
            XCTAssertTrue("\(error)".contains("-1"), "\(error)")
        }
        configuration = InitializationComparison.Configuration()
        configuration.hiddenLayers = [10, 0]
        XCTAssertThrowsError(try InitializationComparison.run(configuration)) { error in
            XCTAssertTrue("\(error)".contains("[10, 0]"), "\(error)")
        }
    }

    func testEveryDatasetOptimizerAndSchemeRunsShortly() throws {
        for dataset in InitializationComparison.DatasetName.allCases {
            var configuration = InitializationComparison.Configuration()
            configuration.dataset = dataset
            configuration.initializations = InitializationName.allCases
            configuration.iterations = 30
            configuration.recordEvery = 10
            configuration.optimizer = .adamw
            configuration.learningRate = 0.01
            configuration.batchSize = 64
            let runs = try InitializationComparison.run(configuration)
            XCTAssertEqual(runs.map(\.initialization), InitializationName.allCases)
            for run in runs {
                XCTAssertEqual(run.history.steps, [0, 10, 20], "\(dataset) \(run.initialization)")
                XCTAssertTrue(run.history.losses.allSatisfy(\.isFinite), "\(dataset) \(run.initialization)")
                XCTAssertNotNil(run.decisionBoundary)
            }
        }
    }

    func testConcurrentRunsEqualSequentialOnesBitForBit() throws {
        var configuration = InitializationComparison.Configuration()
        configuration.dataset = .moons
        configuration.initializations = InitializationName.allCases
        configuration.iterations = 200
        configuration.recordEvery = 10
        configuration.optimizer = .adamw
        configuration.batchSize = 64
        configuration.precision = .float
        configuration.runsConcurrently = false
        let sequential = try InitializationComparison.run(configuration)
        configuration.runsConcurrently = true
        let concurrent = try InitializationComparison.run(configuration)
        XCTAssertEqual(concurrent.map(\.initialization), configuration.initializations)
        XCTAssertEqual(sequential.map(\.initialization), configuration.initializations)
        for (one, other) in zip(sequential, concurrent) {
            let name = one.initialization.rawValue
            XCTAssertEqual(one.history.records, other.history.records, name)
            XCTAssertEqual(one.history.records.count, 20, name)
            XCTAssertEqual(one.trainAccuracy, other.trainAccuracy, name)
            XCTAssertEqual(one.testAccuracy, other.testAccuracy, name)
            XCTAssertEqual(one.decisionBoundary?.probabilities, other.decisionBoundary?.probabilities, name)
        }
        // The runs differ from one another, so equal lists above are not equal by accident; the one pair
        // that must agree is Keras's glorot-uniform, which is Xavier uniform under another name.
        let finalLoss = { (name: InitializationName) in
            concurrent.first { $0.initialization == name }!.history.losses.last!
        }
        XCTAssertEqual(finalLoss("glorot-uniform"), finalLoss("xavier"))
        let distinct = concurrent.filter { $0.initialization != "glorot-uniform" }
        XCTAssertEqual(Set(distinct.map { $0.history.losses.last! }).count, distinct.count)
    }
}
