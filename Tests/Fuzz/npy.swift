import Foundation
import KindlingData

/// libFuzzer target: an .npy file parsed from memory, and through RawExamples from a file (the path of
/// `kindling train --data`). Any error is fine; a trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: count)
    _ = try? NumericArray(npyBytes: Array(input), path: "fuzz.npy")
    _ = try? RawExamples(contentsOf: FuzzScratch.file("input.npy", input))
    return 0
}
