import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// The toy datasets against scikit-learn: Fixtures/sklearn_datasets.json is written by
/// Scripts/reference/sklearn_datasets.py, which seeds numpy's global RandomState and calls make_circles,
/// make_moons, make_blobs and the CS231n spiral. Every coordinate must be equal bit for bit (the fixture
/// stores each one as float.hex(), so no decimal parsing is involved).
final class DatasetTests: XCTestCase {
    private struct Reference {
        let features: [Double]
        let rows: Int
        let labels: [Int]
    }

    private func reference(_ name: String) throws -> Reference {
        let root = try XCTUnwrap(try fixture("sklearn_datasets.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/sklearn_datasets.py")
        let datasets = try XCTUnwrap(root["datasets"] as? [String: Any])
        let entry = try XCTUnwrap(datasets[name] as? [String: Any], "no dataset \(name) in the fixture")
        let hex = try XCTUnwrap(entry["featuresHex"] as? [[String]])
        let features = try hex.flatMap { row in try row.map { try XCTUnwrap(Double($0), "bad hex float \($0)") } }
        return Reference(features: features, rows: hex.count, labels: try XCTUnwrap(entry["labels"] as? [Int]))
    }

    private func assertIdentical(
        _ dataset: Dataset<Double>, _ name: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let expected = try reference(name)
        XCTAssertEqual(dataset.features.shape, [expected.rows, 2], name, file: file, line: line)
        XCTAssertEqual(dataset.labels, expected.labels, "\(name): labels", file: file, line: line)
        for (i, (actual, wanted)) in zip(dataset.features.scalars, expected.features).enumerated()
        where actual != wanted {
            XCTFail(
                "\(name): element \(i) is \(actual), scikit-learn gives \(wanted) (difference \(actual - wanted))",
                file: file, line: line)
            return
        }
    }

    func testCirclesOfTheCourseEqualScikitLearnBitForBit() throws {
        let train: Dataset<Double> = .circles(count: 300, noise: 0.05, generator: RandomGenerator(seed: 1))
        let test: Dataset<Double> = .circles(count: 100, noise: 0.05, generator: RandomGenerator(seed: 2))
        try assertIdentical(train, "circlesTrain")
        try assertIdentical(test, "circlesTest")
        XCTAssertEqual(train.classCount, 2)
        XCTAssertEqual(train.labels.filter { $0 == 0 }.count, 150)
    }

    func testCirclesWithOddCountAndOtherFactorEqualScikitLearn() throws {
        let dataset: Dataset<Double> = .circles(count: 51, noise: 0.1, factor: 0.5, generator: RandomGenerator(seed: 5))
        try assertIdentical(dataset, "circlesOdd")
        XCTAssertEqual(dataset.labels.filter { $0 == 0 }.count, 25, "the outer circle gets count / 2 rounded down")
    }

    func testMoonsEqualScikitLearn() throws {
        try assertIdentical(.moons(count: 101, noise: 0.2, generator: RandomGenerator(seed: 3)), "moons")
    }

    func testBlobsWithRandomCentersEqualScikitLearn() throws {
        let dataset: Dataset<Double> = .blobs(
            count: 50, centerCount: 3, standardDeviation: 1.5,
            generator: RandomGenerator(seed: 4))
        try assertIdentical(dataset, "blobsRandomCenters")
        XCTAssertEqual(dataset.classCount, 3)
    }

    func testBlobsWithGivenCentersEqualScikitLearn() throws {
        let dataset: Dataset<Double> = .blobs(
            count: 40, centers: [[0, 0], [3, 3], [-3, 2]], standardDeviation: 0.5,
            generator: RandomGenerator(seed: 6))
        try assertIdentical(dataset, "blobsGivenCenters")
        XCTAssertEqual(dataset.labels.filter { $0 == 0 }.count, 14, "40 % 3 = 1 extra point goes to the first cluster")
    }

    func testSpiralsEqualTheCS231nCode() throws {
        let dataset: Dataset<Double> = .spirals(pointsPerClass: 20, classCount: 3, generator: RandomGenerator(seed: 0))
        try assertIdentical(dataset, "spiral")
        XCTAssertEqual(dataset.classCount, 3)
    }

    func testNoiselessCirclesLieOnTheirCircles() {
        let dataset: Dataset<Double> = .circles(count: 10, factor: 0.3, generator: RandomGenerator(seed: 0))
        for (row, label) in dataset.labels.enumerated() {
            let x = dataset.features[row, 0]
            let y = dataset.features[row, 1]
            XCTAssertEqual((x * x + y * y).squareRoot(), label == 0 ? 1 : 0.3, accuracy: 1e-15)
        }
    }

    func testFloatDatasetIsTheDoubleOneRounded() {
        let double: Dataset<Double> = .circles(count: 30, noise: 0.05, generator: RandomGenerator(seed: 1))
        let float: Dataset<Float> = .circles(count: 30, noise: 0.05, generator: RandomGenerator(seed: 1))
        XCTAssertEqual(float.features.scalars, double.features.scalars.map { Float($0) })
        XCTAssertEqual(double.converted(to: Float.self).features, float.features)
    }

    func testTargetsAndRows() {
        let dataset = Dataset(features: Tensor<Double>([[1, 2], [3, 4], [5, 6]]), labels: [0, 1, 1])
        XCTAssertEqual(dataset.targets, Tensor(shape: [3, 1], scalars: [0, 1, 1]))
        let batch = dataset.rows([2, 0])
        XCTAssertEqual(batch.features, Tensor([[5, 6], [1, 2]]))
        XCTAssertEqual(batch.labels, [1, 0])
        XCTAssertEqual(batch.classCount, 2)
    }
}
