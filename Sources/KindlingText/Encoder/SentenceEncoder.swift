import Foundation
import KindlingCore
import KindlingNN
import KindlingPlatform

/// A sentence-transformers model built on BERT: its tokenizer, its BertModel, then pooling (and L2
/// normalization when the folder has a Normalize module), read from a sentence-transformers folder and
/// computed as its `encode` computes them (see `SentenceEncoderConfiguration` for what is read).
///
/// `embed` does work in proportion to the tokens: the texts are tokenized on every core, cut to the
/// maximum length, sorted by length (longest first, as sentence-transformers sorts them) and cut into
/// batches, each padded only to its own longest text; the vectors come back in the order of the texts.
///
/// ```swift
/// let encoder = try SentenceEncoder<Float>(folder: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// let vectors = encoder.embed(["A cat sat.", "A dog ran."])   // (2, 384), unit rows
/// ```
public final class SentenceEncoder<Scalar: TensorScalar> {
    /// The transformer.
    public let model: BertModel<Scalar>
    /// Its tokenizer.
    public let tokenizer: WordPieceTokenizer
    /// Pooling, normalization, maximum length and lower-casing.
    public let configuration: SentenceEncoderConfiguration

    /// The features of each sentence vector: the hidden size times the number of pooling modes.
    public var dimension: Int { configuration.poolingModes.count * model.configuration.hiddenSize }

    /// An encoder from its parts.
    public init(model: BertModel<Scalar>, tokenizer: WordPieceTokenizer, configuration: SentenceEncoderConfiguration) {
        self.model = model
        self.tokenizer = tokenizer
        self.configuration = configuration
    }

    /// The encoder in a sentence-transformers folder (or a plain BertModel folder: mean pooling, no
    /// normalization, as sentence-transformers builds it).
    ///
    /// - Throws: `TokenizerError` or `EncoderLoadingError` naming the file and the unsupported key or value.
    public convenience init(folder: URL) throws {
        let modulesURL = folder.appendingPathComponent("modules.json")
        var modelFolder = folder
        if FileManager.default.fileExists(atPath: modulesURL.path),
            let modules = try SentenceEncoderConfiguration.json(modulesURL) as? [[String: Any]],
            let path = modules.first?["path"] as? String
        {
            modelFolder = folder.appendingPathComponent(path)
        }
        let tokenizer = try WordPieceTokenizer(folder: modelFolder)
        let bert = try BertConfiguration(contentsOf: modelFolder.appendingPathComponent("config.json"))
        let configuration = try SentenceEncoderConfiguration(
            folder: folder, hiddenSize: bert.hiddenSize, maximumPositions: bert.maximumPositions)
        self.init(model: try BertModel.load(from: modelFolder), tokenizer: tokenizer, configuration: configuration)
    }

    /// The token ids of every text ([CLS], the text's pieces cut to fit the maximum length, [SEP]), the
    /// texts split over the cores.
    public func tokenIDs(_ texts: [String]) -> [[Int]] {
        let lowercases = configuration.lowercasesText && !tokenizer.lowercases
        return tokenizer.encode(
            each: lowercases ? texts.map(Self.lowercased) : texts, maximumLength: configuration.maximumLength)
    }

    /// The sentence vectors of `texts`, (texts, dimension), in the order of the texts, computed `batchSize`
    /// texts at a time in evaluation mode without a graph.
    public func embed(_ texts: [String], batchSize: Int = 32) -> Tensor<Scalar> {
        embedTokenRows(
            tokenIDs(texts), model: model, paddingID: tokenizer.paddingID, modes: configuration.poolingModes,
            normalizes: configuration.normalizes, batchSize: batchSize)
    }

    /// Every scalar replaced by its full lower-case mapping, as the tokenizers library's Lowercase
    /// normalizer (which sentence-transformers puts first for `do_lower_case`) maps it.
    static func lowercased(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
        return String(scalars)
    }
}

/// Sentence vectors from rows of token ids: the rows sorted by length (longest first, ties in input
/// order), `batchSize` at a time padded with `paddingID` to the batch's longest row, pooled with `modes`,
/// normalized when asked, and returned in the rows' order, (rows, modes.count · hidden).
func embedTokenRows<Scalar>(
    _ rows: [[Int]], model: BertModel<Scalar>, paddingID: Int, modes: [PoolingMode], normalizes: Bool,
    batchSize: Int
) -> Tensor<Scalar> {
    require(batchSize > 0, "embed: batchSize must be positive, got \(batchSize)")
    let width = modes.count * model.configuration.hiddenSize
    let order = rows.indices.sorted { rows[$0].count != rows[$1].count ? rows[$0].count > rows[$1].count : $0 < $1 }
    var output = [Scalar](repeating: 0, count: rows.count * width)
    model.withEvaluationMode {
        withoutGradient {
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let members = order[start..<Swift.min(start + batchSize, order.count)]
                let length = members.map { rows[$0].count }.max() ?? 0
                let batch = TokenBatch(
                    ids: members.map { rows[$0] + [Int](repeating: paddingID, count: length - rows[$0].count) },
                    attentionMask: members.map {
                        [Int](repeating: 1, count: rows[$0].count) + [Int](repeating: 0, count: length - rows[$0].count)
                    })
                var vectors = pooled(model(batch), attentionMask: batch.attentionMask, modes: modes)
                if normalizes { vectors = l2Normalized(vectors) }
                vectors.withUnsafeBufferPointer { vectors in
                    for (offset, row) in members.enumerated() {
                        for j in 0..<width { output[row * width + j] = vectors[offset * width + j] }
                    }
                }
            }
        }
    }
    return Tensor(shape: [rows.count, width], scalars: output)
}
