import Foundation
import KindlingData

/// libFuzzer target: the model specification that `kindling train --save` writes into a checkpoint's
/// metadata (`kindling.model`), read back as `evaluate` and `predict` do, then the size of its network.
/// Any error is fine; a trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpointMetadata(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let json = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    if let specification = try? ModelSpecification(json: json) {
        _ = specification.parameterCount
        _ = specification.featureCount
    }
    return 0
}
