import Foundation
import KindlingNN

/// libFuzzer target: a safetensors file parsed from memory, then every tensor converted to Float and
/// to integers (what loading a checkpoint does). Any error is fine; a trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let file = try? SafeTensors(bytes: UnsafeRawBufferPointer(start: data, count: count)) else { return 0 }
    for name in file.tensors.keys {
        _ = try? file.tensor(named: name, as: Float.self)
        _ = try? file.integers(named: name)
    }
    _ = file.serialized()
    return 0
}
