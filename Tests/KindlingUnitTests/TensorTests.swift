import Kindling
import XCTest

final class TensorTests: XCTestCase {
    func testBroadcastingAddsRowAndColumnVectors() {
        let a = Tensor<Double>([[1, 2, 3], [4, 5, 6]])
        let row = Tensor<Double>([10, 20, 30])
        let column = Tensor<Double>([[100], [200]])
        XCTAssertEqual((a + row).scalars, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual((a + column).scalars, [101, 102, 103, 204, 205, 206])
        XCTAssertEqual((row + column).shape, [2, 3])
        XCTAssertEqual((row + column).scalars, [110, 120, 130, 210, 220, 230])
        XCTAssertEqual((a * 2).scalars, [2, 4, 6, 8, 10, 12])
        XCTAssertEqual((1 - a).scalars, [0, -1, -2, -3, -4, -5])
    }

    func testBroadcastingThreeDimensions() {
        let a = Tensor<Float>(shape: [2, 1, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor<Float>(shape: [4, 1], scalars: [0, 10, 20, 30])
        let c = a - b
        XCTAssertEqual(c.shape, [2, 4, 3])
        XCTAssertEqual(c[1, 2, 0], 4 - 20)
        XCTAssertEqual(c[0, 3, 2], 3 - 30)
    }

    func testBroadcastShapeRulesAndErrorNamesBothShapes() {
        XCTAssertEqual(Shape.broadcast([8, 1, 6, 1], [7, 1, 5]), [8, 7, 6, 5])
        XCTAssertEqual(Shape.broadcast([5, 4], [1]), [5, 4])
        XCTAssertEqual(Shape.broadcast([], [3]), [3])
    }

    func testReductionsAlongAxes() {
        let a = Tensor<Double>(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
        XCTAssertEqual(a.sum().scalar, 21)
        XCTAssertEqual(a.sum(alongAxis: 0).scalars, [5, 7, 9])
        XCTAssertEqual(a.sum(alongAxis: 1).scalars, [9, 12])
        XCTAssertEqual(a.sum(alongAxis: 1, keepingDims: true).shape, [2, 1])
        XCTAssertEqual(a.mean(alongAxis: -1).scalars, [3, 4])
        XCTAssertEqual(a.max(alongAxis: 0).scalars, [4, 5, 6])
        XCTAssertEqual(a.min(alongAxis: 1).scalars, [1, 2])
        XCTAssertEqual(a.max().scalar, 6)
        XCTAssertEqual(a.argmax(alongAxis: 1), [1, 2])
        XCTAssertEqual(a.argmax(alongAxis: 0), [1, 0, 1])
        let b = Tensor<Double>(shape: [2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(b.sum(alongAxes: [0, 2]).scalars, [14, 22])
        XCTAssertEqual(b.sum(alongAxes: [1], keepingDims: true).scalars, [4, 6, 12, 14])
    }

    func testShapeOperations() {
        let a = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(a.transposed().scalars, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(a.reshaped([3, -1]).shape, [3, 2])
        XCTAssertEqual(a.unsqueezed(at: 0).shape, [1, 2, 3])
        XCTAssertEqual(a.unsqueezed(at: -1).shape, [2, 3, 1])
        XCTAssertEqual(a.unsqueezed(at: 1).squeezed().shape, [2, 3])
        let b = Tensor<Double>(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))
        let p = b.permuted([2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        XCTAssertEqual(p[3, 1, 2], b[1, 2, 3])
        XCTAssertEqual(b.flattened().shape, [2, 12])
        let c = Tensor.concatenate([a, a * 10], alongAxis: 1)
        XCTAssertEqual(c.scalars, [1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60])
        XCTAssertEqual(Tensor.stack([a, a], alongAxis: 0).shape, [2, 2, 3])
        XCTAssertEqual(a.gatheringRows([1, 1, 0]).scalars, [4, 5, 6, 4, 5, 6, 1, 2, 3])
    }

    func testCreation() {
        XCTAssertEqual(Tensor<Double>.arange(0, 5).scalars, [0, 1, 2, 3, 4])
        XCTAssertEqual(Tensor<Double>.linspace(0, 1, count: 5).scalars, [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(Tensor<Double>.linspace(0, 1, count: 4, endpoint: false).scalars, [0, 0.25, 0.5, 0.75])
        XCTAssertEqual(Tensor<Float>.eye(2, 3).scalars, [1, 0, 0, 0, 1, 0])
        XCTAssertEqual(Tensor<Float>.full([2], 7).scalars, [7, 7])
    }

    func testElementwiseFunctionsAndMasks() {
        let a = Tensor<Double>([-2, 0.5, 4])
        XCTAssertEqual(clamp(a, min: 0, max: 1).scalars, [0, 0.5, 1])
        XCTAssertEqual(abs(a).scalars, [2, 0.5, 4])
        XCTAssertEqual(sqrt(Tensor<Double>([4, 9])).scalars, [2, 3])
        XCTAssertEqual(pow(a, 2).scalars, [4, 0.25, 16])
        XCTAssertEqual((a .> 0).scalars, [0, 1, 1])
        XCTAssertEqual((a .<= 0.5).scalars, [1, 1, 0])
        XCTAssertEqual(exp(Tensor<Double>([0])).scalars, [1])
        XCTAssertEqual(log(Tensor<Double>([1])).scalars, [0])
    }

    func testDescriptionShowsShapeAndValues() {
        let text = Tensor<Double>([[1, 2], [3, 4]]).description
        XCTAssertTrue(text.contains("shape: [2, 2]"), text)
        XCTAssertTrue(text.contains("[[1.0, 2.0],\n [3.0, 4.0]]"), text)
    }
}
