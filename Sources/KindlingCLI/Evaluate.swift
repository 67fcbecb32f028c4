import ArgumentParser
import Foundation
import Kindling

/// `kindling evaluate`: a saved model's loss and metrics on labelled data.
struct Evaluate: SavedModelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a model saved by 'kindling train --save' on labelled data.",
        discussion:
            "Classification: loss, accuracy, per-class precision, recall and F1, and the confusion matrix. Regression: MSE, MAE and R^2."
    )

    @Option(help: "The model (a .safetensors file written by 'kindling train --save').")
    var model: String

    @OptionGroup var input: DataOptions

    @Option(
        help: "A category the model was not trained on: error, or ignore (all zeros, as scikit-learn's handle_unknown)."
    )
    var unknownCategory = UnknownCategories.error

    func run<Scalar: TensorScalar>(_ saved: SavedModel, as _: Scalar.Type) throws {
        let specification = saved.specification
        let network = try saved.makeModel(as: Scalar.self)
        let raw = try readLabelled(specification)
        let inputs: Tensor<Scalar> = try specification.inputs(raw, as: Scalar.self)
        let classes = specification.task == .regression ? nil : ClassEncoding(names: specification.classNames)
        var examples = try LabeledExamples<Scalar>(raw, task: specification.task, classes: classes)
        examples.features = inputs
        let output = network.evaluationOutput(examples.features)
        let loss = withoutGradient { Double(taskLoss(output, examples, task: specification.task).scalars[0]) }
        print("\(raw.count) examples from \(raw.path)")
        if specification.task == .regression {
            let metrics = RegressionMetrics(predicted: output.scalars.map { Double($0) }, actual: examples.targets)
            print(
                "loss (MSE) \(formatted(loss))\nMSE \(formatted(metrics.meanSquaredError))\nMAE \(formatted(metrics.meanAbsoluteError))\nR^2 \(formatted(metrics.rSquared))"
            )
            return
        }
        let metrics = ClassificationMetrics(
            predicted: predictedClasses(fromLogits: output), actual: examples.classIndices,
            classCount: specification.classNames.count)
        print("loss \(formatted(loss))  accuracy \(formatted(metrics.accuracy))\n")
        let names = specification.classNames
        let nameWidth = max(5, names.map(\.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }
        print(pad("class", nameWidth) + "  precision     recall         f1    support")
        for k in names.indices {
            print(
                pad(names[k], nameWidth)
                    + [metrics.precision[k], metrics.recall[k], metrics.f1[k]].map { pad(formatted($0), 11) }.joined()
                    + pad("\(metrics.support[k])", 11))
        }
        print("\nconfusion matrix (rows: true class, columns: predicted class)")
        let cellWidth = max(names.map(\.count).max() ?? 1, String(metrics.confusion.joined().max() ?? 0).count) + 1
        print(pad("", nameWidth) + names.map { pad($0, cellWidth) }.joined())
        for (k, row) in metrics.confusion.enumerated() {
            print(pad(names[k], nameWidth) + row.map { pad("\($0)", cellWidth) }.joined())
        }
    }

    /// The data with its labels, read as the model's training data was: for a CSV file without an explicit
    /// --label-column, the training file's label column (by name when both files have a header), else the last.
    func readLabelled(_ specification: ModelSpecification) throws -> RawExamples {
        try input.checkNoTrainingChoices(command: "evaluate")
        let label: LabelColumn? =
            input.labelColumn != nil ? input.labelColumnSelection : specification.table == nil ? .last : nil
        let raw = try input.read(applying: specification.table, label: label, unknownCategories: unknownCategory)
        guard raw.labels != nil else {
            throw CommandError(
                "\(raw.path): no labels to evaluate against"
                    + (specification.labelName.map { " (no column '\($0)'; give --label-column)" }
                        ?? " (give --labels for NPY or IDX features)"))
        }
        return raw
    }
}
