import Kindling
import KindlingTestSupport
import XCTest

// Reference products and gradients come from Scripts/reference/torch_matmul.py (Fixtures/torch_matmul.json):
// torch.matmul on 1-D and N-D operands in float64, gradients of sum(product²).

final class MatmulRulesTests: XCTestCase {
    private struct Case {
        let lhs: Tensor<Double>, rhs: Tensor<Double>
        let transposeLHS: Bool, transposeRHS: Bool
        let productShape: [Int], product: [Double], lhsGradient: [Double], rhsGradient: [Double]
    }

    private func cases() throws -> [Case] {
        let root = try XCTUnwrap(fixture("torch_matmul.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_matmul.py")
        return try XCTUnwrap(root["cases"] as? [[String: Any]]).map { entry in
            func array<T>(_ key: String) throws -> [T] { try XCTUnwrap(entry[key] as? [T], key) }
            return Case(
                lhs: Tensor(shape: try array("lhs_shape"), scalars: try array("lhs")),
                rhs: Tensor(shape: try array("rhs_shape"), scalars: try array("rhs")),
                transposeLHS: try XCTUnwrap(entry["transpose_lhs"] as? Bool),
                transposeRHS: try XCTUnwrap(entry["transpose_rhs"] as? Bool),
                productShape: try array("product_shape"), product: try array("product"),
                lhsGradient: try array("lhs_gradient"), rhsGradient: try array("rhs_gradient"))
        }
    }

    func testProductsAndGradientsFollowPyTorch() throws {
        let cases = try cases()
        XCTAssertEqual(cases.count, 16)
        for test in cases {
            let name =
                "\(test.lhs.shape)\(test.transposeLHS ? "ᵀ" : "") @ \(test.rhs.shape)\(test.transposeRHS ? "ᵀ" : "")"
            let lhs = test.lhs.requiringGradient()
            let rhs = test.rhs.requiringGradient()
            let product = Tensor.matmul(
                lhs, rhs, transposingLeft: test.transposeLHS, transposingRight: test.transposeRHS)
            XCTAssertEqual(product.shape, test.productShape, name)
            assertClose(product.scalars, test.product, tolerance: 1e-12, name)
            (product * product).sum().backward()
            assertClose(lhs.grad?.scalars ?? [], test.lhsGradient, tolerance: 1e-11, "\(name): lhs gradient")
            assertClose(rhs.grad?.scalars ?? [], test.rhsGradient, tolerance: 1e-11, "\(name): rhs gradient")
        }
    }

    func testGradcheckOnEveryRule() throws {
        for test in try cases() {
            let result = gradcheck(
                { inputs in
                    let product = Tensor.matmul(
                        inputs[0], inputs[1], transposingLeft: test.transposeLHS,
                        transposingRight: test.transposeRHS)
                    return (product * product).sum()
                }, inputs: [test.lhs, test.rhs])
            XCTAssertTrue(result.passed, "\(test.lhs.shape) @ \(test.rhs.shape): \(result)")
        }
    }

    func testFloatFollowsDouble() throws {
        for test in try cases() {
            let lhs = Tensor<Float>(shape: test.lhs.shape, scalars: test.lhs.scalars.map(Float.init))
            let rhs = Tensor<Float>(shape: test.rhs.shape, scalars: test.rhs.scalars.map(Float.init))
            let product = Tensor.matmul(
                lhs, rhs, transposingLeft: test.transposeLHS, transposingRight: test.transposeRHS)
            assertClose(product.scalars, test.product.map(Float.init), tolerance: 1e-4)
        }
    }

    func testVectorDotProductIsAScalarAndTheFreeFunctionAgrees() {
        let product = matmul(Tensor<Double>([1, 2, 3]), Tensor<Double>([4, 5, 6]))
        XCTAssertEqual(product.shape, [])
        XCTAssertEqual(product.scalars, [32])
        XCTAssertEqual(Tensor<Double>([1, 2]).matmul(Tensor([[1, 0], [0, 1]])).scalars, [1, 2])
    }
}
