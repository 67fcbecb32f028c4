import CLinearAlgebra

/// Whether a matrix operand of GEMM or GEMV is read as stored or transposed.
public enum Transpose: Sendable {
    /// The matrix as stored (row-major).
    case none
    /// The transpose of the stored matrix.
    case transposed

    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// A floating-point type that OpenBLAS and LAPACKE provide routines for: `Float` (the s routines) and
/// `Double` (the d routines). Every matrix product and factorization in Kindling goes through these
/// requirements, so one generic implementation serves both precisions.
public protocol BLASScalar: BinaryFloatingPoint {
    /// C = alpha * op(A) * op(B) + beta * C for row-major matrices (`cblas_?gemm`).
    static func blasGEMM(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int, beta: Self,
        c: UnsafeMutablePointer<Self>, ldc: Int)

    /// y = alpha * op(A) * x + beta * y for a row-major m x n matrix A (`cblas_?gemv`).
    static func blasGEMV(
        _ trans: Transpose, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        x: UnsafePointer<Self>, incX: Int, beta: Self, y: UnsafeMutablePointer<Self>, incY: Int)

    /// y = alpha * x + y over `count` elements (`cblas_?axpy`).
    static func blasAXPY(
        count: Int, alpha: Self, x: UnsafePointer<Self>, incX: Int, y: UnsafeMutablePointer<Self>, incY: Int)

    /// Householder QR of a row-major m x n matrix in place (`LAPACKE_?geqrf`); returns LAPACK's info.
    static func lapackGEQRF(m: Int, n: Int, a: UnsafeMutablePointer<Self>, lda: Int, tau: UnsafeMutablePointer<Self>)
        -> Int32

    /// Forms the m x n matrix Q with orthonormal columns from `geqrf`'s reflectors (`LAPACKE_?orgqr`).
    static func lapackORGQR(
        m: Int, n: Int, k: Int, a: UnsafeMutablePointer<Self>, lda: Int, tau: UnsafePointer<Self>
    ) -> Int32
}

extension Float: BLASScalar {
    public static func blasGEMM(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA.cblas, transB.cblas, blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    public static func blasGEMV(
        _ trans: Transpose, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, incX: Int, beta: Float, y: UnsafeMutablePointer<Float>, incY: Int
    ) {
        cblas_sgemv(
            CblasRowMajor, trans.cblas, blasint(m), blasint(n), alpha, a, blasint(lda),
            x, blasint(incX), beta, y, blasint(incY))
    }

    public static func blasAXPY(
        count: Int, alpha: Float, x: UnsafePointer<Float>, incX: Int, y: UnsafeMutablePointer<Float>, incY: Int
    ) {
        cblas_saxpy(blasint(count), alpha, x, blasint(incX), y, blasint(incY))
    }

    public static func lapackGEQRF(
        m: Int, n: Int, a: UnsafeMutablePointer<Float>, lda: Int, tau: UnsafeMutablePointer<Float>
    ) -> Int32 {
        LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), a, Int32(lda), tau)
    }

    public static func lapackORGQR(
        m: Int, n: Int, k: Int, a: UnsafeMutablePointer<Float>, lda: Int, tau: UnsafePointer<Float>
    ) -> Int32 {
        LAPACKE_sorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(k), a, Int32(lda), tau)
    }
}

extension Double: BLASScalar {
    public static func blasGEMM(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int, beta: Double,
        c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transA.cblas, transB.cblas, blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    public static func blasGEMV(
        _ trans: Transpose, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>, incX: Int, beta: Double, y: UnsafeMutablePointer<Double>, incY: Int
    ) {
        cblas_dgemv(
            CblasRowMajor, trans.cblas, blasint(m), blasint(n), alpha, a, blasint(lda),
            x, blasint(incX), beta, y, blasint(incY))
    }

    public static func blasAXPY(
        count: Int, alpha: Double, x: UnsafePointer<Double>, incX: Int, y: UnsafeMutablePointer<Double>, incY: Int
    ) {
        cblas_daxpy(blasint(count), alpha, x, blasint(incX), y, blasint(incY))
    }

    public static func lapackGEQRF(
        m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int, tau: UnsafeMutablePointer<Double>
    ) -> Int32 {
        LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), a, Int32(lda), tau)
    }

    public static func lapackORGQR(
        m: Int, n: Int, k: Int, a: UnsafeMutablePointer<Double>, lda: Int, tau: UnsafePointer<Double>
    ) -> Int32 {
        LAPACKE_dorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(k), a, Int32(lda), tau)
    }
}
