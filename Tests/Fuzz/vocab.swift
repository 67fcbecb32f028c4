import Foundation
import KindlingText

/// libFuzzer target: a vocab.txt read from a model folder, then a fixed text tokenized with it.
/// Any error is fine; a trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVocabulary(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    _ = FuzzScratch.file("vocab.txt", UnsafeRawBufferPointer(start: data, count: count))
    guard let tokenizer = try? WordPieceTokenizer(folder: FuzzScratch.folder) else { return 0 }
    _ = tokenizer.encode(batch: ["Héllo, unaffable [SEP] world! 日本語", ""], maximumLength: 16)
    return 0
}
