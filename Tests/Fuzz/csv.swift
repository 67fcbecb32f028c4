import Foundation
import KindlingData

/// libFuzzer target: a CSV table parsed from memory with each header and label choice, and through
/// RawExamples from a file (the path of `kindling train --data`). Any error is fine; a trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: count)
    let bytes = Array(input)
    for (header, label) in [(CSVHeader.detect, LabelColumn.last), (.present, .name("class")), (.absent, .none)] {
        _ = try? CSVTableFile(bytes: bytes, path: "fuzz.csv", header: header, label: label)
    }
    _ = try? RawExamples(contentsOf: FuzzScratch.file("input.csv", input))
    return 0
}
