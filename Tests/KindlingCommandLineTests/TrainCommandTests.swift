import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// `kindling train`, `evaluate` and `predict` on real data, and the library pipeline under them checked
/// against PyTorch (Scripts/reference/torch_digits_training.py -> Fixtures/torch_digits_training.json).
final class TrainCommandTests: XCTestCase {
    func dataset(_ name: String) throws -> String { try fixtureURL("datasets/" + name).path }

    /// The pipeline `kindling train --precision double` runs (split, standardization, automatic
    /// initialization, Adam, batches of 32), through the library, against PyTorch from the same weights and
    /// batch order: every epoch's training and validation loss to 1e-9.
    func testDigitsLossesMatchPyTorchInDouble() throws {
        let reference = try fixture("torch_digits_training.json") as! [String: Any]
        let history = reference["history"] as! [[String: Any]]
        let raw = try RawExamples(contentsOf: URL(fileURLWithPath: dataset("digits.csv")))
        let all = try LabeledExamples<Double>(raw, task: .multiclass, classes: ClassEncoding(labels: raw.labels!))
        let generator = RandomGenerator(seed: 0)
        var (training, validation) = all.split(validationFraction: 0.2, generator: generator)
        let standardization = Standardization(fittedTo: training.features)
        training.features = standardization.apply(to: training.features)
        validation.features = standardization.apply(to: validation.features)
        var specification = ModelSpecification(architecture: .mlp, inputShape: [64], outputs: 10, task: .multiclass)
        specification.hiddenLayers = [64, 32]
        let model: Sequential<Double> = specification.makeModel(generator: RandomGenerator(seed: 1))
        model.initializeWeights(.automatic, generator: generator)
        let result = fit(
            model, training: training, validation: validation, task: .multiclass,
            optimizer: try Adam(model.parameters, learningRate: 1e-3), epochs: history.count, batchSize: 32,
            generator: generator)
        XCTAssertEqual(result.epochs.count, history.count)
        for (record, expected) in zip(result.epochs, history) {
            XCTAssertEqual(
                record.trainingLoss, Double(expected["trainingLoss"] as! String)!, accuracy: 1e-9,
                "epoch \(record.epoch)")
            XCTAssertEqual(
                record.validationLoss!, Double(expected["validationLoss"] as! String)!, accuracy: 1e-9,
                "epoch \(record.epoch)")
            XCTAssertEqual(record.validationMetric!, expected["validationAccuracy"] as! Double, accuracy: 1e-12)
        }
    }

    func testTrainPrintsTheSummaryAndPyTorchsLossesThenEvaluateAndPredictUseTheSavedModel() throws {
        let folder = try temporaryFolder()
        let model = folder.appendingPathComponent("digits.safetensors").path
        let report = folder.appendingPathComponent("report").path
        let train = try kindling(
            "train", "--data", dataset("digits.csv"), "--precision", "double", "--epochs", "2",
            "--save", model, "--report", report)
        XCTAssertEqual(train.status, 0, train.errors)
        XCTAssertTrue(
            train.output.contains("0 (Linear)                   (None, 64)                4,160"), train.output)
        XCTAssertTrue(train.output.contains("Total params: 6,570 (51.33 KB)"), train.output)
        // PyTorch's epoch losses (the fixture), as the command prints them.
        let history = (try fixture("torch_digits_training.json") as! [String: Any])["history"] as! [[String: Any]]
        for epoch in history.prefix(2) {
            let line =
                "epoch \(epoch["epoch"]!)  loss \(String(format: "%.4f", epoch["trainingLossDecimal"] as! Double))  "
                + "val_loss \(String(format: "%.4f", epoch["validationLossDecimal"] as! Double))"
            XCTAssertTrue(train.output.contains(line), "\(line) in \(train.output)")
        }
        XCTAssertEqual(
            Set(try FileManager.default.contentsOfDirectory(atPath: report)),
            ["index.html", "loss-curves.svg", "validation-metric.svg", "epochs.csv", "confusion-matrix.svg"])

        let evaluate = try kindling("evaluate", "--model", model, "--data", dataset("digits.csv"))
        XCTAssertEqual(evaluate.status, 0, evaluate.errors)
        XCTAssertTrue(evaluate.output.contains("class  precision     recall         f1    support"), evaluate.output)
        XCTAssertTrue(evaluate.output.contains("confusion matrix"), evaluate.output)

        let predictions = folder.appendingPathComponent("predictions.csv")
        let predict = try kindling(
            "predict", "--model", model, "--data", dataset("digits.csv"), "--output", predictions.path)
        XCTAssertEqual(predict.status, 0, predict.errors)
        let rows = try String(contentsOf: predictions, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 1798)
        XCTAssertEqual(rows[0], "prediction,p(0),p(1),p(2),p(3),p(4),p(5),p(6),p(7),p(8),p(9)")
        let probabilities = rows[1].split(separator: ",").dropFirst().map { Double($0)! }
        XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-12)
    }

    func testStringLabelsRegressionAndImages() throws {
        let folder = try temporaryFolder()
        let cancer = folder.appendingPathComponent("cancer.safetensors").path
        var outcome = try kindling(
            "train", "--data", dataset("breast_cancer.csv"), "--epochs", "3", "--save", cancer, "--quiet")
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertTrue(outcome.output.contains("binary classification (benign / malignant)"), outcome.output)
        outcome = try kindling("evaluate", "--model", cancer, "--data", dataset("breast_cancer.csv"))
        XCTAssertTrue(outcome.output.contains("malignant"), outcome.output)

        outcome = try kindling("train", "--data", dataset("diabetes.csv"), "--epochs", "2", "--quiet")
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertTrue(outcome.output.contains("regression, mean squared error"), outcome.output)

        outcome = try kindling(
            "train", "--data", dataset("digits-images-idx3-ubyte.gz"), "--labels",
            dataset("digits-labels-idx1-ubyte.gz"),
            "--model", "simplecnn", "--epochs", "1", "--validation-split", "0.5", "--batch-size", "128")
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertTrue(outcome.output.contains("0 (Conv2d)                   (None, 32, 8, 8)"), outcome.output)
        // BatchNorm's running mean, variance and batch count.
        XCTAssertTrue(outcome.output.contains("Non-trainable params: 65 (260.00 B)"), outcome.output)
    }

    /// Two epochs, saved, then one more resumed from the file, give the same third epoch as three epochs in
    /// one run, to the last digit: weights, Adam's moments and step counts, split and batch order continue.
    func testResumeContinuesTheUninterruptedRunExactly() throws {
        let folder = try temporaryFolder()
        let saved = folder.appendingPathComponent("two.safetensors").path
        func thirdEpoch(_ report: String) throws -> Substring {
            let rows = try String(
                contentsOfFile: folder.appendingPathComponent(report).appendingPathComponent("epochs.csv").path,
                encoding: .utf8
            ).split(separator: "\n")
            let row = try XCTUnwrap(rows.first { $0.hasPrefix("3,") }, "\(rows)")
            return row[..<row.lastIndex(of: ",")!]  // without the seconds
        }
        let common = ["--data", try dataset("wine.csv"), "--label-column", "class", "--precision", "double"]
        var outcome = try kindling(
            arguments: ["train"] + common + [
                "--epochs", "3", "--report", folder.appendingPathComponent("straight").path,
            ])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        outcome = try kindling(arguments: ["train"] + common + ["--epochs", "2", "--save", saved])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        outcome = try kindling(
            arguments: ["train"] + common + [
                "--epochs", "1", "--resume", saved,
                "--report", folder.appendingPathComponent("resumed").path,
            ])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertTrue(outcome.output.contains("init from \(saved)"), outcome.output)
        XCTAssertEqual(try thirdEpoch("resumed"), try thirdEpoch("straight"))

        let otherOptimizer = try kindling(
            arguments: ["train"] + common + ["--epochs", "1", "--resume", saved, "--optimizer", "sgd"])
        XCTAssertNotEqual(otherOptimizer.status, 0)
        XCTAssertTrue(
            otherOptimizer.errors.contains("its optimizer state does not fit --optimizer"), otherOptimizer.errors)
    }

    func testCompareInitOnTheUsersDataWithKerasInitializers() throws {
        let outcome = try kindling(
            "compare-init", "--data", dataset("wine.csv"), "--label-column", "class",
            "--inits", "random-uniform,glorot-uniform,he-normal,lecun-uniform,orthogonal",
            "--optimizer", "adam", "--lr", "0.001", "--iterations", "50", "--batch-size", "32",
            "--record-every", "10", "--layers", "16")
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        let names = outcome.output.split(separator: "\n").dropFirst().compactMap {
            $0.split(separator: " ").first.map(String.init)
        }
        XCTAssertEqual(
            names, ["random-uniform", "glorot-uniform", "he-normal", "lecun-uniform", "orthogonal"], outcome.output)
        let regression = try kindling("compare-init", "--data", dataset("diabetes.csv"))
        XCTAssertNotEqual(regression.status, 0)
        XCTAssertTrue(regression.errors.contains("compare-init compares classifiers"), regression.errors)
    }

    func testUserErrorsAreNamedExitNonZeroAndWriteNothing() throws {
        let folder = try temporaryFolder()
        let model = folder.appendingPathComponent("wine.safetensors").path
        let wine = try dataset("wine.csv")
        let train = try kindling(
            "train", "--data", wine, "--label-column", "class", "--epochs", "1", "--save", model, "--quiet")
        XCTAssertEqual(train.status, 0, train.errors)

        let malformed = folder.appendingPathComponent("bad.csv")
        try Data("class,a,b\nclass_0,1,2\nclass_1,3,oops\n".utf8).write(to: malformed)
        let unseen = folder.appendingPathComponent("unseen.csv")
        var text = try String(contentsOfFile: wine, encoding: .utf8)
        text = text.replacingOccurrences(of: "\nclass_2,", with: "\nclass_9,")
        try Data(text.utf8).write(to: unseen)
        let output = folder.appendingPathComponent("out.csv").path
        let existingFolder = folder.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: existingFolder, withIntermediateDirectories: true)

        let cases: [([String], String)] = [
            (
                ["train", "--data", malformed.path, "--label-column", "class"],
                "\(malformed.path):3:11: field 3 ('b'): 'oops' is not a number"
            ),
            (
                ["evaluate", "--model", model, "--data", try dataset("digits.csv")],
                "the model's columns 'alcohol', 'malic_acid', 'ash'"
            ),
            (
                ["predict", "--model", model, "--data", try dataset("diabetes.csv"), "--output", output],
                "11 columns and no header, but the model was trained on 14 columns (or 13 without the label column 'class')"
            ),
            (
                ["evaluate", "--model", model, "--data", unseen.path],
                "label 'class_9' was not seen in training (the model knows class_0, class_1, class_2)"
            ),
            (
                ["evaluate", "--model", try dataset("../safetensors_layout.safetensors"), "--data", wine],
                "not a model saved by 'kindling train'"
            ),
            (["predict", "--model", model, "--data", wine, "--output", existingFolder.path], "is a folder"),
            (
                [
                    "predict", "--model", model, "--data", wine, "--output",
                    folder.appendingPathComponent("missing/p.csv").path,
                ], "does not exist"
            ),
            (
                ["train", "--data", wine, "--save", folder.appendingPathComponent("missing/m.safetensors").path],
                "does not exist"
            ),
            (["train", "--data", wine, "--layers", "8,x"], "'x' is not a positive integer"),
            (["train", "--data", try dataset("digits.csv"), "--model", "simplecnn"], "--model simplecnn needs images"),
        ]
        for (arguments, message) in cases {
            let outcome = try kindling(arguments: arguments)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.errors.contains(message), "\(arguments): expected '\(message)' in: \(outcome.errors)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "nothing half-written")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: existingFolder.path), [])
        let written = try kindling("predict", "--model", model, "--data", wine, "--output", output)
        XCTAssertEqual(written.status, 0, written.errors)
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").count, 179)
        XCTAssertEqual(
            Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)),
            ["wine.safetensors", "bad.csv", "unseen.csv", "out.csv", "a-folder"], "no temporary file left behind")

        // A checkpoint whose weights are not those of the network its metadata describes.
        var specification = ModelSpecification(architecture: .mlp, inputShape: [13], outputs: 3, task: .multiclass)
        specification.hiddenLayers = [5]
        specification.classNames = ["class_0", "class_1", "class_2"]
        let mismatched = folder.appendingPathComponent("mismatched.safetensors")
        try Sequential<Float>(Linear(13, 3)).save(to: mismatched, metadata: ["kindling.model": specification.json])
        let mismatch = try kindling("evaluate", "--model", mismatched.path, "--data", wine)
        XCTAssertNotEqual(mismatch.status, 0)
        XCTAssertTrue(
            mismatch.errors.contains("the weights do not fit the model its metadata describes"), mismatch.errors)
        XCTAssertTrue(mismatch.errors.contains("Missing key(s): \"2.weight\", \"2.bias\""), mismatch.errors)

        // Resuming a model trained on other data.
        let resumed = try kindling("train", "--data", try dataset("digits.csv"), "--resume", model)
        XCTAssertNotEqual(resumed.status, 0)
        XCTAssertTrue(
            resumed.errors.contains("the model's columns 'alcohol', 'malic_acid', 'ash'"),
            resumed.errors)
    }

    /// The epochs.csv of a report as (training loss, validation loss) per epoch.
    func epochLosses(_ report: URL) throws -> [(training: Double, validation: Double)] {
        let rows = try String(contentsOf: report.appendingPathComponent("epochs.csv"), encoding: .utf8).split(
            separator: "\n"
        ).dropFirst()
        return try rows.map { row in
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            return (try XCTUnwrap(Double(fields[1]), "\(row)"), try XCTUnwrap(Double(fields[2]), "\(row)"))
        }
    }

    /// `--schedule` steps once per optimizer update over the whole run (wine: 142 training rows, 5 batches of
    /// 32 per epoch): a rate of 0 from step N on freezes the weights after N updates; `--clip-grad-norm`
    /// clips before each update (a tiny norm slows SGD down, a huge one changes nothing).
    func testScheduleAndGradientClipping() throws {
        let folder = try temporaryFolder()
        let common = [
            "train", "--data", try dataset("wine.csv"), "--label-column", "class", "--precision", "double",
            "--epochs", "3", "--quiet",
        ]
        func losses(_ name: String, _ options: String...) throws -> [(training: Double, validation: Double)] {
            let report = folder.appendingPathComponent(name)
            let outcome = try kindling(arguments: common + options + ["--report", report.path])
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            return try epochLosses(report)
        }
        let constant = try losses("constant")
        XCTAssertLessThan(constant[2].validation, constant[0].validation)

        // Rate 0 after the first update: every epoch ends with the weights of that update.
        let afterOne = try losses("step1", "--schedule", "step:1:0")
        XCTAssertNotEqual(afterOne[0].validation, constant[0].validation)
        XCTAssertEqual(afterOne[1].validation, afterOne[0].validation)
        XCTAssertEqual(afterOne[2].validation, afterOne[0].validation)
        XCTAssertEqual(afterOne[2].training, afterOne[1].training, accuracy: 1e-12)  // same weights, other batch order
        // Rate 0 after 6 updates, one into the second epoch: epochs 1 and 2 differ, 2 and 3 do not.
        let afterSix = try losses("step6", "--schedule", "step:6:0")
        XCTAssertEqual(afterSix[0].validation, constant[0].validation)
        XCTAssertNotEqual(afterSix[1].validation, afterSix[0].validation)
        XCTAssertNotEqual(afterSix[1].validation, constant[1].validation)
        XCTAssertEqual(afterSix[2].validation, afterSix[1].validation)

        let sgd = try losses("sgd", "--optimizer", "sgd", "--lr", "0.1")
        let clipped = try losses("clipped", "--optimizer", "sgd", "--lr", "0.1", "--clip-grad-norm", "0.001")
        let loose = try losses("loose", "--optimizer", "sgd", "--lr", "0.1", "--clip-grad-norm", "1000000")
        XCTAssertGreaterThan(clipped[2].validation, sgd[2].validation)
        XCTAssertLessThan(clipped[0].validation - clipped[2].validation, (sgd[0].validation - sgd[2].validation) / 10)
        XCTAssertEqual(loose.map(\.validation), sgd.map(\.validation))
        XCTAssertEqual(loose.map(\.training), sgd.map(\.training))
    }

    func testScheduleClippingAndDiagnosticsMistakesAreNamed() throws {
        let folder = try temporaryFolder()
        let wine = ["train", "--data", try dataset("wine.csv"), "--label-column", "class", "--epochs", "2"]
        let cases: [([String], String)] = [
            (["--schedule", "bogus"], "--schedule: 'bogus' is not a schedule"),
            (["--schedule", "step:x"], "--schedule: 'step:x' has 'x' where a positive integer belongs"),
            (
                ["--schedule", "warmup:100+cosine"],
                "--schedule: 'warmup:100+cosine' warms up for 100 of only 10 iterations"
            ),
            (["--clip-grad-norm", "0"], "--clip-grad-norm must be a positive number, got 0.0"),
            (["--clip-grad-norm", "-1"], "--clip-grad-norm must be a positive number, got -1.0"),
            (
                ["--schedule", "cosine", "--resume", folder.appendingPathComponent("m.safetensors").path],
                "--schedule does not go with --resume"
            ),
            (
                ["--diagnostics"],
                "--diagnostics writes diagnostics.csv and its charts into the report: give --report DIR"
            ),
            (["--diagnostics-every", "3"], "--diagnostics-every goes with --diagnostics"),
            (
                ["--diagnostics", "--diagnostics-every", "0", "--report", folder.appendingPathComponent("r").path],
                "--diagnostics-every must be at least 1, got 0"
            ),
        ]
        for (options, message) in cases {
            let outcome = try kindling(arguments: wine + options)
            XCTAssertNotEqual(outcome.status, 0, "\(options)")
            XCTAssertTrue(outcome.errors.contains(message), "\(options): expected '\(message)' in: \(outcome.errors)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "nothing written")
    }

    /// `--diagnostics` records every weight layer (Linear layers 0, 2, 4 of a 16-8 MLP) at steps 0, k, 2k, ...:
    /// by default once per epoch (5 updates on wine), or every `--diagnostics-every` updates.
    func testDiagnosticsWritesOneRowPerLayerPerRecord() throws {
        let folder = try temporaryFolder()
        let common = [
            "train", "--data", try dataset("wine.csv"), "--label-column", "class", "--layers", "16,8",
            "--epochs", "3", "--quiet", "--diagnostics",
        ]
        for (name, options, steps) in [
            ("per-epoch", [String](), [0, 5, 10]), ("every-4", ["--diagnostics-every", "4"], [0, 4, 8, 12]),
        ] {
            let report = folder.appendingPathComponent(name)
            let outcome = try kindling(arguments: common + options + ["--report", report.path])
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            let rows = try String(contentsOf: report.appendingPathComponent("diagnostics.csv"), encoding: .utf8)
                .split(separator: "\n").map {
                    $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                }
            XCTAssertEqual(
                rows.first,
                [
                    "step", "layer", "activation_mean", "activation_std", "dead_fraction", "saturated_fraction",
                    "weight_gradient_std", "update_to_weight_ratio", "symmetry_breaking",
                ])
            let records = rows.dropFirst()
            XCTAssertEqual(
                records.map { "\($0[0]):\($0[1])" }, steps.flatMap { step in ["0", "2", "4"].map { "\(step):\($0)" } })
            for record in records {
                XCTAssertEqual(
                    record[4].isEmpty, record[1] == "4",
                    "a dead fraction after each ReLU, none after the output layer: \(record)")
                XCTAssertGreaterThan(try XCTUnwrap(Double(record[6])), 0, "\(record)")
                XCTAssertGreaterThan(try XCTUnwrap(Double(record[7])), 0, "\(record)")
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: report.path)
            XCTAssertTrue(files.contains("diagnostics-activation-std.svg"), "\(files)")
            XCTAssertTrue(files.contains("diagnostics-dead-relu.svg"), "\(files)")
            XCTAssertTrue(
                try String(contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8).contains(
                    "diagnostics.csv"))
        }
    }
}
