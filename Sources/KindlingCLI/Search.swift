import ArgumentParser
import Foundation
import Kindling

/// `kindling search`: the lines of a corpus closest in meaning to a query, by the cosine similarity of
/// their sentence embeddings, with the corpus's embeddings cached beside it.
struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The corpus lines most similar in meaning to a query (cosine of sentence embeddings).",
        discussion: """
            Embeds every non-empty line of --corpus with the sentence-transformers folder --encoder (computed \
            once, then cached beside the corpus as CORPUS.kindling-HASH.npy, where HASH covers the corpus, the \
            encoder's files and the precision, so that a change to either computes them again), embeds each \
            --query, and prints the --top lines by cosine similarity with their scores and line numbers.
            """
    )

    @Option(help: "The sentence-transformers folder (modules.json, config.json, model.safetensors, vocabulary).")
    var encoder: String

    @Option(help: "A UTF-8 file with one document per line (empty lines are skipped).")
    var corpus: String

    @Option(name: .customLong("query"), help: "A query (repeatable).")
    var queries: [String] = []

    @Option(help: "Lines to print per query.")
    var top = 5

    @Option(help: "Texts per forward pass.")
    var batchSize = 32

    @Option(help: "Precision: float or double.")
    var precision = InitializationComparison.Precision.float

    func validate() throws {
        guard !queries.isEmpty else { throw ValidationError("give at least one --query") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }

    func run() throws {
        switch precision {
        case .float: try run(as: Float.self)
        case .double: try run(as: Double.self)
        }
    }

    func run<S: TensorScalar>(as _: S.Type) throws {
        guard let data = FileManager.default.contents(atPath: corpus), let text = String(data: data, encoding: .utf8)
        else {
            throw ValidationError("--corpus: cannot read '\(corpus)' as UTF-8 text")
        }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .map { (number: $0.offset + 1, text: String($0.element)) }
            .filter { !$0.text.allSatisfy(\.isWhitespace) }
        guard !lines.isEmpty else { throw ValidationError("--corpus: '\(corpus)' holds no lines") }
        let folder = URL(fileURLWithPath: encoder)
        let model: SentenceEncoder<S>
        do { model = try SentenceEncoder<S>(folder: folder) } catch {
            throw ValidationError("--encoder: \(error)")
        }
        let cache = try EmbeddingCache(corpus: corpus, corpusBytes: data, encoder: folder, precision: "\(S.self)")
        let embeddings: Tensor<S>
        if let cached: Tensor<S> = cache.read(rows: lines.count, columns: model.dimension) {
            embeddings = cached
            print("\(lines.count) lines, embeddings read from \(cache.path)")
        } else {
            embeddings = model.embed(lines.map(\.text), batchSize: batchSize)
            try cache.write(embeddings)
            print("\(lines.count) lines embedded, cached in \(cache.path)")
        }
        let index = SemanticIndex(embeddings: embeddings)
        let results = index.search(model.embed(queries, batchSize: batchSize), top: top)
        for (query, hits) in zip(queries, results) {
            print("\nquery: \(query)")
            for (rank, hit) in hits.enumerated() {
                let line = lines[hit.index]
                print(String(format: "%3d. %.4f  ", rank + 1, hit.score) + "\(line.text)  (line \(line.number))")
            }
        }
    }
}

/// The corpus embeddings' cache file, CORPUS.kindling-HASH.npy beside the corpus: HASH is FNV-1a (64
/// bits) over the corpus's bytes, the precision, and the encoder folder's files (the JSON and vocabulary
/// files' bytes; model.safetensors's size and modification time), so any change gives another name.
struct EmbeddingCache {
    /// The cache file's path.
    let path: String
    /// The corpus file's path.
    let corpus: String

    init(corpus: String, corpusBytes: Data, encoder: URL, precision: String) throws {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        mix(corpusBytes)
        mix(Array(precision.utf8))
        let manager = FileManager.default
        let files = (manager.enumerator(atPath: encoder.path)?.allObjects as? [String] ?? []).sorted()
        for file in files {
            let url = encoder.appendingPathComponent(file)
            mix(Array(file.utf8))
            if ["json", "txt"].contains(url.pathExtension), let bytes = manager.contents(atPath: url.path) {
                mix(bytes)
            } else if url.pathExtension == "safetensors" {
                let attributes = try? manager.attributesOfItem(atPath: url.path)
                let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                mix(Array("\(size) \(modified)".utf8))
            }
        }
        self.corpus = corpus
        path = corpus + ".kindling-" + String(hash, radix: 16) + ".npy"
    }

    /// The cached embeddings, when the file exists and holds `rows` x `columns` values.
    func read<S: TensorScalar>(rows: Int, columns: Int) -> Tensor<S>? {
        guard let array = try? NumericArray(npyContentsOf: URL(fileURLWithPath: path)), array.shape == [rows, columns]
        else { return nil }
        return Tensor(shape: array.shape, scalars: array.values.map { S($0) })
    }

    /// Writes the embeddings (through a temporary file renamed into place), then removes the corpus's
    /// older cache files.
    func write<S: TensorScalar>(_ embeddings: Tensor<S>) throws {
        do { try EmbeddingFile.write(embeddings, to: path) } catch {
            throw ValidationError("--corpus: cannot write the embeddings' cache '\(path)' (\(error))")
        }
        let corpusURL = URL(fileURLWithPath: corpus)
        let folder = corpusURL.deletingLastPathComponent()
        let prefix = corpusURL.lastPathComponent + ".kindling-"
        let current = URL(fileURLWithPath: path).lastPathComponent
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where name.hasPrefix(prefix) && name.hasSuffix(".npy") && name != current {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}
