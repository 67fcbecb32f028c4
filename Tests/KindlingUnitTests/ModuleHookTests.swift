import Kindling
import KindlingTestSupport
import XCTest

/// Forward and backward hooks (PyTorch's register_forward_hook / register_full_backward_hook).
final class ModuleHookTests: XCTestCase {
    func testForwardHookSeesInputAndOutputUntilRemoved() {
        let linear = Linear<Double>(2, 3, generator: RandomGenerator(seed: 0))
        let model = Sequential<Double>(linear, ReLU())
        var seen: [(input: [Double], output: [Double], isTheLayer: Bool)] = []
        let handle = linear.registerForwardHook { module, input, output in
            seen.append((input.scalars, output.scalars, module === linear))
        }
        let x = Tensor<Double>([[1, -2]])
        let y = model(x)
        XCTAssertEqual(seen.count, 1)
        XCTAssertEqual(seen[0].input, [1, -2])
        XCTAssertEqual(seen[0].output, linear(x).scalars)
        XCTAssertTrue(seen[0].isTheLayer)
        XCTAssertEqual(y.scalars, relu(linear(x)).scalars, "a hook observes; the result is unchanged")
        _ = linear(x)
        XCTAssertEqual(seen.count, 1, "a bare callAsFunction is PyTorch's forward: no hooks")
        handle.remove()
        handle.remove()
        _ = model(x)
        XCTAssertEqual(seen.count, 1)
    }

    func testHooksRunInRegistrationOrder() {
        let tanhLayer = Tanh<Double>()
        var order: [String] = []
        let first = tanhLayer.registerForwardHook { _, _, _ in order.append("first") }
        let second = tanhLayer.registerForwardHook { _, _, _ in order.append("second") }
        _ = tanhLayer.callWithHooks(Tensor([0.5]))
        XCTAssertEqual(order, ["first", "second"])
        first.remove()
        _ = tanhLayer.callWithHooks(Tensor([0.5]))
        XCTAssertEqual(order, ["first", "second", "second"])
        second.remove()
    }

    /// y = tanh(x Wᵀ + b), loss = Σ c·y: the gradient at the Linear's output is c·(1 - y²), at its
    /// input that times W, computed here by hand.
    func testBackwardHookGetsTheGradientsOfInputAndOutput() {
        let linear = Linear<Double>(3, 2, generator: RandomGenerator(seed: 4))
        let model = Sequential<Double>(linear, Tanh())
        var received: [(input: Tensor<Double>?, output: Tensor<Double>)] = []
        let handle = linear.registerBackwardHook { _, inputGradient, outputGradient in
            received.append((inputGradient, outputGradient))
        }
        defer { handle.remove() }
        let x = Tensor<Double>([[0.5, -1, 2]]).requiringGradient()
        let c = Tensor<Double>([[3, -2]])
        (model(x) * c).sum().backward()
        XCTAssertEqual(received.count, 1)

        let w = linear.weight.value.scalars
        let b = linear.bias!.value.scalars
        let z = (0..<2).map { j in (0..<3).reduce(b[j]) { $0 + x.scalars[$1] * w[j * 3 + $1] } }
        let outputGradient = (0..<2).map { j in c.scalars[j] * (1 - Foundation.tanh(z[j]) * Foundation.tanh(z[j])) }
        let inputGradient = (0..<3).map { i in (0..<2).reduce(0.0) { $0 + outputGradient[$1] * w[$1 * 3 + i] } }
        assertClose(received[0].output.scalars, outputGradient, tolerance: 1e-14)
        XCTAssertEqual(received[0].output.shape, [1, 2])
        assertClose(try! XCTUnwrap(received[0].input).scalars, inputGradient, tolerance: 1e-14)
        assertClose(x.grad!.scalars, inputGradient, tolerance: 1e-14, "the hook leaves the gradients as they are")

        // An input that does not require gradients: the hook gets nil for it, as PyTorch's None.
        (model(Tensor([[0.5, -1, 2]])) * c).sum().backward()
        XCTAssertEqual(received.count, 2)
        XCTAssertNil(received[1].input)
        assertClose(received[1].output.scalars, outputGradient, tolerance: 1e-14)
    }

    func testHooksOfAFreedModuleDoNotReachANewOne() {
        var fired = 0
        do {
            let old = ReLU<Double>()
            old.registerForwardHook { _, _, _ in fired += 1 }
        }
        for _ in 0..<10 {
            _ = ReLU<Double>().callWithHooks(Tensor([1]))
        }
        XCTAssertEqual(fired, 0)
    }
}
