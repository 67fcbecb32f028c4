import KindlingPlatform

/// Rows of an embedding table (`torch.nn.functional.embedding`): for integer ids of any shape S and a
/// weight of shape (V, D), the result has shape S + [D] and holds row `ids[i]` of the weight at i.
/// The gradient adds each output row back into the weight row it came from, except for rows looked up
/// with `paddingIndex`, whose gradient stays 0 (PyTorch's padding_idx).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func embedding<Scalar>(
    _ ids: [Int], shape: [Int], weight: Tensor<Scalar>, paddingIndex: Int? = nil
) -> Tensor<Scalar> {
    require(weight.rank == 2, "embedding: the weight must be 2-D (vocabulary, dimension), got shape \(weight.shape)")
    require(shape.reduce(1, *) == ids.count, "embedding: \(ids.count) ids do not fill shape \(shape)")
    let vocabulary = weight.shape[0]
    let width = weight.shape[1]
    for id in ids {
        require(id >= 0 && id < vocabulary, "embedding: id \(id) is out of range for a vocabulary of \(vocabulary)")
    }
    let table = weight.scalars
    let scalars = [Scalar](unsafeUninitializedCapacity: ids.count * width) { out, initialized in
        table.withUnsafeBufferPointer { table in
            for (row, id) in ids.enumerated() {
                (out.baseAddress! + row * width).initialize(from: table.baseAddress! + id * width, count: width)
            }
        }
        initialized = ids.count * width
    }
    let result = Tensor(shape: shape + [width], scalars: scalars)
    guard Tensor.recording(weight) else { return result }
    return Tensor.record("embedding", result, inputs: [weight]) { gradient in
        var full = [Scalar](repeating: 0, count: vocabulary * width)
        for (row, id) in ids.enumerated() where id != paddingIndex {
            for j in 0..<width { full[id * width + j] += gradient.scalars[row * width + j] }
        }
        return [Tensor(shape: [vocabulary, width], scalars: full)]
    }
}
