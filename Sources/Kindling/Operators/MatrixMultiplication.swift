extension Tensor {
    /// The matrix product through GEMM: 2-D (m x k)(k x n), or batched 3-D (b x m x k)(b x k x n), where a
    /// batch of 1 on either side is shared by every matrix of the other. The gradients are products with
    /// the transposed operands, which GEMM's transpose flags provide without copying.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func matmul(_ other: Tensor) -> Tensor {
        Tensor.matmul(self, other)
    }

    /// The matrix product `op(lhs) op(rhs)`, where op transposes the last two axes of an operand when asked
    /// (for free, through GEMM's flags): `Tensor.matmul(x, w, transposingRight: true)` is x wᵀ.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func matmul(
        _ lhs: Tensor, _ rhs: Tensor, transposingLeft transposeLHS: Bool = false,
        transposingRight transposeRHS: Bool = false
    ) -> Tensor {
        let result = product(lhs, transposeLHS, rhs, transposeRHS)
        guard recording(lhs, rhs) else { return result }
        let a = lhs.detached(), b = rhs.detached()
        let lhsNeeded = lhs.requiresGradient, rhsNeeded = rhs.requiresGradient
        return record("matmul", result, inputs: [lhs, rhs]) { g in
            // C = op(A) op(B): dop(A) = G op(B)^T, dop(B) = op(A)^T G.
            var gradA: Tensor? = nil, gradB: Tensor? = nil
            if lhsNeeded {
                gradA = transposeLHS ? product(b, transposeRHS, g, true) : product(g, false, b, !transposeRHS)
                gradA = gradA!.sumToShape(a.shape)
            }
            if rhsNeeded {
                gradB = transposeRHS ? product(g, true, a, transposeLHS) : product(a, !transposeLHS, g, false)
                gradB = gradB!.sumToShape(b.shape)
            }
            return [gradA, gradB]
        }
    }

    /// The (batched) product without recording.
    static func product(_ a: Tensor, _ transposeA: Bool, _ b: Tensor, _ transposeB: Bool) -> Tensor {
        require((a.rank == 2 || a.rank == 3) && (b.rank == 2 || b.rank == 3),
                     "matmul: operands must be 2-D or 3-D, got shapes \(a.shape) and \(b.shape)")
        let aRows = a.shape[a.rank - 2], aColumns = a.shape[a.rank - 1]
        let bRows = b.shape[b.rank - 2], bColumns = b.shape[b.rank - 1]
        let m = transposeA ? aColumns : aRows, k = transposeA ? aRows : aColumns
        let kB = transposeB ? bColumns : bRows, n = transposeB ? bRows : bColumns
        require(k == kB, "matmul: shapes \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "") do not fit (\(k) vs \(kB))")
        let aBatch = a.rank == 3 ? a.shape[0] : 1, bBatch = b.rank == 3 ? b.shape[0] : 1
        require(aBatch == bBatch || aBatch == 1 || bBatch == 1,
                     "matmul: batch sizes of \(a.shape) and \(b.shape) do not broadcast")
        let batch = Swift.max(aBatch, bBatch)
        let outShape = a.rank == 3 || b.rank == 3 ? [batch, m, n] : [m, n]
        let scalars = [Scalar](unsafeUninitializedCapacity: batch * m * n) { out, initialized in
            a.scalars.withUnsafeBufferPointer { ap in
                b.scalars.withUnsafeBufferPointer { bp in
                    for i in 0..<batch {
                        let aStart = aBatch == 1 ? 0 : i * aRows * aColumns
                        let bStart = bBatch == 1 ? 0 : i * bRows * bColumns
                        if k == 0 {
                            for j in 0..<(m * n) { out[i * m * n + j] = 0 }
                            continue
                        }
                        BLAS.gemm(transposeA ? .transposed : .none, transposeB ? .transposed : .none,
                                  m: m, n: n, k: k,
                                  a: ap.baseAddress! + aStart, lda: aColumns,
                                  b: bp.baseAddress! + bStart, ldb: bColumns,
                                  c: out.baseAddress! + i * m * n, ldc: n)
                    }
                }
            }
            initialized = batch * m * n
        }
        return Tensor(shape: outShape, scalars: scalars)
    }
}

/// The matrix product of two tensors (see `Tensor.matmul`).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func matmul<Scalar>(_ lhs: Tensor<Scalar>, _ rhs: Tensor<Scalar>) -> Tensor<Scalar> {
    lhs.matmul(rhs)
}
