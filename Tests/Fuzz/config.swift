import Foundation
import KindlingText

/// libFuzzer target: a BERT config.json read from a file. Any error is fine; a trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = FuzzScratch.file("config.json", UnsafeRawBufferPointer(start: data, count: count))
    _ = try? BertConfiguration(contentsOf: url)
    return 0
}
