import Foundation
import KindlingText

/// The vocabulary beside the fuzzed tokenizer_config.json, and the tokenizer that reads text when the
/// configuration is rejected.
private let vocabulary =
    ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "un", "##aff", "##able"]
    + [",", "!", "日"]
private let fallback = try! WordPieceTokenizer(vocabulary: vocabulary)

/// libFuzzer target: a tokenizer_config.json read beside a small fixed vocabulary, and the same bytes as
/// text to tokenize (normalization, splitting, WordPiece, special tokens written in the text).
/// Any error is fine; a trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: count)
    if !FileManager.default.fileExists(atPath: FuzzScratch.folder.appendingPathComponent("vocab.txt").path) {
        _ = Array(vocabulary.joined(separator: "\n").utf8).withUnsafeBytes { FuzzScratch.file("vocab.txt", $0) }
    }
    _ = FuzzScratch.file("tokenizer_config.json", input)
    let tokenizer = (try? WordPieceTokenizer(folder: FuzzScratch.folder)) ?? fallback
    _ = tokenizer.encode(batch: [String(decoding: input, as: UTF8.self), "hello worlds"])
    return 0
}
