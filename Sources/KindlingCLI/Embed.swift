import ArgumentParser
import Foundation
import Kindling

/// `kindling embed`: sentence embeddings from a sentence-transformers BERT folder, and their cosine similarities.
struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Sentence embeddings, as sentence-transformers' encode computes them, from a BERT sentence-transformers folder.",
        discussion: """
            The folder holds config.json, model.safetensors, the vocabulary (vocab.txt or tokenizer.json) and \
            sentence-transformers' modules.json with its pooling (Scripts/fetch-encoder puts all-MiniLM-L6-v2 \
            into ~/.cache/kindling/encoders/). Prints the cosine similarity of every pair of texts (the first \
            20 for a longer input); --output writes the embeddings, one row per text, as CSV or NPY (by extension).
            """
    )

    @Option(help: "The sentence-transformers folder (modules.json, config.json, model.safetensors, vocabulary).")
    var encoder: String

    @Option(name: .customLong("text"), help: "A text to embed (repeatable).")
    var texts: [String] = []

    @Option(help: "A UTF-8 file with one text per line (empty lines are skipped); '-' reads standard input.")
    var input: String?

    @Option(help: "Write the embeddings to this .csv or .npy file.")
    var output: String?

    @Option(parsing: .unconditional, help: "Texts per forward pass.")
    var batchSize = 32

    @Option(help: "Precision: float or double.")
    var precision = InitializationComparison.Precision.float

    func validate() throws {
        guard texts.count + (input == nil ? 0 : 1) > 0 else {
            throw ValidationError("give at least one --text or an --input file")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let output {
            _ = try EmbeddingFile.Format(path: output)
            try checkWritableFile(output, option: "output")
        }
    }

    func run() throws {
        var all = texts
        if let input { all += try readTextLines(input, option: "input") }
        guard !all.isEmpty else { throw ValidationError("--input: '\(input ?? "")' holds no texts") }
        let folder = URL(fileURLWithPath: encoder)
        switch precision {
        case .float: try run(all, folder: folder, as: Float.self)
        case .double: try run(all, folder: folder, as: Double.self)
        }
    }

    func run<S: TensorScalar>(_ all: [String], folder: URL, as _: S.Type) throws {
        let encoder: SentenceEncoder<S>
        do { encoder = try SentenceEncoder<S>(folder: folder) } catch {
            throw ValidationError("--encoder: \(error)")
        }
        let embeddings = encoder.embed(all, batchSize: batchSize)
        print("\(all.count) texts -> embeddings of shape \(embeddings.shape)")
        let shown = Array(all.prefix(20))
        let similarities = cosineSimilarities(
            embeddings.slice(alongAxis: 0, 0..<shown.count), embeddings.slice(alongAxis: 0, 0..<shown.count))
        let labels = shown.map { $0.count > 40 ? String($0.prefix(37)) + "..." : $0 }
        let width = labels.map(\.count).max() ?? 0
        print("cosine similarity:")
        for (i, label) in labels.enumerated() {
            let row = (0..<shown.count).map { String(format: "%6.3f", Double(similarities[i, $0])) }.joined(
                separator: " ")
            print("  [\(i)] " + label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + row)
        }
        if let output {
            try EmbeddingFile.write(embeddings, to: output)
            print("wrote \(output)")
        }
    }
}

/// Writes a (rows, features) matrix as CSV or NPY, through a temporary file renamed into place.
enum EmbeddingFile {
    enum Format {
        case csv, npy

        init(path: String) throws {
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "csv": self = .csv
            case "npy": self = .npy
            default: throw ValidationError("--output: '\(path)' must end in .csv or .npy")
            }
        }
    }

    static func write<S: TensorScalar>(_ matrix: Tensor<S>, to path: String) throws {
        let (rows, columns) = (matrix.shape[0], matrix.shape[1])
        var bytes: [UInt8]
        switch try Format(path: path) {
        case .csv:
            let lines = (0..<rows).map { row in
                (0..<columns).map { "\(matrix.scalars[row * columns + $0])" }.joined(separator: ",")
            }
            bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        case .npy:
            // NPY 1.0: magic, version, header length (u16 LE), a Python dict padded with spaces and "\n"
            // so that the data starts at a multiple of 64 bytes.
            let descriptor = S.self == Float.self ? "<f4" : "<f8"
            var header = "{'descr': '\(descriptor)', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
            header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
            bytes =
                [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
            bytes += Array(header.utf8)
            for value in matrix.scalars {
                if let value = value as? Float {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
                } else {
                    withUnsafeBytes(of: Double(value).bitPattern.littleEndian) { bytes += $0 }
                }
            }
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ValidationError("--output: cannot write '\(path)' (\(error.localizedDescription))")
        }
    }
}
