import Kindling
import XCTest

// BLAS.gemm, BLAS.gemv and QRFactorization against naive loops written here (accumulating in Double).
//
// Tolerances: a dot product of length k computed in floating point with unit roundoff u is off by at most
// about k·u·Σ|aᵢbᵢ| (Higham, Accuracy and Stability of Numerical Algorithms, §3.1), plus one rounding each
// for alpha and for the beta·C term. Each element is checked against (k + 2)·ε·scale, where ε = 2u is the
// machine epsilon of the precision under test and scale = |alpha|·Σ|op(A)ᵢₚ op(B)ₚⱼ| + |beta·Cᵢⱼ|: a bound
// with a factor of two to spare that a wrong index, transpose or stride breaks by orders of magnitude.
final class LinearAlgebraTests: XCTestCase {
    /// (m, n, k) triples: non-square, row and column vectors (1 x N, N x 1), k = 1, and sizes past a BLAS block.
    private let gemmShapes = [(3, 4, 5), (7, 2, 9), (1, 6, 4), (6, 1, 4), (1, 1, 7), (5, 3, 1), (33, 17, 40)]
    private let transposes: [(Transpose, Transpose)] = [
        (.none, .none), (.transposed, .none),
        (.none, .transposed), (.transposed, .transposed),
    ]

    // MARK: - GEMM

    func testGEMMMatchesNaiveLoopForAllTransposesAndShapes() {
        for (transA, transB) in transposes {
            for (m, n, k) in gemmShapes {
                checkGEMM(Float.self, transA, transB, m: m, n: n, k: k)
                checkGEMM(Double.self, transA, transB, m: m, n: n, k: k)
            }
        }
    }

    func testGEMMWithAlphaBetaAndLeadingDimensionsOfSubMatrices() {
        for (transA, transB) in transposes {
            for (m, n, k) in gemmShapes {
                checkGEMM(Float.self, transA, transB, m: m, n: n, k: k, alpha: -0.75, beta: 1.5, padding: (3, 1, 2))
                checkGEMM(Double.self, transA, transB, m: m, n: n, k: k, alpha: 2.5, beta: -0.5, padding: (1, 4, 3))
            }
        }
    }

    func testGEMMWithZeroBetaIgnoresWhateverCHeld() {
        // Tensor.matmul hands GEMM uninitialized output with beta = 0, which BLAS must not read.
        for (transA, transB) in transposes {
            checkGEMM(Double.self, transA, transB, m: 4, n: 3, k: 5, initialC: .nan)
            checkGEMM(Float.self, transA, transB, m: 4, n: 3, k: 5, initialC: .nan)
        }
    }

    func testGEMMWithEmptyInnerDimensionScalesC() {
        var c: [Double] = [1, 2, 3, 4, 5, 6]
        let a = [Double](repeating: 9, count: 1)
        let b = [Double](repeating: 9, count: 1)
        BLAS.gemm(m: 2, n: 3, k: 0, a: a, b: b, beta: 2, c: &c)
        XCTAssertEqual(c, [2, 4, 6, 8, 10, 12])
    }

    // MARK: - GEMV

    func testGEMVMatchesNaiveLoop() {
        for trans in [Transpose.none, .transposed] {
            for (m, n) in [(3, 5), (6, 2), (1, 4), (4, 1), (1, 1), (37, 29)] {
                checkGEMV(Float.self, trans, m: m, n: n)
                checkGEMV(Double.self, trans, m: m, n: n)
                checkGEMV(Float.self, trans, m: m, n: n, alpha: 1.25, beta: -2, padding: 2, incX: 2, incY: 3)
                checkGEMV(Double.self, trans, m: m, n: n, alpha: -0.5, beta: 0.75, padding: 3, incX: 3, incY: 2)
            }
        }
    }

    // MARK: - QR

    func testQRGivesOrthonormalQAndUpperTriangularRWhoseProductIsA() throws {
        for (rows, columns) in [(7, 4), (5, 5), (3, 6), (1, 4), (4, 1), (1, 1), (40, 25)] {
            try checkQR(Float.self, rows: rows, columns: columns, tolerance: 1e-5)
            try checkQR(Double.self, rows: rows, columns: columns, tolerance: 1e-12)
        }
    }

    func testQRReportsLAPACKsInfoAsAnError() {
        // LAPACKE checks its input for NaN and rejects the matrix (argument 4 of LAPACKE_?geqrf) with info -4.
        XCTAssertThrowsError(try QRFactorization<Double>([1, .nan, 3, 4], rows: 2, columns: 2)) { error in
            XCTAssertEqual(error as? LAPACKError, LAPACKError(routine: "geqrf", info: -4))
        }
    }

    func testLAPACKErrorDescriptionNamesRoutineAndCode() {
        XCTAssertEqual(
            LAPACKError(routine: "geqrf", info: -4).description,
            "LAPACK geqrf: argument 4 had an illegal value")
        XCTAssertEqual(LAPACKError(routine: "orgqr", info: 2).description, "LAPACK orgqr: failed with info = 2")
    }

    // MARK: - Checks

    /// Runs BLAS.gemm on random operands stored with `padding` extra elements per row (lda, ldb, ldc larger
    /// than the rows: sub-matrices of wider matrices) and compares with the naive product. With no padding
    /// the leading dimensions are left to their defaults. Padding elements of C must come back untouched.
    private func checkGEMM<S: BLASScalar>(
        _: S.Type, _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: S = 1, beta: S = 0, padding: (a: Int, b: Int, c: Int) = (0, 0, 0), initialC: S? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let generator = RandomGenerator(seed: UInt32(m * 10_000 + n * 100 + k))
        let (aRows, aColumns) = transA == .none ? (m, k) : (k, m)
        let (bRows, bColumns) = transB == .none ? (k, n) : (n, k)
        let lda = aColumns + padding.a
        let ldb = bColumns + padding.b
        let ldc = n + padding.c
        let a = randomValues(S.self, aRows * lda, generator)
        let b = randomValues(S.self, bRows * ldb, generator)
        let c0 = initialC.map { [S](repeating: $0, count: m * ldc) } ?? randomValues(S.self, m * ldc, generator)
        var c = c0
        if padding == (0, 0, 0) {
            BLAS.gemm(transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: &c)
        } else {
            BLAS.gemm(
                transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                beta: beta, c: &c, ldc: ldc)
        }
        let context =
            "gemm \(S.self) \(transA)·\(transB) m \(m) n \(n) k \(k) alpha \(alpha) beta \(beta) lds \(lda),\(ldb),\(ldc)"
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                var magnitude = 0.0
                for p in 0..<k {
                    let x = Double(transA == .none ? a[i * lda + p] : a[p * lda + i])
                    let y = Double(transB == .none ? b[p * ldb + j] : b[j * ldb + p])
                    sum += x * y
                    magnitude += Swift.abs(x * y)
                }
                let betaTerm = beta == 0 ? 0 : Double(beta) * Double(c0[i * ldc + j])
                let expected = Double(alpha) * sum + betaTerm
                let bound =
                    Double(k + 2) * Double(S.ulpOfOne) * (Swift.abs(Double(alpha)) * magnitude + Swift.abs(betaTerm))
                let actual = Double(c[i * ldc + j])
                if !(Swift.abs(actual - expected) <= bound) {
                    XCTFail(
                        "\(context): C[\(i)][\(j)] = \(actual), expected \(expected) (bound \(bound))", file: file,
                        line: line)
                    return
                }
            }
            for j in n..<ldc where c[i * ldc + j] != c0[i * ldc + j] && !c0[i * ldc + j].isNaN {
                XCTFail("\(context): padding C[\(i)][\(j)] was overwritten", file: file, line: line)
                return
            }
        }
    }

    /// Runs BLAS.gemv with a padded leading dimension and strided vectors, and compares with the naive
    /// product; the elements of y between the strides must stay untouched.
    private func checkGEMV<S: BLASScalar>(
        _: S.Type, _ trans: Transpose, m: Int, n: Int, alpha: S = 1, beta: S = 0, padding: Int = 0,
        incX: Int = 1, incY: Int = 1, file: StaticString = #filePath, line: UInt = #line
    ) {
        let generator = RandomGenerator(seed: UInt32(m * 1000 + n * 10 + incX))
        let lda = n + padding
        let (xCount, yCount) = trans == .none ? (n, m) : (m, n)
        let a = randomValues(S.self, m * lda, generator)
        let x = randomValues(S.self, xCount * incX, generator)
        let y0 = randomValues(S.self, yCount * incY, generator)
        var y = y0
        if padding == 0 && incX == 1 && incY == 1 {
            BLAS.gemv(trans, m: m, n: n, alpha: alpha, a: a, x: x, beta: beta, y: &y)
        } else {
            BLAS.gemv(trans, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, incX: incX, beta: beta, y: &y, incY: incY)
        }
        let context = "gemv \(S.self) \(trans) m \(m) n \(n) alpha \(alpha) beta \(beta) lda \(lda) inc \(incX),\(incY)"
        let inner = trans == .none ? n : m
        for i in 0..<yCount {
            var sum = 0.0
            var magnitude = 0.0
            for p in 0..<inner {
                let entry = Double(trans == .none ? a[i * lda + p] : a[p * lda + i])
                let product = entry * Double(x[p * incX])
                sum += product
                magnitude += Swift.abs(product)
            }
            let betaTerm = beta == 0 ? 0 : Double(beta) * Double(y0[i * incY])
            let expected = Double(alpha) * sum + betaTerm
            let bound =
                Double(inner + 2) * Double(S.ulpOfOne) * (Swift.abs(Double(alpha)) * magnitude + Swift.abs(betaTerm))
            let actual = Double(y[i * incY])
            if !(Swift.abs(actual - expected) <= bound) {
                XCTFail(
                    "\(context): y[\(i)] = \(actual), expected \(expected) (bound \(bound))", file: file, line: line)
                return
            }
            for gap in 1..<incY where i * incY + gap < y.count {
                XCTAssertEqual(
                    y[i * incY + gap], y0[i * incY + gap], "\(context): stride gap overwritten", file: file, line: line)
            }
        }
    }

    /// Factorizes a random matrix and checks QᵀQ = I, Q·R = A and that R is zero below its diagonal, to
    /// `tolerance` (entries of A are in [-1, 1), so the absolute and relative scales agree).
    private func checkQR<S: BLASScalar>(
        _: S.Type, rows: Int, columns: Int, tolerance: Double, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let a = randomValues(S.self, rows * columns, RandomGenerator(seed: UInt32(rows * 100 + columns)))
        let qr = try QRFactorization(a, rows: rows, columns: columns)
        let k = min(rows, columns)
        let context = "QR \(S.self) \(rows) x \(columns)"
        XCTAssertEqual(qr.rank, k, context, file: file, line: line)
        XCTAssertEqual(qr.q.count, rows * k, context, file: file, line: line)
        XCTAssertEqual(qr.r.count, k * columns, context, file: file, line: line)
        var worstOrthogonality = 0.0
        var worstReconstruction = 0.0
        for i in 0..<k {
            for j in 0..<k {
                let dot = (0..<rows).reduce(0.0) { $0 + Double(qr.q[$1 * k + i]) * Double(qr.q[$1 * k + j]) }
                worstOrthogonality = max(worstOrthogonality, Swift.abs(dot - (i == j ? 1 : 0)))
            }
        }
        for i in 0..<rows {
            for j in 0..<columns {
                let product = (0..<k).reduce(0.0) { $0 + Double(qr.q[i * k + $1]) * Double(qr.r[$1 * columns + j]) }
                worstReconstruction = max(worstReconstruction, Swift.abs(product - Double(a[i * columns + j])))
            }
        }
        XCTAssertLessThanOrEqual(worstOrthogonality, tolerance, "\(context): |QᵀQ - I|", file: file, line: line)
        XCTAssertLessThanOrEqual(worstReconstruction, tolerance, "\(context): |QR - A|", file: file, line: line)
        for i in 0..<k {
            for j in 0..<min(i, columns) where qr.r[i * columns + j] != 0 {
                XCTFail(
                    "\(context): R[\(i)][\(j)] = \(qr.r[i * columns + j]) below the diagonal", file: file, line: line)
            }
        }
    }

    private func randomValues<S: BLASScalar>(_: S.Type, _ count: Int, _ generator: RandomGenerator) -> [S] {
        (0..<count).map { _ in S(generator.uniform(low: -1, high: 1)) }
    }
}
