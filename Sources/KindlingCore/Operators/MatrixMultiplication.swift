import KindlingPlatform

extension Tensor {
    /// The matrix product with PyTorch's rules (`torch.matmul`), through GEMM (see the static form).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func matmul(_ other: Tensor) -> Tensor {
        Tensor.matmul(self, other)
    }

    /// The matrix product `op(lhs) op(rhs)` with PyTorch's rules (`torch.matmul`), where op transposes
    /// the last two axes of an operand when asked (for free, through GEMM's flags):
    /// `Tensor.matmul(x, w, transposingRight: true)` is x wᵀ.
    ///
    /// - 2-D by 2-D: the matrix product (m × k)(k × n) → (m × n).
    /// - A 1-D operand is a row vector on the left, a column vector on the right, and its axis is removed
    ///   from the result: (k)(k) → a scalar of shape [], (k)(k × n) → (n), (m × k)(k) → (m),
    ///   (b × m × k)(k) → (b × m). A 1-D operand cannot be transposed.
    /// - Otherwise the axes before the last two are batch axes and broadcast as in arithmetic:
    ///   (2 × 1 × m × k)(5 × k × n) → (2 × 5 × m × n).
    ///
    /// Each product is one GEMM: one for the whole batch when the right operand is shared by every
    /// batch (it is 2-D, or its batch axes are all 1) and the left one is not transposed, one per batch
    /// otherwise. An operand whose batch axes are neither all 1 nor the result's is copied to the
    /// result's batch shape first. The gradients are products with the transposed operands.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func matmul(
        _ lhs: Tensor, _ rhs: Tensor, transposingLeft transposeLHS: Bool = false,
        transposingRight transposeRHS: Bool = false
    ) -> Tensor {
        require(
            lhs.rank >= 1 && rhs.rank >= 1,
            "matmul: both operands need at least one dimension, got shapes \(lhs.shape) and \(rhs.shape)")
        if lhs.rank == 1 || rhs.rank == 1 {
            require(
                !(lhs.rank == 1 && transposeLHS) && !(rhs.rank == 1 && transposeRHS),
                "matmul: a 1-D operand cannot be transposed (shapes \(lhs.shape) and \(rhs.shape))")
            let left = lhs.rank == 1 ? lhs.reshaped([1, lhs.count]) : lhs
            let right = rhs.rank == 1 ? rhs.reshaped([rhs.count, 1]) : rhs
            let product = matmul(left, right, transposingLeft: transposeLHS, transposingRight: transposeRHS)
            var shape = product.shape
            if rhs.rank == 1 { shape.removeLast() }
            if lhs.rank == 1 { shape.remove(at: shape.count - (rhs.rank == 1 ? 1 : 2)) }
            return product.reshaped(shape)
        }
        let lhsBatch = Array(lhs.shape.dropLast(2))
        let rhsBatch = Array(rhs.shape.dropLast(2))
        let lhsBatchCount = lhsBatch.reduce(1, *)
        let rhsBatchCount = rhsBatch.reduce(1, *)
        require(
            batchShapesBroadcast(lhsBatch, rhsBatch),
            "matmul: the batch axes of \(lhs.shape) and \(rhs.shape) do not broadcast (\(lhsBatch) vs \(rhsBatch))")
        let batch = Shape.broadcast(lhsBatch, rhsBatch)
        if lhs.rank <= 3 && rhs.rank <= 3
            && (lhsBatch == rhsBatch || lhsBatchCount == 1 && lhs.rank == 2
                || rhsBatchCount == 1 && rhs.rank == 2)
        {
            if rhs.rank == 2 && lhs.rank == 3 && !transposeLHS {
                return foldingBatchIntoRows(lhs, rhs, transposeRHS, batch: batch)
            }
            return batchedMatmul(lhs, rhs, transposingLeft: transposeLHS, transposingRight: transposeRHS)
        }
        let batchCount = batch.reduce(1, *)
        /// The operand as (batch count or 1) × rows × columns, copied to the batch shape if it must be.
        func threeDimensional(_ operand: Tensor, _ own: [Int], _ ownCount: Int) -> Tensor {
            let matrix = Array(operand.shape.suffix(2))
            if ownCount == 1 { return operand.reshaped(matrix) }
            if ownCount == batchCount { return operand.reshaped([batchCount] + matrix) }
            return (operand + Tensor.zeros(batch + matrix)).reshaped([batchCount] + matrix)
        }
        let left = threeDimensional(lhs, lhsBatch, lhsBatchCount)
        let right = threeDimensional(rhs, rhsBatch, rhsBatchCount)
        let product =
            left.rank == 3 && right.rank == 2 && !transposeLHS
            ? foldingBatchIntoRows(left, right, transposeRHS, batch: [batchCount])
            : batchedMatmul(left, right, transposingLeft: transposeLHS, transposingRight: transposeRHS)
        return product.reshaped(batch + Array(product.shape.suffix(2)))
    }

    /// (b × m × k)(k × n) as one GEMM of (b·m × k)(k × n), reshaped to `batch` × m × n.
    private static func foldingBatchIntoRows(_ lhs: Tensor, _ rhs: Tensor, _ transposeRHS: Bool, batch: [Int]) -> Tensor
    {
        let rows = lhs.shape[lhs.rank - 2]
        let inner = lhs.shape[lhs.rank - 1]
        let product = batchedMatmul(
            lhs.reshaped([lhs.shape[0] * rows, inner]), rhs,
            transposingLeft: false, transposingRight: transposeRHS)
        return product.reshaped(batch + [rows, product.shape[1]])
    }

    /// The product of 2-D or 3-D operands, whose batch sizes are equal or one of them 1, as GEMMs.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func batchedMatmul(
        _ lhs: Tensor, _ rhs: Tensor, transposingLeft transposeLHS: Bool, transposingRight transposeRHS: Bool
    ) -> Tensor {
        let result = product(lhs, transposeLHS, rhs, transposeRHS)
        guard recording(lhs, rhs) else { return result }
        let a = lhs.detached()
        let b = rhs.detached()
        let lhsNeeded = lhs.requiresGradient
        let rhsNeeded = rhs.requiresGradient
        return record("matmul", result, inputs: [lhs, rhs]) { g in
            // C = op(A) op(B): dop(A) = G op(B)^T, dop(B) = op(A)^T G.
            var gradA: Tensor? = nil
            var gradB: Tensor? = nil
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
    package static func product(_ a: Tensor, _ transposeA: Bool, _ b: Tensor, _ transposeB: Bool) -> Tensor {
        require(
            (a.rank == 2 || a.rank == 3) && (b.rank == 2 || b.rank == 3),
            "matmul: operands must be 2-D or 3-D, got shapes \(a.shape) and \(b.shape)")
        let aRows = a.shape[a.rank - 2]
        let aColumns = a.shape[a.rank - 1]
        let bRows = b.shape[b.rank - 2]
        let bColumns = b.shape[b.rank - 1]
        let m = transposeA ? aColumns : aRows
        let k = transposeA ? aRows : aColumns
        let kB = transposeB ? bColumns : bRows
        let n = transposeB ? bRows : bColumns
        require(
            k == kB,
            "matmul: shapes \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "") do not fit (\(k) vs \(kB))"
        )
        let aBatch = a.rank == 3 ? a.shape[0] : 1
        let bBatch = b.rank == 3 ? b.shape[0] : 1
        require(
            aBatch == bBatch || aBatch == 1 || bBatch == 1,
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
                        BLAS.gemm(
                            transposeA ? .transposed : .none, transposeB ? .transposed : .none,
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

/// Whether two batch shapes broadcast (aligned from the right, each pair equal or one of them 1).
private func batchShapesBroadcast(_ a: [Int], _ b: [Int]) -> Bool {
    zip(a.reversed(), b.reversed()).allSatisfy { $0 == $1 || $0 == 1 || $1 == 1 }
}
