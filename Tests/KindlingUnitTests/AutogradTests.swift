import Kindling
import KindlingTestSupport
import XCTest

final class AutogradTests: XCTestCase {
    let generator = RandomGenerator(seed: 7)

    func check(
        _ inputs: [Tensor<Double>], file: StaticString = #filePath, line: UInt = #line,
        _ function: @escaping ([Tensor<Double>]) -> Tensor<Double>
    ) {
        let result = gradcheck(function, inputs: inputs)
        XCTAssertTrue(result.passed, result.description, file: file, line: line)
    }

    func randn(_ shape: [Int]) -> Tensor<Double> { Tensor.randn(shape, generator: generator) }

    func testArithmeticWithBroadcasting() {
        check([randn([3, 4]), randn([4])]) { $0[0] + $0[1] }
        check([randn([3, 4]), randn([3, 1])]) { $0[0] - $0[1] }
        check([randn([2, 1, 4]), randn([3, 1])]) { $0[0] * $0[1] }
        check([randn([3, 4]), randn([4]) + 3]) { $0[0] / $0[1] }
        check([randn([3])]) { -$0[0] * 2 + 1 }
        check([randn([3]) + 4]) { 2 / $0[0] - 1 }
        check([randn([2, 3])]) { 3 - $0[0] / 4 }
    }

    func testMatmulPlainTransposedAndBatched() {
        check([randn([3, 4]), randn([4, 2])]) { $0[0].matmul($0[1]) }
        check([randn([4, 3]), randn([4, 2])]) { Tensor.matmul($0[0], $0[1], transposingLeft: true) }
        check([randn([3, 4]), randn([2, 4])]) { Tensor.matmul($0[0], $0[1], transposingRight: true) }
        check([randn([4, 3]), randn([2, 4])]) {
            Tensor.matmul($0[0], $0[1], transposingLeft: true, transposingRight: true)
        }
        check([randn([2, 3, 4]), randn([2, 4, 5])]) { $0[0].matmul($0[1]) }
        check([randn([2, 3, 4]), randn([4, 5])]) { $0[0].matmul($0[1]) }
        check([randn([1, 3]), randn([3, 1])]) { $0[0].matmul($0[1]) }
    }

    func testFusedLinearWithAndWithoutBias() {
        check([randn([5, 3]), randn([4, 3]), randn([4])]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        check([randn([5, 3]), randn([4, 3])]) { linear($0[0], weight: $0[1]) }
        check([randn([2, 5, 3]), randn([4, 3]), randn([4])]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        check([randn([1, 1]), randn([1, 1]), randn([1])]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        // The same values as the composed form x Wᵀ + b.
        let x = randn([6, 3])
        let w = randn([2, 3])
        let b = randn([2])
        assertClose(
            linear(x, weight: w, bias: b).scalars,
            (Tensor.matmul(x, w, transposingRight: true) + b).scalars, tolerance: 1e-14)
    }

    func testRowBroadcastingInBothOperandOrders() {
        check([randn([4, 3]), randn([1, 3])]) { $0[1] - $0[0] }
        check([randn([2, 2, 3]), randn([3])]) { $0[1] / ($0[0] * $0[0] + 1) }
        let a = Tensor<Double>([[1, 2], [3, 4], [5, 6]])
        let row = Tensor<Double>([10, 100])
        XCTAssertEqual((row - a).scalars, [9, 98, 7, 96, 5, 94])
        XCTAssertEqual((a - row).scalars, [-9, -98, -7, -96, -5, -94])
    }

    func testReductions() {
        check([randn([3, 4])]) { $0[0].sum() }
        check([randn([3, 4, 2])]) { $0[0].sum(alongAxes: [0, 2]) }
        check([randn([3, 4])]) { $0[0].mean(alongAxis: 1, keepingDims: true) }
        check([randn([3, 4])]) { $0[0].max(alongAxis: 1) }
        check([randn([3, 4])]) { $0[0].min(alongAxis: 0) }
        check([randn([3, 4])]) { $0[0].broadcast(to: [2, 3, 4]) }
    }

    func testShapeOperations() {
        check([randn([2, 3, 4])]) { $0[0].permuted([2, 0, 1]) * Tensor.arange(0, 24).reshaped([4, 2, 3]) }
        check([randn([2, 6])]) { $0[0].reshaped([3, 4]).transposed() }
        check([randn([2, 3]), randn([2, 2])]) { Tensor.concatenate([$0[0], $0[1]], alongAxis: 1) }
        check([randn([2, 3]), randn([2, 3])]) { Tensor.stack([$0[0], $0[1]], alongAxis: 1) }
        check([randn([4, 3])]) { $0[0].gatheringRows([3, 0, 3]) }
        check([randn([4, 3])]) { $0[0].slice(alongAxis: 1, 1..<3) }
        check([randn([2, 3, 2])]) { $0[0].flattened().unsqueezed(at: 0).squeezed(at: 0) }
    }

    func testElementwiseFunctions() {
        check([randn([5])]) { exp($0[0]) }
        check([abs(randn([5])) + 0.5]) { log($0[0]) }
        check([abs(randn([5])) + 0.5]) { sqrt($0[0]) }
        check([abs(randn([5])) + 0.5]) { pow($0[0], 2.5) }
        check([Tensor([-1.5, -0.2, 0.3, 2])]) { abs($0[0]) }
        check([randn([5])]) { tanh($0[0]) }
        check([Tensor([-1.5, -0.2, 0.3, 2])]) { clamp($0[0], min: -1, max: 1) }
    }

    func testGradientsAccumulateAcrossBackwardCallsAndReadOnLeaves() {
        let w = Tensor<Double>([1, 2, 3]).requiringGradient()
        let x = Tensor<Double>([4, 5, 6])
        (w * x).sum().backward()
        XCTAssertEqual(w.grad?.scalars, [4, 5, 6])
        (w * w).sum().backward()
        XCTAssertEqual(w.grad?.scalars, [6, 9, 12])
        w.grad = nil
        XCTAssertNil(w.grad)
    }

    func testAccumulationInPlaceLeavesEarlierGradientsAndSharedOnesAlone() {
        // backward() adds gradients into an unshared total in place; a gradient someone still holds, or
        // one that flows to two inputs at once (x + x passes the same gradient to both), must not change.
        let x = Tensor<Double>([1, 2]).requiringGradient()
        (x * x).sum().backward()
        let first = x.grad
        (x * x).sum().backward()
        XCTAssertEqual(first?.scalars, [2, 4])
        XCTAssertEqual(x.grad?.scalars, [4, 8])
        let upstream = Tensor<Double>([1, 10])
        let y = Tensor<Double>([3, 4]).requiringGradient()
        let z = y + y
        z.backward(upstream)
        XCTAssertEqual(y.grad?.scalars, [2, 20])
        XCTAssertEqual(upstream.scalars, [1, 10])
    }

    func testSharedSubexpressionReceivesBothGradients() {
        let x = Tensor<Double>([3]).requiringGradient()
        let y = x * x
        (y + y * x).sum().backward()
        // d/dx (x^2 + x^3) = 2x + 3x^2 = 33
        XCTAssertEqual(x.grad?.scalars, [33])
    }

    func testNoGradientScopeRecordsNothing() {
        let w = Tensor<Double>([1, 2]).requiringGradient()
        let y = withoutGradient { w * 2 }
        XCTAssertFalse(y.requiresGradient)
        XCTAssertTrue((w * 2).requiresGradient)
    }

    func testGraphIsReleasedAfterBackward() {
        let before = Autograd.liveNodeCount
        do {
            let w = Tensor<Double>([1, 2, 3]).requiringGradient()
            var loss = (w * w).sum()
            for _ in 0..<10 { loss = loss + (w * 3).sum() }
            XCTAssertGreaterThan(Autograd.liveNodeCount, before + 20)
            loss.backward()
        }
        XCTAssertEqual(Autograd.liveNodeCount, before)
    }

    func testRetainGraphAllowsASecondBackward() {
        let w = Tensor<Double>([2]).requiringGradient()
        let loss = (w * w).sum()
        loss.backward(retainGraph: true)
        loss.backward()
        XCTAssertEqual(w.grad?.scalars, [8])
    }

    func testGradcheckDetectsAWrongGradient() {
        // A function whose recorded derivative is deliberately wrong must fail the check.
        let result = gradcheck(
            { x in x[0].elementwise("wrong square", { $0 * $0 }) { x, _ in 3 * x } },
            inputs: [Tensor([0.5, 1.5])])
        XCTAssertFalse(result.passed, result.description)
    }
}
