/// The generic entry points for matrix products on raw row-major buffers. Everything in Kindling that
/// multiplies matrices (Tensor.matmul, linear layers, convolution through im2col) calls these.
public enum BLAS {
    /// General matrix multiply, C = alpha * op(A) * op(B) + beta * C, with op(A) of shape m x k and op(B)
    /// of shape k x n, all row-major. `lda`, `ldb` and `ldc` default to the densely packed row lengths.
    @inlinable
    public static func gemm<Scalar: BLASScalar>(
        _ transA: Transpose = .none, _ transB: Transpose = .none,
        m: Int, n: Int, k: Int, alpha: Scalar = 1,
        a: UnsafePointer<Scalar>, lda: Int? = nil,
        b: UnsafePointer<Scalar>, ldb: Int? = nil,
        beta: Scalar = 0, c: UnsafeMutablePointer<Scalar>, ldc: Int? = nil
    ) {
        guard m > 0, n > 0 else { return }
        let lda = lda ?? max(1, transA == .none ? k : m)
        let ldb = ldb ?? max(1, transB == .none ? n : k)
        Scalar.blasGEMM(
            transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
            beta: beta, c: c, ldc: ldc ?? n)
    }

    /// Matrix-vector product, y = alpha * op(A) * x + beta * y, for a row-major m x n matrix A.
    @inlinable
    public static func gemv<Scalar: BLASScalar>(
        _ trans: Transpose = .none, m: Int, n: Int, alpha: Scalar = 1,
        a: UnsafePointer<Scalar>, lda: Int? = nil, x: UnsafePointer<Scalar>, incX: Int = 1,
        beta: Scalar = 0, y: UnsafeMutablePointer<Scalar>, incY: Int = 1
    ) {
        guard m > 0, n > 0 else { return }
        Scalar.blasGEMV(
            trans, m: m, n: n, alpha: alpha, a: a, lda: lda ?? n, x: x, incX: incX,
            beta: beta, y: y, incY: incY)
    }

    /// y += alpha * x over `count` elements.
    @inlinable
    public static func axpy<Scalar: BLASScalar>(
        count: Int, alpha: Scalar, x: UnsafePointer<Scalar>, y: UnsafeMutablePointer<Scalar>
    ) {
        guard count > 0 else { return }
        Scalar.blasAXPY(count: count, alpha: alpha, x: x, incX: 1, y: y, incY: 1)
    }
}
