import Foundation
import XCTest
import Kindling

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

    private func assertIdentical(_ dataset: Dataset<Double>, _ name: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try reference(name)
        XCTAssertEqual(dataset.features.shape, [expected.rows, 2], name, file: file, line: line)
        XCTAssertEqual(dataset.labels, expected.labels, "\(name): labels", file: file, line: line)
        for (i, (actual, wanted)) in zip(dataset.features.scalars, expected.features).enumerated() where actual != wanted {
            XCTFail("\(name): element \(i) is \(actual), scikit-learn gives \(wanted) (difference \(actual - wanted))",
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
        let dataset: Dataset<Double> = .blobs(count: 50, centerCount: 3, standardDeviation: 1.5,
                                              generator: RandomGenerator(seed: 4))
        try assertIdentical(dataset, "blobsRandomCenters")
        XCTAssertEqual(dataset.classCount, 3)
    }

    func testBlobsWithGivenCentersEqualScikitLearn() throws {
        let dataset: Dataset<Double> = .blobs(count: 40, centers: [[0, 0], [3, 3], [-3, 2]], standardDeviation: 0.5,
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
            let x = dataset.features[row, 0], y = dataset.features[row, 1]
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

    // MARK: CSV

    private func temporaryFile(_ contents: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kindling-\(UUID().uuidString).csv")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func assertLoadingFails(_ contents: String, labelColumn: Int = -1, hasHeader: Bool = false,
                                    file: StaticString = #filePath, line: UInt = #line,
                                    _ check: (DataError, String) -> Void) throws {
        let url = try temporaryFile(contents)
        XCTAssertThrowsError(try Dataset<Double>.loadCSV(url, labelColumn: labelColumn, hasHeader: hasHeader),
                             file: file, line: line) { error in
            guard let dataError = error as? DataError else {
                return XCTFail("expected a DataError, got \(error)", file: file, line: line)
            }
            XCTAssertTrue(dataError.description.hasPrefix(url.path), "message names the file: \(dataError)",
                          file: file, line: line)
            check(dataError, url.path)
        }
    }

    func testLoadCSVReadsFeaturesAndLabels() throws {
        let url = try temporaryFile("x,y,label\n0.5, -1.25, 1\n\n2e-3,4,0.0\r\n")
        let dataset = try Dataset<Double>.loadCSV(url, hasHeader: true)
        XCTAssertEqual(dataset.features, Tensor([[0.5, -1.25], [0.002, 4]]))
        XCTAssertEqual(dataset.labels, [1, 0])
        let labelFirst = try Dataset<Float>.loadCSV(try temporaryFile("2,1.5,7\n0,3,4\n"), labelColumn: 0)
        XCTAssertEqual(labelFirst.features, Tensor([[1.5, 7], [3, 4]]))
        XCTAssertEqual(labelFirst.labels, [2, 0])
        XCTAssertEqual(labelFirst.classCount, 3)
    }

    func testLoadCSVMissingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/kindling/data.csv")
        XCTAssertThrowsError(try Dataset<Double>.loadCSV(url)) { error in
            XCTAssertEqual(error as? DataError, .fileNotFound(path: "/nonexistent/kindling/data.csv"))
            XCTAssertEqual("\(error)", "/nonexistent/kindling/data.csv: no such file")
        }
    }

    func testLoadCSVEmptyFile() throws {
        try assertLoadingFails("") { error, path in XCTAssertEqual(error, .empty(path: path)) }
        try assertLoadingFails("a,b,label\n\n", hasHeader: true) { error, path in XCTAssertEqual(error, .empty(path: path)) }
    }

    func testLoadCSVMalformedNumberNamesLineAndColumn() throws {
        try assertLoadingFails("1,2,0\n3,x4,1\n") { error, path in
            XCTAssertEqual(error, .malformedNumber(path: path, line: 2, column: 2, text: "x4"))
            XCTAssertEqual(error.description, "\(path):2: column 2: 'x4' is not a number")
        }
        try assertLoadingFails("1,,0\n") { error, path in
            XCTAssertEqual(error, .malformedNumber(path: path, line: 1, column: 2, text: ""))
        }
    }

    func testLoadCSVRaggedRows() throws {
        try assertLoadingFails("1,2,0\n\n3,4\n") { error, path in
            XCTAssertEqual(error, .raggedRow(path: path, line: 3, expected: 3, found: 2))
            XCTAssertEqual(error.description, "\(path):3: 2 fields, but the first data row has 3")
        }
    }

    func testLoadCSVRejectsNaNAndInfinity() throws {
        for bad in ["nan", "inf", "-inf", "1e999"] {
            try assertLoadingFails("1,2,0\n3,\(bad),1\n") { error, path in
                XCTAssertEqual(error, .nonFinite(path: path, line: 2, column: 2, text: bad))
            }
        }
    }

    func testLoadCSVBadLabels() throws {
        try assertLoadingFails("1,2,0.5\n") { error, path in
            XCTAssertEqual(error, .invalidLabel(path: path, line: 1, text: "0.5"))
        }
        try assertLoadingFails("1,2,-1\n") { error, path in
            XCTAssertEqual(error, .invalidLabel(path: path, line: 1, text: "-1"))
        }
        try assertLoadingFails("1,2,0\n", labelColumn: 3) { error, path in
            XCTAssertEqual(error, .labelColumnOutOfRange(path: path, column: 3, columnCount: 3))
        }
    }
}
