import ArgumentParser
import Foundation
import Kindling

/// `kindling classify`: a head saved by `kindling transfer --save` applied to new texts through its frozen
/// encoder.
struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify texts with a head saved by 'kindling transfer --save' on the same frozen encoder.",
        discussion: """
            Each text is embedded by the encoder (mean pooling + L2 normalization), then the head gives a \
            probability per class (softmax of its logits; dropout is off). Prints one line per text with the \
            predicted class and its probability; --output writes every probability as CSV.
            """
    )

    @Option(help: "The head (a .safetensors file written by 'kindling transfer --save').")
    var model: String

    @Option(help: "The encoder folder the head was trained on (config.json, model.safetensors, vocab.txt).")
    var encoder: String

    @Option(name: .customLong("text"), help: "A text to classify (repeatable).")
    var texts: [String] = []

    @Option(help: "A UTF-8 file with one text per line (empty lines are skipped); '-' reads standard input.")
    var input: String?

    @Option(help: "Write text, prediction and the probability of each class to this CSV file.")
    var output: String?

    @Option(parsing: .unconditional, help: "Texts per forward pass of the encoder.")
    var batchSize = 32

    func validate() throws {
        guard !texts.isEmpty || input != nil else {
            throw ValidationError("give at least one --text or an --input file")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let output { try checkWritableFile(output, option: "output") }
    }

    func run() throws {
        let head = try SavedHead(path: model)
        let all = try texts + (input.map { try readTextLines($0, option: "input") } ?? [])
        guard !all.isEmpty else { throw ValidationError("--input: '\(input ?? "")' holds no texts") }
        let folder = URL(fileURLWithPath: encoder)
        let tokenizer: WordPieceTokenizer
        let bert: BertModel<Float>
        do {
            tokenizer = try WordPieceTokenizer(folder: folder)
            bert = try BertModel<Float>.load(from: folder)
        } catch {
            throw ValidationError("--encoder: \(error)")
        }
        let classifier = try head.makeClassifier(encoder: bert, encoderPath: encoder)
        let probabilities = withoutGradient {
            classProbabilities(
                fromLogits: classifier(classifier.features(of: all, tokenizer: tokenizer, batchSize: batchSize)))
        }
        let names = head.classNames
        let predicted = probabilities.map { row in row.indices.max { row[$0] < row[$1] }! }
        let width = min(60, all.map(\.count).max() ?? 0)
        for (text, (row, k)) in zip(all, zip(probabilities, predicted)) {
            let shown = text.count > 60 ? String(text.prefix(57)) + "..." : text
            print(shown.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(names[k])  " + formatted(row[k]))
        }
        if let output {
            let table = CSVTable(
                header: ["text", "prediction"] + names.map { "p(\($0))" },
                rows: zip(all, zip(probabilities, predicted)).map { text, prediction in
                    [text, names[prediction.1]] + prediction.0.map { "\($0)" }
                })
            let url = try checkWritableFile(output, option: "output")
            try writeAtomically(table.text, to: url)
            print("\(all.count) predictions written to \(url.path)")
        }
    }
}

/// A head written by `kindling transfer --save`: `classifier.weight` (classes, hidden) and `classifier.bias`
/// (with `--full`, the encoder's `bert.*` too), and in the metadata the class names in class-index order
/// (`kindling.classNames`, a JSON array) and the encoder's hidden size (`kindling.hiddenSize`).
struct SavedHead {
    static let classNamesKey = "kindling.classNames"
    static let hiddenSizeKey = "kindling.hiddenSize"
    static let encoderKey = "kindling.encoder"

    let path: String
    /// The class of each output, in order.
    let classNames: [String]
    /// The head's weight (classes, hidden) and bias (classes).
    let weight: Tensor<Float>
    let bias: Tensor<Float>

    /// Reads the head; throws naming the file when it is not one `transfer --save` wrote with class names.
    init(path: String) throws {
        self.path = path
        if path == "-" {
            throw CommandError("--model: a head is read from a file, not standard input ('-'); give its path")
        }
        if let reason = unreadableFileReason(path) { throw CommandError("--model: '\(path)': \(reason)") }
        let file: SafeTensors
        do {
            file = try SafeTensors.read(from: URL(fileURLWithPath: path))
        } catch {
            throw CommandError("--model: '\(path)': not a readable safetensors file (\(error))")
        }
        guard let json = file.metadata[Self.classNamesKey],
            let names = try? JSONDecoder().decode([String].self, from: Data(json.utf8))
        else {
            throw CommandError(
                "--model: '\(path)' has no class names in its metadata ('\(Self.classNamesKey)'): "
                    + "save the head again with 'kindling transfer --save'")
        }
        let state: [String: Tensor<Float>]
        do {
            state = Dictionary(try file.stateDictionary(as: Float.self).map { ($0.key, $0.value) }) { first, _ in first
            }
        } catch {
            throw CommandError("--model: '\(path)': its tensors cannot be read (\(error))")
        }
        guard let weight = state["classifier.weight"], let bias = state["classifier.bias"],
            weight.rank == 2, weight.shape[0] == names.count, bias.shape == [names.count]
        else {
            throw CommandError(
                "--model: '\(path)' needs classifier.weight (\(names.count), hidden) and classifier.bias "
                    + "(\(names.count)) for its \(names.count) classes")
        }
        classNames = names
        self.weight = weight
        self.bias = bias
    }

    /// The encoder with this head (dropout off, evaluation mode); throws when the encoder's hidden size is
    /// not the head's input size.
    func makeClassifier(encoder: BertModel<Float>, encoderPath: String) throws -> BertForTextClassification<Float> {
        let hidden = encoder.configuration.hiddenSize
        guard weight.shape[1] == hidden else {
            throw CommandError(
                "--encoder: '\(encoderPath)' gives \(hidden) features per text, but the head in '\(path)' "
                    + "takes \(weight.shape[1]): use the encoder the head was trained on")
        }
        let model = BertForTextClassification(encoder: encoder, labelCount: classNames.count, dropoutProbability: 0)
        model.classifier.weight.value = weight
        model.classifier.bias!.value = bias
        model.eval()
        return model
    }

    /// The metadata `transfer --save` writes beside the tensors.
    static func metadata(classNames: [String], hiddenSize: Int, encoder: String) -> [String: String] {
        let names = String(decoding: try! JSONEncoder().encode(classNames), as: UTF8.self)
        return [classNamesKey: names, hiddenSizeKey: "\(hiddenSize)", encoderKey: encoder, "format": "pt"]
    }
}
