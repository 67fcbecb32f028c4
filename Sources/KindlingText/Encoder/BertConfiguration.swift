import Foundation
import KindlingCore
import KindlingData
import KindlingNN

/// A problem with an encoder folder (config.json or model.safetensors), naming the file and the key.
public enum EncoderLoadingError: Error, Equatable, CustomStringConvertible {
    /// A file cannot be read or parsed.
    case unreadable(path: String, reason: String)
    /// config.json lacks a key, or holds a value of the wrong type or out of range.
    case invalidConfiguration(path: String, key: String, reason: String)
    /// The weights do not match the model: every difference, one per line.
    case mismatchedWeights(path: String, differences: [String])

    /// What went wrong, with the file and key.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot be read (\(reason))"
        case .invalidConfiguration(let path, let key, let reason): return "\(path): \(key): \(reason)"
        case .mismatchedWeights(let path, let differences):
            return "\(path): the weights do not match the model (\(differences.count) differences):\n  "
                + differences.joined(separator: "\n  ")
        }
    }
}

/// The sizes and settings of a BERT encoder, as Hugging Face's `BertConfig` (config.json) holds them.
public struct BertConfiguration: Equatable, Sendable {
    /// vocab_size: rows of the word embedding.
    public var vocabularySize: Int
    /// hidden_size: features of every position.
    public var hiddenSize: Int
    /// num_hidden_layers.
    public var hiddenLayerCount: Int
    /// num_attention_heads.
    public var attentionHeadCount: Int
    /// intermediate_size: width of each layer's feed-forward block.
    public var intermediateSize: Int
    /// hidden_act: "gelu" is the exact erf form, "gelu_new"/"gelu_pytorch_tanh" the tanh approximation.
    public var activation: GELUApproximation
    /// hidden_dropout_prob.
    public var hiddenDropoutProbability: Double
    /// attention_probs_dropout_prob.
    public var attentionDropoutProbability: Double
    /// max_position_embeddings.
    public var maximumPositions: Int
    /// type_vocab_size: number of token types (segments).
    public var tokenTypeCount: Int
    /// layer_norm_eps.
    public var layerNormEpsilon: Double
    /// pad_token_id: the word embedding's padding row.
    public var paddingTokenID: Int?

    /// A configuration given field by field (defaults are BERT-base's).
    public init(
        vocabularySize: Int = 30522, hiddenSize: Int = 768, hiddenLayerCount: Int = 12,
        attentionHeadCount: Int = 12, intermediateSize: Int = 3072, activation: GELUApproximation = .none,
        hiddenDropoutProbability: Double = 0.1, attentionDropoutProbability: Double = 0.1,
        maximumPositions: Int = 512, tokenTypeCount: Int = 2, layerNormEpsilon: Double = 1e-12,
        paddingTokenID: Int? = 0
    ) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.hiddenLayerCount = hiddenLayerCount
        self.attentionHeadCount = attentionHeadCount
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.hiddenDropoutProbability = hiddenDropoutProbability
        self.attentionDropoutProbability = attentionDropoutProbability
        self.maximumPositions = maximumPositions
        self.tokenTypeCount = tokenTypeCount
        self.layerNormEpsilon = layerNormEpsilon
        self.paddingTokenID = paddingTokenID
    }

    /// The configuration in a Hugging Face config.json (model_type "bert", absolute positions).
    ///
    /// - Throws: `EncoderLoadingError.unreadable` or `.invalidConfiguration` naming the key.
    public init(contentsOf url: URL) throws {
        let object: [String: Any]
        do {
            let bytes = try readBytes(url, atMost: ReadingLimits.maximumConfigurationByteCount)
            guard let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw EncoderLoadingError.unreadable(path: url.path, reason: "not a JSON object")
            }
            object = parsed
        } catch let error as EncoderLoadingError {
            throw error
        } catch {
            throw EncoderLoadingError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        func invalid(_ key: String, _ reason: String) -> EncoderLoadingError {
            .invalidConfiguration(path: url.path, key: key, reason: reason)
        }
        func integer(_ key: String, default value: Int? = nil) throws -> Int {
            guard let raw = object[key] else {
                if let value { return value }
                throw invalid(key, "missing")
            }
            guard let number = raw as? NSNumber, let result = Int(exactly: number.doubleValue), result > 0 else {
                throw invalid(key, "\(raw) is not a positive integer")
            }
            return result
        }
        func real(_ key: String, default value: Double) throws -> Double {
            guard let raw = object[key] else { return value }
            guard let number = raw as? NSNumber, number.doubleValue >= 0, number.doubleValue.isFinite else {
                throw invalid(key, "\(raw) is not a non-negative number")
            }
            return number.doubleValue
        }
        if let type = object["model_type"], type as? String != "bert" {
            throw invalid("model_type", "\(type) is not \"bert\"")
        }
        if let type = object["position_embedding_type"], type as? String != "absolute" {
            throw invalid("position_embedding_type", "\(type) is not supported (only \"absolute\")")
        }
        let activation: GELUApproximation
        switch object["hidden_act"] as? String ?? "gelu" {
        case "gelu": activation = .none
        case "gelu_new", "gelu_pytorch_tanh": activation = .tanh
        case let other: throw invalid("hidden_act", "\(other) is not supported (gelu, gelu_new, gelu_pytorch_tanh)")
        }
        self.init(
            vocabularySize: try integer("vocab_size"), hiddenSize: try integer("hidden_size"),
            hiddenLayerCount: try integer("num_hidden_layers"), attentionHeadCount: try integer("num_attention_heads"),
            intermediateSize: try integer("intermediate_size"), activation: activation,
            hiddenDropoutProbability: try real("hidden_dropout_prob", default: 0.1),
            attentionDropoutProbability: try real("attention_probs_dropout_prob", default: 0.1),
            maximumPositions: try integer("max_position_embeddings", default: 512),
            tokenTypeCount: try integer("type_vocab_size", default: 2),
            layerNormEpsilon: try real("layer_norm_eps", default: 1e-12),
            paddingTokenID: (object["pad_token_id"] as? NSNumber)?.intValue)
        guard hiddenSize % attentionHeadCount == 0 else {
            throw invalid("num_attention_heads", "\(attentionHeadCount) heads do not divide hidden_size \(hiddenSize)")
        }
        if let id = paddingTokenID, !(0..<vocabularySize).contains(id) {
            throw invalid("pad_token_id", "\(id) is outside the vocabulary of \(vocabularySize)")
        }
        guard maximumPositions >= 2 else {
            throw invalid("max_position_embeddings", "\(maximumPositions) leaves no room for [CLS] and [SEP]")
        }
    }

    /// The number of parameters of a BertModel of this configuration without pooler (embeddings, then
    /// per layer four attention projections, two LayerNorms and the feed-forward pair), or nil when it
    /// overflows `Int`.
    package var parameterCount: Int? {
        let (h, i) = (hiddenSize, intermediateSize)
        let perLayer: [(Int, Int)] = [(4 * h, h + 1), (h, 4), (i, h + 1), (h, i + 1)]
        let embeddings: [(Int, Int)] = [(vocabularySize, h), (maximumPositions, h), (tokenTypeCount, h), (2, h)]
        func total(_ terms: [(Int, Int)]) -> Int? {
            var sum = 0
            for (a, b) in terms {
                let (product, overflow) = a.multipliedReportingOverflow(by: b)
                let (next, over) = sum.addingReportingOverflow(product)
                guard !overflow, !over else { return nil }
                sum = next
            }
            return sum
        }
        guard let layer = total(perLayer), let first = total(embeddings) else { return nil }
        return total([(first, 1), (layer, hiddenLayerCount)])
    }

    /// Throws `invalidConfiguration` naming `path` (config.json) when a model of this configuration has
    /// more parameters than `file` holds values (and more than 2^22, below which the loader's list of
    /// differences says more): checked before the model is built, so that a hostile config.json cannot
    /// make it allocate what its weights file does not pay for.
    package func checkFits(_ file: SafeTensorsFile, path: String) throws {
        let stored = file.keys.reduce(0) { $0 + file.shape(of: $1)!.reduce(1, *) }
        guard let needed = parameterCount, needed <= max(stored, 1 << 22) else {
            throw EncoderLoadingError.invalidConfiguration(
                path: path, key: "sizes",
                reason: "a model of these sizes has \(parameterCount.map(String.init) ?? "more than 2^63") parameters, "
                    + "more than the \(stored) values of the weights file")
        }
    }
}
