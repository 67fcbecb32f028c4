import KindlingPlatform

/// An error reported by LAPACK through its `info` code.
public struct LAPACKError: Error, CustomStringConvertible, Equatable {
    /// The routine that failed, e.g. "geqrf".
    public let routine: String
    /// LAPACK's info code: negative means argument -info was illegal, positive a numerical failure.
    public let info: Int32

    /// The error LAPACK's `routine` reported with `info`.
    public init(routine: String, info: Int32) {
        self.routine = routine
        self.info = info
    }

    /// The routine and what its info code means, e.g. "LAPACK geqrf: argument 4 had an illegal value".
    public var description: String {
        info < 0
            ? "LAPACK \(routine): argument \(-info) had an illegal value"
            : "LAPACK \(routine): failed with info = \(info)"
    }
}

/// The reduced QR factorization of a row-major m x n matrix: A = Q R with Q (m x min(m, n)) having
/// orthonormal columns and R (min(m, n) x n) upper triangular, computed by LAPACK's geqrf + orgqr.
public struct QRFactorization<Scalar: BLASScalar> {
    /// Q, row-major, m rows and `rank` = min(m, n) columns.
    public let q: [Scalar]
    /// R, row-major, `rank` rows and n columns, zero below the diagonal.
    public let r: [Scalar]
    /// Rows of A.
    public let rows: Int
    /// Columns of A.
    public let columns: Int
    /// min(rows, columns): columns of Q and rows of R.
    public var rank: Int { min(rows, columns) }

    /// Factorizes the row-major `rows` x `columns` matrix `matrix`.
    public init(_ matrix: [Scalar], rows: Int, columns: Int) throws {
        require(
            matrix.count == rows * columns,
            "QR: \(matrix.count) elements do not form a \(rows) x \(columns) matrix")
        require(rows > 0 && columns > 0, "QR: the matrix \(rows) x \(columns) is empty")
        let k = min(rows, columns)
        var a = matrix
        var tau = [Scalar](repeating: 0, count: k)
        let info = a.withUnsafeMutableBufferPointer { a in
            tau.withUnsafeMutableBufferPointer { tau in
                Scalar.lapackGEQRF(m: rows, n: columns, a: a.baseAddress!, lda: columns, tau: tau.baseAddress!)
            }
        }
        if info != 0 { throw LAPACKError(routine: "geqrf", info: info) }

        var r = [Scalar](repeating: 0, count: k * columns)
        for i in 0..<k {
            for j in i..<columns { r[i * columns + j] = a[i * columns + j] }
        }
        // orgqr wants the m x k leading block of the reflectors, row-major with leading dimension k.
        var q = [Scalar](repeating: 0, count: rows * k)
        for i in 0..<rows {
            for j in 0..<k { q[i * k + j] = a[i * columns + j] }
        }
        let info2 = q.withUnsafeMutableBufferPointer { q in
            tau.withUnsafeBufferPointer { tau in
                Scalar.lapackORGQR(m: rows, n: k, k: k, a: q.baseAddress!, lda: k, tau: tau.baseAddress!)
            }
        }
        if info2 != 0 { throw LAPACKError(routine: "orgqr", info: info2) }
        self.q = q
        self.r = r
        self.rows = rows
        self.columns = columns
    }
}
