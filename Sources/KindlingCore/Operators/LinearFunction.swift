import KindlingPlatform

/// x Wᵀ + b for x of shape (batch, in), W of shape (out, in) and b of shape (out)
/// (`torch.nn.functional.linear`). One GEMM computes it, with the bias rows as its C operand (beta 1);
/// the backward pass is two GEMMs with transpose flags (dx = G W, dW = Gᵀ x) and a GEMV for the column
/// sums (db = Gᵀ 1).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func linear<Scalar>(_ input: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil) -> Tensor<
    Scalar
> {
    require(weight.rank == 2, "linear: the weight must be 2-D (out, in), got shape \(weight.shape)")
    let outFeatures = weight.shape[0]
    let inFeatures = weight.shape[1]
    require(
        input.rank >= 1 && input.shape.last == inFeatures,
        "linear: input of shape \(input.shape) does not fit weight of shape \(weight.shape) (\(inFeatures) features expected)"
    )
    if let bias {
        require(
            bias.shape == [outFeatures],
            "linear: bias of shape \(bias.shape) does not fit weight of shape \(weight.shape)")
    }
    let batch = input.count / inFeatures
    let outputShape = Array(input.shape.dropLast()) + [outFeatures]
    let scalars = [Scalar](unsafeUninitializedCapacity: batch * outFeatures) { out, initialized in
        if let bias, batch > 0, outFeatures > 0 {
            // The bias in the first row, then the filled rows copied onto the next ones, doubling: a few
            // large copies instead of one small copy per row (the course's network has rows of 10, 5 and 1).
            let out = out.baseAddress!
            bias.scalars.withUnsafeBufferPointer { out.initialize(from: $0.baseAddress!, count: outFeatures) }
            var filled = 1
            while filled < batch {
                let rows = Swift.min(filled, batch - filled)
                (out + filled * outFeatures).initialize(from: out, count: rows * outFeatures)
                filled += rows
            }
        }
        input.scalars.withUnsafeBufferPointer { x in
            weight.scalars.withUnsafeBufferPointer { w in
                if inFeatures == 0 {
                    if bias == nil { out.initialize(repeating: 0) }
                    return
                }
                BLAS.gemm(
                    .none, .transposed, m: batch, n: outFeatures, k: inFeatures,
                    a: x.baseAddress!, b: w.baseAddress!, beta: bias == nil ? 0 : 1, c: out.baseAddress!)
            }
        }
        initialized = batch * outFeatures
    }
    let result = Tensor(shape: outputShape, scalars: scalars)
    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    guard Tensor.recording(inputs) else { return result }
    let x = input.scalars
    let w = weight.scalars
    let inputShape = input.shape
    let weightShape = weight.shape
    let needInput = input.requiresGradient
    let needWeight = weight.requiresGradient
    let needBias = bias?.requiresGradient ?? false
    return Tensor.record("linear", result, inputs: inputs) { gradient in
        gradient.scalars.withUnsafeBufferPointer { g in
            var gradients: [Tensor<Scalar>?] = []
            gradients.append(
                needInput
                    ? Tensor(
                        shape: inputShape,
                        scalars: [Scalar](unsafeUninitializedCapacity: x.count) { dx, n in
                            w.withUnsafeBufferPointer { w in
                                BLAS.gemm(
                                    .none, .none, m: batch, n: inFeatures, k: outFeatures,
                                    a: g.baseAddress!, b: w.baseAddress!, c: dx.baseAddress!)
                            }
                            n = x.count
                        }) : nil)
            gradients.append(
                needWeight
                    ? Tensor(
                        shape: weightShape,
                        scalars: [Scalar](unsafeUninitializedCapacity: w.count) { dw, n in
                            x.withUnsafeBufferPointer { x in
                                BLAS.gemm(
                                    .transposed, .none, m: outFeatures, n: inFeatures, k: batch,
                                    a: g.baseAddress!, b: x.baseAddress!, c: dw.baseAddress!)
                            }
                            n = w.count
                        }) : nil)
            if bias != nil {
                gradients.append(
                    needBias
                        ? Tensor(
                            shape: [outFeatures],
                            scalars: [Scalar](unsafeUninitializedCapacity: outFeatures) { db, n in
                                let ones = [Scalar](repeating: 1, count: batch)
                                BLAS.gemv(
                                    .transposed, m: batch, n: outFeatures, a: g.baseAddress!, x: ones,
                                    y: db.baseAddress!)
                                n = outFeatures
                            }) : nil)
            }
            return gradients
        }
    }
}
