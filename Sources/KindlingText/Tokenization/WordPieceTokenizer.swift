import Foundation
import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform

/// A problem with a tokenizer's or an encoder's files, naming the file and what is wrong with it.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(path: String, reason: String)
    /// The vocabulary lacks a token that the tokenizer needs ([CLS], [SEP], [PAD], [UNK]).
    case missingSpecialToken(path: String, token: String)
    /// A setting in tokenizer_config.json has a value this tokenizer cannot honour.
    case unsupportedSetting(path: String, key: String, value: String)

    /// What went wrong, naming the file.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot be read (\(reason))"
        case .missingSpecialToken(let path, let token): return "\(path): the vocabulary has no \(token) token"
        case .unsupportedSetting(let path, let key, let value): return "\(path): \(key) = \(value) is not supported"
        }
    }
}

/// Token ids for a batch of texts, padded to one length, with the attention mask (1 for a real token,
/// 0 for padding), as `tokenizer(texts, padding=True, truncation=True)` returns them.
public struct TokenBatch: Equatable, Sendable {
    /// Token ids, one row per text, each `length` long.
    public let ids: [[Int]]
    /// 1 where `ids` holds a token of the text (special tokens included), 0 where it holds padding.
    public let attentionMask: [[Int]]
    /// The common (padded) length of the rows.
    public var length: Int { ids.first?.count ?? 0 }

    /// A batch from rows of ids and their mask, all of one length.
    public init(ids: [[Int]], attentionMask: [[Int]]) {
        require(
            ids.count == attentionMask.count && zip(ids, attentionMask).allSatisfy { $0.count == $1.count }
                && ids.allSatisfy { $0.count == ids[0].count },
            "TokenBatch: ids \(ids.map(\.count)) and mask \(attentionMask.map(\.count)) must be rows of one length")
        self.ids = ids
        self.attentionMask = attentionMask
    }
}

/// BERT's WordPiece tokenizer (`BertTokenizer`, uncased): text cleaning, lower-casing and accent
/// stripping, splitting on whitespace and punctuation with CJK ideographs as single words, then greedy
/// longest-match-first WordPiece (Wu et al. 2016; Devlin et al. 2019) with `##` continuations; a word
/// longer than 100 scalars or with a piece missing from the vocabulary becomes `[UNK]`.
///
/// ```swift
/// let tokenizer = try WordPieceTokenizer(folder: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// tokenizer.tokenize("Héllo, unaffable world!")  // ["hello", ",", "una", "##ffa", "##ble", "world", "!"]
/// tokenizer.encode("Hello")                       // [101, 7592, 102]  ([CLS] hello [SEP])
/// ```
public struct WordPieceTokenizer: Sendable {
    /// The vocabulary: token i has id i.
    public let tokens: [String]
    /// Words longer than this many Unicode scalars become the unknown token.
    public let maximumCharactersPerWord: Int
    /// The id of [CLS], which starts every encoded text.
    public let classifierID: Int
    /// The id of [SEP], which ends every encoded text.
    public let separatorID: Int
    /// The id of [PAD], which fills a batch's short rows.
    public let paddingID: Int
    /// The id of [UNK], which stands for a word the vocabulary cannot spell.
    public let unknownID: Int
    /// The longest sequence, special tokens included, that `encode` produces (512 for BERT).
    public let maximumLength: Int

    private let normalizer: BertNormalizer
    /// [PAD], [UNK], [CLS], [SEP] and [MASK] (those in the vocabulary) with their ids.
    private let specialTokens: [(String, Int)]
    /// The bytes that special tokens start with ("[").
    private let specialTokenFirstBytes: Set<UInt8>
    /// Ids by the token's UTF-8 bytes: Swift's String equality is canonical equivalence, under which
    /// distinct vocabulary entries (decomposed Hangul jamo and the syllable) would collide.
    private let ids: [[UInt8]: Int]

    /// A tokenizer over `vocabulary` (token i has id i; of repeated tokens the last id wins, as when
    /// BERT reads vocab.txt). `stripsAccents` nil follows `lowercases`, as in BERT.
    public init(
        vocabulary: [String], lowercases: Bool = true, stripsAccents: Bool? = nil,
        splitsChineseCharacters: Bool = true, maximumCharactersPerWord: Int = 100,
        maximumLength: Int = 512
    ) throws {
        var ids: [[UInt8]: Int] = [:]
        for (id, token) in vocabulary.enumerated() { ids[Array(token.utf8)] = id }
        func id(_ token: String) throws -> Int {
            guard let id = ids[Array(token.utf8)] else {
                throw TokenizerError.missingSpecialToken(path: "vocabulary", token: token)
            }
            return id
        }
        require(
            maximumLength >= 2, "WordPieceTokenizer: maximumLength \(maximumLength) leaves no room for [CLS] and [SEP]")
        self.tokens = vocabulary
        self.ids = ids
        self.maximumCharactersPerWord = maximumCharactersPerWord
        self.maximumLength = maximumLength
        normalizer = BertNormalizer(
            splitsChineseCharacters: splitsChineseCharacters,
            stripsAccents: stripsAccents ?? lowercases, lowercases: lowercases)
        classifierID = try id("[CLS]")
        separatorID = try id("[SEP]")
        paddingID = try id("[PAD]")
        unknownID = try id("[UNK]")
        specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { token in
            ids[Array(token.utf8)].map { (token, $0) }
        }
        specialTokenFirstBytes = Set(specialTokens.compactMap { $0.0.utf8.first })
    }

    /// The tokenizer of a Hugging Face model folder, read as transformers' `BertTokenizer` reads it: the
    /// vocabulary from `tokenizer.json` (a WordPiece model's `vocab`) when the folder has one, else from
    /// `vocab.txt` (one token a line); the settings from `tokenizer_config.json` when present
    /// (`do_lower_case`, default true; `strip_accents`; `tokenize_chinese_chars`; `model_max_length`, at
    /// most 512), which win over the normalizer that tokenizer.json describes, as in transformers.
    ///
    /// - Throws: `TokenizerError` naming the file: unreadable files, a `tokenizer_class` other than
    ///   BertTokenizer(Fast), special tokens other than [UNK], [SEP], [PAD], [CLS], [MASK], a tokenizer.json
    ///   model other than WordPiece, `do_basic_tokenize` false, or a vocabulary without a special token.
    public init(folder: URL) throws {
        let configurationURL = folder.appendingPathComponent("tokenizer_config.json")
        var settings: [String: Any] = [:]
        if FileManager.default.fileExists(atPath: configurationURL.path) {
            do {
                let bytes = try readBytes(configurationURL, atMost: ReadingLimits.maximumConfigurationByteCount)
                settings = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
            } catch {
                throw TokenizerError.unreadable(path: configurationURL.path, reason: error.localizedDescription)
            }
        }
        func unsupported(_ key: String) -> TokenizerError {
            .unsupportedSetting(path: configurationURL.path, key: key, value: "\(settings[key] ?? "")")
        }
        if let name = settings["tokenizer_class"], !["BertTokenizer", "BertTokenizerFast"].contains(name as? String) {
            throw unsupported("tokenizer_class")
        }
        for (key, token) in [
            ("unk_token", "[UNK]"), ("sep_token", "[SEP]"), ("pad_token", "[PAD]"), ("cls_token", "[CLS]"),
            ("mask_token", "[MASK]"),
        ] {
            guard let value = settings[key] else { continue }
            if (value as? String ?? (value as? [String: Any])?["content"] as? String) != token {
                throw unsupported(key)
            }
        }
        if let basic = settings["do_basic_tokenize"] as? Bool, !basic { throw unsupported("do_basic_tokenize") }
        let (lines, vocabularyPath) = try Self.vocabulary(in: folder)
        let maximumLength = (settings["model_max_length"] as? NSNumber).map { Int(Swift.min($0.doubleValue, 512)) }
        if let maximumLength, maximumLength < 2 { throw unsupported("model_max_length") }
        do {
            try self.init(
                vocabulary: lines, lowercases: settings["do_lower_case"] as? Bool ?? true,
                stripsAccents: settings["strip_accents"] as? Bool,
                splitsChineseCharacters: settings["tokenize_chinese_chars"] as? Bool ?? true,
                maximumLength: maximumLength ?? 512)
        } catch TokenizerError.missingSpecialToken(_, let token) {
            throw TokenizerError.missingSpecialToken(path: vocabularyPath, token: token)
        }
    }

    /// The tokens of a folder's vocabulary by id and the file they came from: tokenizer.json's WordPiece
    /// `model.vocab` ({token: id} with ids 0..<count), or vocab.txt when there is no tokenizer.json.
    private static func vocabulary(in folder: URL) throws -> ([String], String) {
        let json = folder.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: json.path) else {
            let url = folder.appendingPathComponent("vocab.txt")
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw TokenizerError.unreadable(path: url.path, reason: error.localizedDescription)
            }
            let lineCount = data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            guard lineCount <= ReadingLimits.maximumVocabularySize else {
                throw TokenizerError.unreadable(
                    path: url.path,
                    reason: "\(lineCount) lines, more tokens than \(ReadingLimits.maximumVocabularySize)")
            }
            // Lines end at "\n" only, as Python's readlines(); a "\r" stays part of its token.
            var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            if lines.last == "" { lines.removeLast() }
            if let long = lines.firstIndex(where: { $0.utf8.count > ReadingLimits.maximumTokenByteCount }) {
                throw TokenizerError.unreadable(
                    path: url.path,
                    reason: "line \(long + 1) is longer than \(ReadingLimits.maximumTokenByteCount) bytes")
            }
            return (lines, url.path)
        }
        let model: [String: Any]
        do {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
            guard let found = object?["model"] as? [String: Any] else {
                throw TokenizerError.unreadable(path: json.path, reason: "no \"model\" object")
            }
            model = found
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw TokenizerError.unreadable(path: json.path, reason: error.localizedDescription)
        }
        guard model["type"] as? String == "WordPiece" else {
            throw TokenizerError.unsupportedSetting(path: json.path, key: "model.type", value: "\(model["type"] ?? "")")
        }
        guard let entries = model["vocab"] as? [String: Any] else {
            throw TokenizerError.unreadable(path: json.path, reason: "model.vocab is not an object of ids")
        }
        guard entries.count <= ReadingLimits.maximumVocabularySize else {
            throw TokenizerError.unreadable(
                path: json.path,
                reason: "model.vocab holds \(entries.count) tokens, more than \(ReadingLimits.maximumVocabularySize)")
        }
        var tokens = [String?](repeating: nil, count: entries.count)
        for (token, id) in entries {
            guard let id = (id as? NSNumber)?.intValue, tokens.indices.contains(id), tokens[id] == nil else {
                throw TokenizerError.unreadable(
                    path: json.path,
                    reason: "model.vocab: the ids of \(entries.count) tokens are not 0..<\(entries.count)")
            }
            tokens[id] = token
        }
        return (tokens.map { $0! }, json.path)
    }

    /// Whether letters are lower-cased (an uncased vocabulary, `do_lower_case`).
    public var lowercases: Bool { normalizer.lowercases }

    /// The id of `token`, or nil when the vocabulary lacks it.
    public func id(of token: String) -> Int? { ids[Array(token.utf8)] }

    /// The words of `text` after normalization: split at whitespace, and at every punctuation scalar,
    /// which becomes a word of its own.
    func words(_ text: String) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in normalizer.normalize(text) {
            if BertCharacters.separatesWords(scalar) {
                if !current.isEmpty {
                    words.append(current)
                    current = []
                }
            } else if BertCharacters.isPunctuation(scalar) {
                if !current.isEmpty {
                    words.append(current)
                    current = []
                }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The WordPiece ids of one word: the longest vocabulary prefix, then the longest `##` piece that
    /// continues it, and so on; [UNK] alone when some remainder has no piece or the word is too long.
    func pieces(of word: [Unicode.Scalar]) -> [Int] {
        guard word.count <= maximumCharactersPerWord else { return [unknownID] }
        var result: [Int] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int?
            while start < end {
                var bytes: [UInt8] = start > 0 ? Array("##".utf8) : []
                for scalar in word[start..<end] { bytes.append(contentsOf: UTF8.encode(scalar)!) }
                if let id = ids[bytes] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else { return [unknownID] }
            result.append(found)
            start = end
        }
        return result
    }

    /// The WordPiece ids of `text`, without added [CLS]/[SEP]. Special tokens written in the text
    /// ("[SEP]", "[MASK]", case-sensitive, anywhere) are kept whole with their own ids, as Hugging Face's
    /// tokenizers do; the text between them is normalized and split.
    public func tokenIDs(_ text: String) -> [Int] {
        var result: [Int] = []
        var segment = Substring(text)
        while let (range, id) = firstSpecialToken(in: segment) {
            result += words(String(segment[..<range.lowerBound])).flatMap(pieces(of:))
            result.append(id)
            segment = segment[range.upperBound...]
        }
        return result + words(String(segment)).flatMap(pieces(of:))
    }

    /// The earliest special token written in `text` (the longest at one position), with its id. One scan
    /// up to the token found, so that splitting a text at all its special tokens is linear in its length.
    private func firstSpecialToken(in text: Substring) -> (Range<Substring.Index>, Int)? {
        let utf8 = text.utf8
        var position = utf8.startIndex
        while let start = utf8[position...].firstIndex(where: specialTokenFirstBytes.contains) {
            var best: (end: Substring.Index, id: Int)?
            for (token, id) in specialTokens where utf8[start...].starts(with: token.utf8) {
                let end = utf8.index(start, offsetBy: token.utf8.count)
                if best.map({ end > $0.end }) ?? true { best = (end, id) }
            }
            if let best { return (start..<best.end, best.id) }
            position = utf8.index(after: start)
        }
        return nil
    }

    /// The WordPiece tokens of `text`, without special tokens.
    public func tokenize(_ text: String) -> [String] { tokenIDs(text).map { tokens[$0] } }

    /// [CLS], the ids of `text` cut to `maximumLength - 2` (or to the given length's), [SEP].
    public func encode(_ text: String, maximumLength: Int? = nil) -> [Int] {
        let limit = maximumLength ?? self.maximumLength
        require(limit >= 2, "WordPieceTokenizer.encode: maximumLength \(limit) leaves no room for [CLS] and [SEP]")
        return [classifierID] + tokenIDs(text).prefix(limit - 2) + [separatorID]
    }

    /// Every text encoded as `encode(_:maximumLength:)` encodes it, without padding, the texts split
    /// over the cores when there are enough of them.
    public func encode(each texts: [String], maximumLength: Int? = nil) -> [[Int]] {
        var rows = [[Int]](repeating: [], count: texts.count)
        rows.withUnsafeMutableBufferPointer { rows in
            // Each part writes only its own range of rows.
            nonisolated(unsafe) let rows = rows
            ParallelChunks.forEach(count: texts.count, elementsPerItem: 1 << 12) { range in
                for index in range { rows[index] = encode(texts[index], maximumLength: maximumLength) }
            }
        }
        return rows
    }

    /// Every text encoded, truncated to `maximumLength`, and padded with [PAD] to the longest row,
    /// with the attention mask.
    public func encode(batch texts: [String], maximumLength: Int? = nil) -> TokenBatch {
        let rows = texts.map { encode($0, maximumLength: maximumLength) }
        let length = rows.map(\.count).max() ?? 0
        return TokenBatch(
            ids: rows.map { $0 + [Int](repeating: paddingID, count: length - $0.count) },
            attentionMask: rows.map {
                [Int](repeating: 1, count: $0.count) + [Int](repeating: 0, count: length - $0.count)
            })
    }
}
