import ArgumentParser
import Foundation
import Kindling

/// `kindling export`: a model saved by `train --save` as its weights alone, under PyTorch's state-dict keys,
/// so that `load_state_dict(strict=True)` accepts the file.
struct Export: SavedModelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a saved model's weights alone (PyTorch's keys, no optimizer state) for load_state_dict.",
        discussion: """
            The file holds the network's parameters and buffers under torch.nn.Sequential's keys (0.weight, \
            0.bias, ...) and the metadata 'kindling train' saved (the model's specification, with the feature \
            standardization and the class names), without the optimizer's state. A regression model's targets \
            were standardized for training: the export folds their mean and standard deviation into the last \
            Linear layer, so it outputs values in the targets' units. The features still need the \
            standardization in the metadata (see the article Checkpoints and PyTorch). 'kindling predict' and \
            'evaluate' accept the export as they accept the checkpoint.
            """
    )

    @Option(help: "The model (a .safetensors file written by 'kindling train --save').")
    var model: String

    @Option(help: "Where to write the weights (.safetensors).")
    var output: String

    func validate() throws {
        let url = try checkWritableFile(output, option: "output")
        guard url != URL(fileURLWithPath: model).standardizedFileURL else {
            throw ValidationError("--output: '\(output)' is the --model file itself; choose another path")
        }
    }

    func run<Scalar: TensorScalar>(_ saved: SavedModel, as _: Scalar.Type) throws {
        let network = try saved.makeModel(as: Scalar.self)
        var specification = saved.specification
        specification.targetStandardization = nil
        var metadata = saved.file.metadata.filter { !$0.key.hasPrefix(SavedModel.optimizerPrefix) }
        metadata[SavedModel.specificationKey] = specification.json
        metadata["format"] = "pt"
        let file = SafeTensors(stateDictionaryOf: network, metadata: metadata)
        let url = try checkWritableFile(output, option: "output")
        do {
            try file.write(to: url)
        } catch {
            throw CommandError("--output: \(url.path): cannot be written (\(error))")
        }
        let keys = file.tensors.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        print("\(keys.count) tensors (\(keys.joined(separator: ", "))) written to \(url.path), without optimizer state")
    }
}
