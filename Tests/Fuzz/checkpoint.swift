import Foundation
import KindlingData
import KindlingNN

/// libFuzzer target: the model specification that `kindling train --save` writes into a checkpoint's
/// metadata (`kindling.model`), read back as `evaluate` and `predict` do, then, when it is small, the
/// network it describes built. Any error is fine; a trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpointMetadata(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let json = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    guard let specification = try? ModelSpecification(json: json) else { return 0 }
    _ = specification.featureCount
    if let parameters = specification.parameterCount, parameters <= 1 << 16 {
        let _: Sequential<Float> = specification.makeModel()
    }
    return 0
}
