import Foundation
import KindlingCore
import KindlingNN

/// What a sentence-transformers folder says about turning a text into one vector, read as
/// sentence-transformers 6 reads it (and as earlier versions saved it):
///
/// - `modules.json`: a Transformer (the BertModel, in the folder named by its `path`), a Pooling and
///   optionally a Normalize module, in that order. A folder without modules.json is a plain BertModel,
///   which sentence-transformers pools by the mean without normalizing.
/// - the Transformer's `sentence_bert_config.json`: `max_seq_length` and `do_lower_case` (the classic
///   layout); `tokenizer_args`/`processor_kwargs` may hold `model_max_length`.
/// - the Pooling module's `config.json`: `pooling_mode`, one name or a list of names (the current layout),
///   or the classic `pooling_mode_*` booleans, which name the modes in the order cls, max, mean,
///   mean_sqrt_len_tokens, weightedmean, lasttoken (none set: mean).
///
/// The maximum length, [CLS] and [SEP] included: `max_seq_length` when given, else the tokenizer
/// arguments' `model_max_length`, else min(tokenizer_config.json's `model_max_length`,
/// `max_position_embeddings`); never more than `max_position_embeddings`, which PyTorch would overrun.
public struct SentenceEncoderConfiguration: Equatable, Sendable {
    /// The folder of the BertModel and its tokenizer, relative to the sentence-transformers folder ("" for itself).
    public var transformerPath: String
    /// The pooling modes, concatenated in this order.
    public var poolingModes: [PoolingMode]
    /// Whether a Normalize module divides each vector by its Euclidean norm.
    public var normalizes: Bool
    /// Tokens per text, [CLS] and [SEP] included; longer texts are cut.
    public var maximumLength: Int
    /// sentence-transformers' own `do_lower_case`: the text is lower-cased before the tokenizer runs
    /// (when the tokenizer does not already lower-case).
    public var lowercasesText: Bool

    /// A configuration given field by field.
    public init(
        transformerPath: String = "", poolingModes: [PoolingMode] = [.mean], normalizes: Bool = true,
        maximumLength: Int = 512, lowercasesText: Bool = false
    ) {
        self.transformerPath = transformerPath
        self.poolingModes = poolingModes
        self.normalizes = normalizes
        self.maximumLength = maximumLength
        self.lowercasesText = lowercasesText
    }

    /// The configuration of the sentence-transformers folder `folder`, whose model has `maximumPositions`
    /// position embeddings and `hiddenSize` features.
    ///
    /// - Throws: `EncoderLoadingError` naming the file and the key: an unreadable file, a module other than
    ///   Transformer, Pooling and Normalize, an unknown pooling mode, a pooling dimension other than the
    ///   model's, a default prompt, and tokenizer or model arguments that Kindling cannot honour.
    public init(folder: URL, hiddenSize: Int, maximumPositions: Int) throws {
        let modulesURL = folder.appendingPathComponent("modules.json")
        var transformerPath = ""
        var poolingModes: [PoolingMode] = [.mean]
        var normalizes = false
        if FileManager.default.fileExists(atPath: modulesURL.path) {
            guard let modules = try Self.json(modulesURL) as? [[String: Any]] else {
                throw EncoderLoadingError.unreadable(path: modulesURL.path, reason: "not a list of modules")
            }
            let kinds = try modules.map { module -> (String, String) in
                let type = module["type"] as? String ?? ""
                let kind = type.split(separator: ".").last.map(String.init) ?? ""
                guard type.hasPrefix("sentence_transformers."), ["Transformer", "Pooling", "Normalize"].contains(kind)
                else {
                    throw EncoderLoadingError.invalidConfiguration(
                        path: modulesURL.path, key: "type",
                        reason: "\"\(type)\" is not supported (Transformer, then Pooling, then optionally Normalize)")
                }
                return (kind, module["path"] as? String ?? "")
            }
            guard
                kinds.map(\.0) == ["Transformer", "Pooling"]
                    || kinds.map(\.0) == ["Transformer", "Pooling", "Normalize"]
            else {
                throw EncoderLoadingError.invalidConfiguration(
                    path: modulesURL.path, key: "type",
                    reason: "the modules \(kinds.map(\.0)) are not Transformer, Pooling and optionally Normalize")
            }
            transformerPath = kinds[0].1
            poolingModes = try Self.poolingModes(
                folder.appendingPathComponent(kinds[1].1).appendingPathComponent("config.json"),
                hiddenSize: hiddenSize)
            normalizes = kinds.count == 3
            if normalizes {
                let url = folder.appendingPathComponent(kinds[2].1).appendingPathComponent("config.json")
                if FileManager.default.fileExists(atPath: url.path),
                    let input = try Self.json(url) as? [String: Any], let name = input["module_input_name"],
                    name as? String != "sentence_embedding"
                {
                    throw EncoderLoadingError.invalidConfiguration(
                        path: url.path, key: "module_input_name",
                        reason: "\(name) is not supported (sentence_embedding)")
                }
            }
        }
        let modelFolder = folder.appendingPathComponent(transformerPath)
        try Self.refuseDefaultPrompt(folder.appendingPathComponent("config_sentence_transformers.json"))
        let (maximumLength, lowercases) = try Self.length(
            modelFolder: modelFolder, maximumPositions: maximumPositions)
        self.init(
            transformerPath: transformerPath, poolingModes: poolingModes, normalizes: normalizes,
            maximumLength: maximumLength, lowercasesText: lowercases)
    }

    /// The JSON value in `url`.
    static func json(_ url: URL) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(contentsOf: url), options: [.fragmentsAllowed])
        } catch {
            throw EncoderLoadingError.unreadable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The pooling modes of a Pooling module's config.json, as sentence-transformers 6 converts them.
    private static func poolingModes(_ url: URL, hiddenSize: Int) throws -> [PoolingMode] {
        guard let object = try json(url) as? [String: Any] else {
            throw EncoderLoadingError.unreadable(path: url.path, reason: "not a JSON object")
        }
        func invalid(_ key: String, _ reason: String) -> EncoderLoadingError {
            .invalidConfiguration(path: url.path, key: key, reason: reason)
        }
        for key in ["embedding_dimension", "word_embedding_dimension"] {
            if let value = object[key], (value as? NSNumber)?.intValue != hiddenSize {
                throw invalid(key, "\(value) is not the model's hidden size \(hiddenSize)")
            }
        }
        let legacy: [(String, PoolingMode)] = [
            ("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max), ("pooling_mode_mean_tokens", .mean),
            ("pooling_mode_mean_sqrt_len_tokens", .meanSquareRootLength),
            ("pooling_mode_weightedmean_tokens", .weightedMean), ("pooling_mode_lasttoken", .lastToken),
        ]
        guard let named = object["pooling_mode"] else {
            let modes = legacy.filter { object[$0.0] as? Bool ?? false }.map(\.1)
            return modes.isEmpty ? [.mean] : modes
        }
        let names = (named as? [Any] ?? [named]).map { $0 as? String ?? "\($0)" }
        guard !names.isEmpty else { throw invalid("pooling_mode", "names no mode") }
        return try names.map { name in
            guard let mode = PoolingMode(rawValue: name.lowercased()) else {
                throw invalid(
                    "pooling_mode",
                    "\"\(name)\" is not one of \(PoolingMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return mode
        }
    }

    /// Throws when config_sentence_transformers.json names a default prompt, which `encode` would prepend.
    private static func refuseDefaultPrompt(_ url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path),
            let object = try json(url) as? [String: Any], let name = object["default_prompt_name"], !(name is NSNull)
        else { return }
        throw EncoderLoadingError.invalidConfiguration(
            path: url.path, key: "default_prompt_name", reason: "\(name): prompts are not supported")
    }

    /// The maximum length and sentence-transformers' `do_lower_case`, from the model folder's
    /// sentence_bert_config.json and tokenizer_config.json (see the type's description).
    private static func length(modelFolder: URL, maximumPositions: Int) throws -> (Int, Bool) {
        let url = modelFolder.appendingPathComponent("sentence_bert_config.json")
        var settings: [String: Any] = [:]
        if FileManager.default.fileExists(atPath: url.path) {
            guard let object = try json(url) as? [String: Any] else {
                throw EncoderLoadingError.unreadable(path: url.path, reason: "not a JSON object")
            }
            settings = object
        }
        func invalid(_ key: String, _ reason: String) -> EncoderLoadingError {
            .invalidConfiguration(path: url.path, key: key, reason: reason)
        }
        if let task = settings["transformer_task"], task as? String != "feature-extraction" {
            throw invalid("transformer_task", "\(task) is not supported (feature-extraction)")
        }
        for key in ["config_args", "config_kwargs", "processing_kwargs"] {
            if let value = settings[key] as? [String: Any], !value.keys.filter({ $0 != "trust_remote_code" }).isEmpty {
                throw invalid(key, "\(value.keys.sorted()) are not supported")
            }
        }
        var argumentLength: Int?
        for key in ["tokenizer_args", "processor_kwargs"] {
            guard let value = settings[key] as? [String: Any] else { continue }
            if let other = value.keys.first(where: { !["model_max_length", "trust_remote_code"].contains($0) }) {
                throw invalid("\(key).\(other)", "is not supported (only model_max_length)")
            }
            argumentLength = (value["model_max_length"] as? NSNumber)?.intValue ?? argumentLength
        }
        func positive(_ value: Any?, _ key: String) throws -> Int? {
            guard let value, !(value is NSNull) else { return nil }
            guard let number = value as? NSNumber, number.doubleValue >= 2 else {
                throw invalid(key, "\(value) is not a length of at least 2")
            }
            return Int(Swift.min(number.doubleValue, Double(Int.max / 2)))
        }
        var length = try positive(settings["max_seq_length"], "max_seq_length") ?? argumentLength
        if length == nil {
            let tokenizerURL = modelFolder.appendingPathComponent("tokenizer_config.json")
            let tokenizer =
                FileManager.default.fileExists(atPath: tokenizerURL.path)
                ? try json(tokenizerURL) as? [String: Any] ?? [:] : [:]
            let stated = (tokenizer["model_max_length"] as? NSNumber).map { Swift.min($0.doubleValue, 1e18) }
            length = Int(Swift.min(stated ?? 1e18, Double(maximumPositions)))
        }
        return (Swift.min(length ?? maximumPositions, maximumPositions), settings["do_lower_case"] as? Bool ?? false)
    }
}
