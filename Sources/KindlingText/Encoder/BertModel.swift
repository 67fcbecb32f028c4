import Foundation
import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform

/// Hugging Face's `BertModel`: embeddings, then the encoder stack, and the pooler when the checkpoint has one; the output is the
/// last hidden state, (batch, length, hidden). `load(from:)` reads a model folder (config.json and
/// model.safetensors with Hugging Face's keys).
///
/// ```swift
/// let folder = URL(fileURLWithPath: "all-MiniLM-L6-v2")
/// let model = try BertModel<Float>.load(from: folder)
/// let tokenizer = try WordPieceTokenizer(folder: folder)
/// let hidden = model(tokenizer.encode(batch: ["Hello world", "Hi"]))   // (2, 4, 384)
/// ```
public final class BertModel<Scalar: TensorScalar>: ModuleBase, Module {
    /// The sizes it was built with.
    public let configuration: BertConfiguration
    /// Word, position and token-type embeddings.
    public let embeddings: BertEmbeddings<Scalar>
    /// The layers.
    public let encoder: BertEncoder<Scalar>
    /// BERT's pooler, tanh(W h_[CLS] + b), when the checkpoint has one (`pooledOutput(of:)`).
    public let pooler: Linear<Scalar>?

    /// A randomly initialized model of the given configuration, with a pooler when `pooling`.
    public convenience init(
        configuration: BertConfiguration, pooling: Bool = false, generator: RandomGenerator = .global
    ) {
        self.init(configuration: configuration, pooling: pooling, source: .random(generator))
    }

    /// A model whose parameters come from `source` (see `ParameterSource`).
    init(configuration: BertConfiguration, pooling: Bool, source: ParameterSource<Scalar>) {
        self.configuration = configuration
        embeddings = BertEmbeddings(configuration: configuration, source: source, name: "embeddings.")
        encoder = BertEncoder(configuration: configuration, source: source, name: "encoder.")
        pooler = pooling ? source.linear("pooler", configuration.hiddenSize, configuration.hiddenSize) : nil
    }

    /// BertModel's pooler_output: tanh(W h + b) of the first ([CLS]) position of (batch, length, hidden)
    /// last hidden states, (batch, hidden).
    public func pooledOutput(of hidden: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let pooler else {
            failRequirement("BertModel.pooledOutput: this model has no pooler (its checkpoint had no pooler.dense)")
        }
        return tanh(pooler(hidden.slice(alongAxis: 1, 0..<1).squeezed(at: 1)))
    }

    /// The last hidden state of ids given as whole numbers, shape (batch, length), without padding.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        encoder(embeddings(input), attentionMask: nil)
    }

    /// The last hidden state of a tokenized batch, padded positions masked out: (batch, length, hidden).
    public func callAsFunction(_ batch: TokenBatch) -> Tensor<Scalar> {
        let embedded = embeddings(ids: batch.ids.flatMap { $0 }, batch: batch.ids.count, length: batch.length)
        return encoder(embedded, attentionMask: batch.attentionMask)
    }

    /// Kindling's parameter name in Hugging Face's BertModel state dictionary:
    /// `encoder.layers.0.attentionLayerNorm.weight` -> `encoder.layer.0.attention.output.LayerNorm.weight`.
    public static func huggingFaceKey(for name: String) -> String {
        var parts = name.split(separator: ".").map(String.init)
        let renamed: [String: [String]] = [
            "wordEmbeddings": ["word_embeddings"], "positionEmbeddings": ["position_embeddings"],
            "tokenTypeEmbeddings": ["token_type_embeddings"], "layerNorm": ["LayerNorm"], "layers": ["layer"],
            "attentionLayerNorm": ["attention", "output", "LayerNorm"], "outputLayerNorm": ["output", "LayerNorm"],
        ]
        if parts.first == "pooler" { parts.insert("dense", at: 1) }
        if parts.count >= 4, parts[0] == "encoder" {
            // encoder.layers.N.<module>.<parameter...>
            switch parts[3] {
            case "attention":
                if parts.count >= 5 {
                    parts.replaceSubrange(
                        4...4, with: parts[4] == "output" ? ["output", "dense"] : ["self", parts[4]])
                }
            case "intermediate": parts.replaceSubrange(3...3, with: ["intermediate", "dense"])
            case "output": parts.replaceSubrange(3...3, with: ["output", "dense"])
            default: break
            }
        }
        return parts.flatMap { renamed[$0] ?? [$0] }.joined(separator: ".")
    }

    /// The model in a Hugging Face BertModel folder: config.json and model.safetensors. Loading is strict:
    /// every parameter must be in the file with its shape, and every tensor of the file must be used
    /// (`embeddings.position_ids`, an integer buffer, is checked to be 0, 1, ...). The model has a pooler
    /// when the file has `pooler.dense.weight`. Each parameter is built from its tensor, read from the file
    /// straight into the parameter's storage (`SafeTensorsFile`): nothing is drawn at random first, and the
    /// weights are held once.
    ///
    /// - Throws: `EncoderLoadingError` naming the file and key; `.mismatchedWeights` lists every
    ///   difference at once.
    public static func load(from folder: URL) throws -> BertModel {
        let configuration = try BertConfiguration(contentsOf: folder.appendingPathComponent("config.json"))
        let url = folder.appendingPathComponent("model.safetensors")
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch {
            throw EncoderLoadingError.unreadable(path: url.path, reason: "\(error)")
        }
        try configuration.checkFits(file, path: folder.appendingPathComponent("config.json").path)
        var differences: [String] = []
        var used: Set<String> = []
        let source = ParameterSource<Scalar>(generator: .global) { name, shape in
            let key = huggingFaceKey(for: name)
            used.insert(key)
            return checkedTensor(key, shape: shape, in: file, differences: &differences) ?? .zeros(shape)
        }
        let model = BertModel(
            configuration: configuration, pooling: file.shape(of: "pooler.dense.weight") != nil, source: source)
        differences += model.unusedTensorDifferences(file, used: used)
        guard differences.isEmpty else {
            throw EncoderLoadingError.mismatchedWeights(path: url.path, differences: differences)
        }
        return model
    }

    /// Replaces every parameter with the tensor of the same Hugging Face key in the safetensors file
    /// (converted to `Scalar`), after checking all of them: see `load(from:)`.
    public func loadWeights(from url: URL) throws {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch {
            throw EncoderLoadingError.unreadable(path: url.path, reason: "\(error)")
        }
        try loadWeights(from: file, path: url.path)
    }

    /// Replaces every parameter with the tensor of the same Hugging Face key in `file` (read from `path`).
    func loadWeights(from file: SafeTensorsFile, path: String) throws {
        var differences: [String] = []
        var used: Set<String> = []
        var assignments: [(Parameter<Scalar>, Tensor<Scalar>)] = []
        for (name, parameter) in namedParameters {
            let key = Self.huggingFaceKey(for: name)
            used.insert(key)
            if let value = Self.checkedTensor(key, shape: parameter.shape, in: file, differences: &differences) {
                assignments.append((parameter, value))
            }
        }
        differences += unusedTensorDifferences(file, used: used)
        guard differences.isEmpty else {
            throw EncoderLoadingError.mismatchedWeights(path: path, differences: differences)
        }
        for (parameter, value) in assignments { parameter.value = value }
    }

    /// The tensor of Hugging Face key `key` in `file` as `Scalar` when the file has it with `shape`; nil
    /// otherwise, with the difference appended to `differences`.
    private static func checkedTensor(
        _ key: String, shape: [Int], in file: SafeTensorsFile, differences: inout [String]
    ) -> Tensor<Scalar>? {
        guard let fileShape = file.shape(of: key) else {
            differences.append("missing \(key) (shape \(shape))")
            return nil
        }
        guard fileShape == shape else {
            differences.append("\(key): shape \(fileShape) in the file, \(shape) in the model")
            return nil
        }
        do { return try file.tensor(named: key, as: Scalar.self) } catch {
            differences.append("\(key): \(error)")
            return nil
        }
    }

    /// The file's tensors that no parameter used, one line each, except `embeddings.position_ids` when it
    /// holds 0..<maximumPositions.
    private func unusedTensorDifferences(_ file: SafeTensorsFile, used: Set<String>) -> [String] {
        var differences: [String] = []
        var unused = Set(file.keys).subtracting(used)
        if unused.remove("embeddings.position_ids") != nil {
            let positions = (try? file.integers(named: "embeddings.position_ids")) ?? []
            if positions.map(Int.init) != Array(0..<configuration.maximumPositions) {
                differences.append("embeddings.position_ids is not 0..<\(configuration.maximumPositions)")
            }
        }
        return differences + unused.sorted().map { "unexpected \($0) (shape \(file.shape(of: $0)!))" }
    }
}
