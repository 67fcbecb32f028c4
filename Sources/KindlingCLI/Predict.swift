import ArgumentParser
import Foundation
import Kindling

/// `kindling predict`: a saved model's predictions for new data, as CSV.
struct Predict: SavedModelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict with a model saved by 'kindling train --save'; writes a CSV.",
        discussion: """
            Classification: one row per example with the predicted class and the probability of each class. \
            Regression: the predicted value. A CSV input may hold the label column (it is ignored) or not. \
            The output is written to a temporary file and renamed, so it is never half-written.
            """
    )

    @Option(help: "The model (a .safetensors file written by 'kindling train --save').")
    var model: String

    @OptionGroup var input: DataOptions

    @Option(
        help: "A category the model was not trained on: error, or ignore (all zeros, as scikit-learn's handle_unknown)."
    )
    var unknownCategory = UnknownCategories.error

    @Option(help: "Where to write the predictions (CSV).")
    var output: String

    func validate() throws { try checkWritableFile(output, option: "output") }

    func run<Scalar: TensorScalar>(_ saved: SavedModel, as _: Scalar.Type) throws {
        let specification = saved.specification
        let network = try saved.makeModel(as: Scalar.self)
        let raw = try readFeatures(specification)
        let outputs = network.evaluationOutput(try specification.inputs(raw, as: Scalar.self))
        var table: CSVTable
        if specification.task == .regression {
            table = CSVTable(header: ["prediction"], rows: outputs.scalars.map { ["\(Double($0))"] })
        } else {
            let probabilities = classProbabilities(fromLogits: outputs)
            let names = specification.classNames
            table = CSVTable(
                header: ["prediction"] + names.map { "p(\($0))" },
                rows: probabilities.map { row in
                    [names[row.indices.max { row[$0] < row[$1] }!]] + row.map { "\($0)" }
                })
        }
        let url = try checkWritableFile(output, option: "output")
        try writeAtomically(table.text, to: url)
        print("\(raw.count) predictions written to \(url.path)")
    }

    /// The features, read as the model's training data was: a CSV file may carry the label column (the
    /// training file's, which is left out); for a model trained without a table (NPY, IDX, or an older
    /// checkpoint), the last column is left out when there is one column too many.
    func readFeatures(_ specification: ModelSpecification) throws -> RawExamples {
        try input.checkNoTrainingChoices(command: "predict")
        if specification.table != nil || input.labelColumn != nil || input.labels != nil || input.data == "-" {
            let label: LabelColumn? =
                input.labelColumn != nil
                ? input.labelColumnSelection : specification.table == nil ? LabelColumn.none : nil
            do {
                return try input.read(
                    applying: specification.table, label: label, unknownCategories: unknownCategory, dropsRows: false)
            } catch let error as TableError {
                guard case .missingValue = error, specification.table?.missingValues == .drop else { throw error }
                throw CommandError("\(error); the model was trained with --missing drop, and predict keeps every row")
            }
        }
        let unlabelled = try input.read(applying: nil, label: LabelColumn.none)
        guard unlabelled.featureCount == specification.featureCount + 1, unlabelled.exampleShape.count == 1 else {
            return unlabelled
        }
        return try input.read(applying: nil, label: .last)
    }
}
