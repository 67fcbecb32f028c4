import Kindling
import KindlingTestSupport
import XCTest

/// Regression targets standardized for training and mapped back (issue 20, defect 11).
final class TargetStandardizationTests: XCTestCase {
    func testStatisticsAreTheMeanAndPopulationStandardDeviation() {
        let targets = [1.0, 2.0, 3.0, 6.0]
        let statistics = Standardization(fittedToTargets: targets)
        XCTAssertEqual(statistics.mean, [3])
        XCTAssertEqual(statistics.scale[0], (14.0 / 4).squareRoot(), accuracy: 1e-15)
        let standardized = statistics.standardize(targets: targets)
        XCTAssertEqual(standardized.reduce(0, +), 0, accuracy: 1e-12)
        XCTAssertEqual(Standardization(fittedToTargets: [5, 5]).scale, [1], "a constant target keeps scale 1")
    }

    /// The folded layer gives scale ⊙ (W x + b) + mean for every input.
    func testRestoringUnitsFoldsTheStatisticsIntoTheLastLayer() {
        let layer = Linear<Double>(3, 2, generator: RandomGenerator(seed: 0))
        let input = Tensor<Double>([[0.5, -1, 2], [1, 0, -3]])
        let before = layer(input).scalars
        let statistics = Standardization(mean: [10, -2], scale: [3, 0.5])
        statistics.restoreUnits(of: layer)
        let after = layer(input).scalars
        for (index, value) in after.enumerated() {
            let k = index % 2
            XCTAssertEqual(value, before[index] * statistics.scale[k] + statistics.mean[k], accuracy: 1e-12)
        }
    }

    func testEpochRecordsInTargetUnitsScaleTheSquaredLossAndTheAbsoluteError() throws {
        let record = try JSONDecoder().decode(
            EpochRecord.self,
            from: Data(#"{"epoch":2,"trainingLoss":0.5,"validationLoss":0.25,"validationMetric":0.4,"seconds":1}"#.utf8)
        )
        let scaled = record.inTargetUnits(scale: 10)
        XCTAssertEqual(scaled.trainingLoss, 50)
        XCTAssertEqual(scaled.validationLoss, 25)
        XCTAssertEqual(scaled.validationMetric, 4)
        XCTAssertEqual(scaled.epoch, 2)
    }
}
