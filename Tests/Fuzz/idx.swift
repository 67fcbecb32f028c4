import Foundation
import KindlingData

/// libFuzzer target: an IDX file, plain or gzip, parsed from memory, and through RawExamples from a file
/// (the path of `kindling train --data`). Any error is fine; a trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: count)
    _ = try? NumericArray(idxBytes: Array(input), path: "fuzz.idx")
    _ = try? RawExamples(contentsOf: FuzzScratch.file("input.idx", input))
    return 0
}
