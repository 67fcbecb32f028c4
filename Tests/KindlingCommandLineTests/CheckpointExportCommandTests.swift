import Foundation
import KindlingTestSupport
import XCTest

/// Issue 20, defects 9 and 11: `kindling export` writes the weights alone with PyTorch's keys, the
/// checkpoint's metadata reproduces `predict` in Python (Scripts/reference/kindling_checkpoint_predict.py ->
/// Fixtures/kindling_checkpoint_predict.json), and regression targets are standardized (the diabetes
/// baseline of Scripts/reference/sklearn_diabetes_regression.py -> Fixtures/sklearn_diabetes_regression.json).
final class CheckpointExportCommandTests: XCTestCase {
    func dataset(_ name: String) throws -> String { try fixtureURL("datasets/" + name).path }

    func csvRows(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// The export holds no optimizer state and is, byte for byte, the file the reference script loaded into
    /// torch.nn.Sequential with load_state_dict(strict=True).
    func testExportWritesTheWeightsAloneAsPyTorchLoadsThem() throws {
        let folder = try temporaryFolder()
        let export = folder.appendingPathComponent("wine-export.safetensors")
        let checkpoint = try fixtureURL("kindling_wine_checkpoint.safetensors")
        let outcome = try Products.kindling(arguments: [
            "export", "--model", checkpoint.path, "--output", export.path,
        ])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertTrue(
            outcome.output.contains("6 tensors (0.bias, 0.weight, 2.bias, 2.weight, 4.bias, 4.weight) written to"),
            outcome.output)
        XCTAssertEqual(
            try Data(contentsOf: export), try Data(contentsOf: fixtureURL("kindling_wine_export.safetensors")))
        let inspect = try Products.kindling(arguments: ["inspect", checkpoint.path])
        XCTAssertTrue(inspect.output.contains("optimizer."), "the checkpoint keeps the optimizer for --resume")
        let same = try Products.kindling(arguments: ["export", "--model", checkpoint.path, "--output", checkpoint.path])
        XCTAssertNotEqual(same.status, 0)
        XCTAssertTrue(same.errors.contains("is the --model file itself"), same.errors)
    }

    /// `predict` gives what numpy computes from the checkpoint's tensors and documented metadata.
    func testPredictMatchesTheReferenceReaderOfTheMetadata() throws {
        let reference = try fixture("kindling_checkpoint_predict.json") as! [String: Any]
        let folder = try temporaryFolder()
        let wine = reference["wine"] as! [String: Any]
        let output = folder.appendingPathComponent("wine.csv")
        var outcome = try Products.kindling(arguments: [
            "predict", "--model", try fixtureURL("kindling_wine_checkpoint.safetensors").path,
            "--data", try dataset("wine.csv"), "--label-column", "class", "--output", output.path,
        ])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        let rows = try csvRows(output)
        let expected = wine["probabilities"] as! [[Double]]
        XCTAssertEqual(rows.count, expected.count + 1)
        XCTAssertEqual(
            rows[0],
            ["prediction"] + (wine["classNames"] as! [String]).map { "p(\($0)))" }.map { String($0.dropLast()) })
        for (row, (probabilities, predicted)) in zip(rows.dropFirst(), zip(expected, wine["predicted"] as! [String])) {
            XCTAssertEqual(row[0], predicted)
            for (value, reference) in zip(row.dropFirst(), probabilities) {
                XCTAssertEqual(Double(value)!, reference, accuracy: 1e-5)  // a Float model against float64 numpy
            }
        }

        let diabetes = reference["diabetes"] as! [String: Any]
        for model in ["kindling_diabetes_checkpoint.safetensors", "export"] {
            var path = try fixtureURL("kindling_diabetes_checkpoint.safetensors").path
            if model == "export" {
                path = folder.appendingPathComponent("diabetes-export.safetensors").path
                outcome = try Products.kindling(arguments: [
                    "export", "--model", try fixtureURL("kindling_diabetes_checkpoint.safetensors").path,
                    "--output", path,
                ])
                XCTAssertEqual(outcome.status, 0, outcome.errors)
            }
            let predictions = folder.appendingPathComponent("diabetes-\(model).csv")
            outcome = try Products.kindling(arguments: [
                "predict", "--model", path, "--data", try dataset("diabetes_test.csv"), "--output", predictions.path,
            ])
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            let values = try csvRows(predictions).dropFirst().map { Double($0[0])! }
            let expected = diabetes["predictions"] as! [Double]
            XCTAssertEqual(values.count, expected.count)
            for (value, reference) in zip(values, expected) {
                XCTAssertEqual(value, reference, accuracy: 1e-5 * abs(reference) + 1e-4, model)
            }
        }
    }

    /// Defect 11: trained on standardized targets, the default MLP (64-32, Adam, 40 epochs) reaches a five-fold
    /// cross-validated R^2 on diabetes within 0.12 of scikit-learn's LinearRegression on the same folds.
    /// Measured: LinearRegression 0.489; Kindling 0.403 (0.280 before the targets were standardized, a gap of
    /// 0.21 that this test rejects). The margin: the diabetes target is close to linear in its ten features,
    /// and 2,817 weights trained without regularization on 353 rows overfit, so an MLP is not expected to
    /// match the linear fit; across seeds the per-fold R^2 moves by about 0.05, its five-fold mean by about
    /// 0.03, and 0.12 leaves that room above the measured gap of 0.086.
    func testRegressionOnDiabetesComesCloseToALinearModel() throws {
        let reference = try fixture("sklearn_diabetes_regression.json") as! [String: Any]
        let crossValidation = reference["cross_validation"] as! [String: Any]
        let folds = crossValidation["folds"] as! [[String: Any]]
        let linear = crossValidation["linear_r2_mean"] as! Double
        let lines = try String(contentsOfFile: try dataset("diabetes.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 442)
        let folder = try temporaryFolder()
        var scores: [Double] = []
        for (k, fold) in folds.enumerated() {
            let test = Set(fold["test_rows"] as! [Int])
            let trainFile = folder.appendingPathComponent("train\(k).csv")
            let testFile = folder.appendingPathComponent("test\(k).csv")
            try Data((lines.indices.filter { !test.contains($0) }.map { lines[$0] + "\n" }.joined()).utf8).write(
                to: trainFile)
            try Data((lines.indices.filter { test.contains($0) }.map { lines[$0] + "\n" }.joined()).utf8).write(
                to: testFile)
            let model = folder.appendingPathComponent("fold\(k).safetensors").path
            var outcome = try Products.kindling(arguments: [
                "train", "--data", trainFile.path, "--epochs", "40", "--quiet", "--save", model,
            ])
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            XCTAssertTrue(outcome.output.contains("regression, mean squared error"), outcome.output)
            outcome = try Products.kindling(arguments: ["evaluate", "--model", model, "--data", testFile.path])
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            let line = try XCTUnwrap(outcome.output.split(separator: "\n").first { $0.hasPrefix("R^2 ") })
            scores.append(try XCTUnwrap(Double(line.dropFirst(4))))
        }
        let mean = scores.reduce(0, +) / Double(scores.count)
        XCTAssertGreaterThanOrEqual(
            mean, linear - 0.12, "Kindling \(scores) (mean \(mean)), LinearRegression \(linear)")
    }
}
