import Kindling
import XCTest

// Tensor.matmul against a naive loop written here. The operands hold small integers (|x| <= 8) and the
// inner dimensions are short, so every partial sum is an integer far below 2^24: GEMM's result is exact in
// Float and in Double whatever its summation order, and the comparisons are exact (==).
final class MatmulTests: XCTestCase {
    func testTwoDimensionalProductsWithEveryTransposeFlag() {
        for (m, k, n) in [(3, 4, 5), (1, 7, 1), (6, 1, 3), (1, 5, 4), (4, 5, 1), (17, 33, 9)] {
            for (transposeLeft, transposeRight) in [(false, false), (true, false), (false, true), (true, true)] {
                check(
                    Float.self, lhs: transposeLeft ? [k, m] : [m, k], rhs: transposeRight ? [n, k] : [k, n],
                    transposingLeft: transposeLeft, transposingRight: transposeRight, expectedShape: [m, n])
                check(
                    Double.self, lhs: transposeLeft ? [k, m] : [m, k], rhs: transposeRight ? [n, k] : [k, n],
                    transposingLeft: transposeLeft, transposingRight: transposeRight, expectedShape: [m, n])
            }
        }
    }

    func testBatchedProductsWithEveryTransposeFlag() {
        for (transposeLeft, transposeRight) in [(false, false), (true, false), (false, true), (true, true)] {
            let lhs = transposeLeft ? [3, 4, 2] : [3, 2, 4]
            let rhs = transposeRight ? [3, 5, 4] : [3, 4, 5]
            check(
                Float.self, lhs: lhs, rhs: rhs, transposingLeft: transposeLeft, transposingRight: transposeRight,
                expectedShape: [3, 2, 5])
            check(
                Double.self, lhs: lhs, rhs: rhs, transposingLeft: transposeLeft, transposingRight: transposeRight,
                expectedShape: [3, 2, 5])
        }
    }

    func testBatchOfOneAndTwoDimensionalOperandsAreSharedAcrossTheBatch() {
        // (lhs, rhs, result): a batch of 1 on either side, and a 2-D operand against a 3-D one, both ways.
        let cases: [([Int], [Int], [Int])] = [
            ([1, 3, 4], [5, 4, 2], [5, 3, 2]), ([5, 3, 4], [1, 4, 2], [5, 3, 2]),
            ([3, 4], [5, 4, 2], [5, 3, 2]), ([5, 3, 4], [4, 2], [5, 3, 2]), ([1, 3, 4], [1, 4, 2], [1, 3, 2]),
            ([1, 3, 4], [4, 2], [1, 3, 2]),
        ]
        for (lhs, rhs, result) in cases {
            check(Float.self, lhs: lhs, rhs: rhs, expectedShape: result)
            check(Double.self, lhs: lhs, rhs: rhs, expectedShape: result)
        }
        // With the flags: x (4 x 3) transposed against a batch of w (2 x 4) transposed.
        check(
            Double.self, lhs: [4, 3], rhs: [5, 2, 4], transposingLeft: true, transposingRight: true,
            expectedShape: [5, 3, 2])
        check(Float.self, lhs: [1, 4, 3], rhs: [5, 4, 2], transposingLeft: true, expectedShape: [5, 3, 2])
        check(Float.self, lhs: [5, 3, 4], rhs: [1, 2, 4], transposingRight: true, expectedShape: [5, 3, 2])
    }

    func testEmptyInnerDimensionGivesZeros() {
        let product = Tensor<Double>(shape: [2, 0], scalars: []).matmul(Tensor(shape: [0, 3], scalars: []))
        XCTAssertEqual(product.shape, [2, 3])
        XCTAssertEqual(product.scalars, [0, 0, 0, 0, 0, 0])
        let batched = Tensor.matmul(
            Tensor<Float>(shape: [2, 0, 2], scalars: []), Tensor(shape: [3, 0], scalars: []),
            transposingLeft: true, transposingRight: true)
        XCTAssertEqual(batched.shape, [2, 2, 3])
        XCTAssertEqual(batched.scalars, [Float](repeating: 0, count: 12))
    }

    func testMethodFunctionAndStaticFormsAgree() {
        let generator = RandomGenerator(seed: 5)
        let a = Tensor<Double>.randn([3, 4], generator: generator)
        let b = Tensor<Double>.randn([4, 2], generator: generator)
        XCTAssertEqual(a.matmul(b).scalars, matmul(a, b).scalars)
        XCTAssertEqual(a.matmul(b).scalars, Tensor.matmul(a, b).scalars)
    }

    func testGradientsOfSharedAndTransposedBatchOperands() {
        // A shared operand receives the sum of its gradients over the batch (the 2-D forms are in AutogradTests).
        let generator = RandomGenerator(seed: 9)
        func randn(_ shape: [Int]) -> Tensor<Double> { Tensor.randn(shape, generator: generator) }
        let cases: [([Tensor<Double>], ([Tensor<Double>]) -> Tensor<Double>)] = [
            ([randn([1, 3, 4]), randn([2, 4, 2])], { $0[0].matmul($0[1]) }),
            ([randn([2, 3, 4]), randn([1, 4, 2])], { $0[0].matmul($0[1]) }),
            ([randn([3, 4]), randn([2, 4, 2])], { $0[0].matmul($0[1]) }),
            (
                [randn([4, 3]), randn([2, 2, 4])],
                { Tensor.matmul($0[0], $0[1], transposingLeft: true, transposingRight: true) }
            ),
            ([randn([2, 4, 3]), randn([4, 2])], { Tensor.matmul($0[0], $0[1], transposingLeft: true) }),
            ([randn([2, 3, 4]), randn([2, 2, 4])], { Tensor.matmul($0[0], $0[1], transposingRight: true) }),
        ]
        for (inputs, function) in cases {
            let result = gradcheck(function, inputs: inputs)
            XCTAssertTrue(result.passed, "\(inputs.map(\.shape)): \(result.description)")
        }
    }

    // MARK: - Reference

    /// Multiplies random small-integer operands of the given shapes with Tensor.matmul and compares shape
    /// and values with `naiveProduct`.
    private func check<S: TensorScalar>(
        _: S.Type, lhs lhsShape: [Int], rhs rhsShape: [Int], transposingLeft: Bool = false,
        transposingRight: Bool = false, expectedShape: [Int], file: StaticString = #filePath, line: UInt = #line
    ) {
        let generator = RandomGenerator(seed: UInt32(lhsShape.count * 1000 + rhsShape.reduce(0, +)))
        let lhs = Tensor<S>(
            shape: lhsShape, scalars: (0..<lhsShape.reduce(1, *)).map { _ in S(generator.randint(low: -8, high: 9)) })
        let rhs = Tensor<S>(
            shape: rhsShape, scalars: (0..<rhsShape.reduce(1, *)).map { _ in S(generator.randint(low: -8, high: 9)) })
        let product = Tensor.matmul(lhs, rhs, transposingLeft: transposingLeft, transposingRight: transposingRight)
        let context = "\(S.self) \(lhsShape)\(transposingLeft ? "ᵀ" : "") · \(rhsShape)\(transposingRight ? "ᵀ" : "")"
        XCTAssertEqual(product.shape, expectedShape, context, file: file, line: line)
        XCTAssertEqual(
            product.scalars, naiveProduct(lhs, transposingLeft, rhs, transposingRight), context, file: file, line: line)
    }

    /// The batched product by the definition: out[b][i][j] = Σₚ op(A)[b][i][p] op(B)[b][p][j], where a 2-D
    /// operand or a batch of 1 serves every batch index and op swaps the last two axes when asked.
    private func naiveProduct<S: TensorScalar>(_ a: Tensor<S>, _ transposeA: Bool, _ b: Tensor<S>, _ transposeB: Bool)
        -> [S]
    {
        func element(_ t: Tensor<S>, _ transposed: Bool, batch: Int, row: Int, column: Int) -> S {
            let rows = t.shape[t.rank - 2]
            let columns = t.shape[t.rank - 1]
            let base = t.rank == 3 && t.shape[0] > 1 ? batch * rows * columns : 0
            return transposed ? t.scalars[base + column * columns + row] : t.scalars[base + row * columns + column]
        }
        let m = a.shape[a.rank - (transposeA ? 1 : 2)]
        let k = a.shape[a.rank - (transposeA ? 2 : 1)]
        let n = b.shape[b.rank - (transposeB ? 2 : 1)]
        let batches = max(a.rank == 3 ? a.shape[0] : 1, b.rank == 3 ? b.shape[0] : 1)
        var result = [S]()
        for batch in 0..<batches {
            for i in 0..<m {
                for j in 0..<n {
                    var sum: S = 0
                    for p in 0..<k {
                        sum +=
                            element(a, transposeA, batch: batch, row: i, column: p)
                            * element(b, transposeB, batch: batch, row: p, column: j)
                    }
                    result.append(sum)
                }
            }
        }
        return result
    }
}
