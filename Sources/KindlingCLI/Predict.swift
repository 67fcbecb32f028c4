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

    /// The features: a CSV file may carry the label column (the model's, by name, or the last when there is
    /// one column too many), which is left out.
    func readFeatures(_ specification: ModelSpecification) throws -> RawExamples {
        if input.labelColumn != nil || input.labels != nil { return try input.read() }
        let url = URL(fileURLWithPath: input.data)
        if let name = specification.labelName, !name.hasPrefix("column "),
            let labelled = try? RawExamples(contentsOf: url, header: input.csvHeader, label: .name(name))
        {
            return labelled
        }
        let unlabelled = try RawExamples(contentsOf: url, header: input.csvHeader, label: .none)
        guard unlabelled.featureCount == specification.featureCount + 1, unlabelled.exampleShape.count == 1 else {
            return unlabelled
        }
        return try RawExamples(contentsOf: url, header: input.csvHeader, label: .last)
    }
}
