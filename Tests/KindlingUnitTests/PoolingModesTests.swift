import Kindling
import KindlingTestSupport
import XCTest

// Reference outputs and gradients come from Scripts/reference/torch_pool_modes.py
// (Fixtures/torch_pool_modes.json): F.max_pool2d / F.avg_pool2d with ceil_mode and count_include_pad in
// float64, gradients of sum(output · c) with c = 1, 2, 3, ...

final class PoolingModesTests: XCTestCase {
    private struct Case {
        let kind: String, input: Tensor<Double>, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)
        let ceilMode: Bool, countIncludePad: Bool
        let outputShape: [Int], output: [Double], inputGradient: [Double]

        func pool(_ x: Tensor<Double>) -> Tensor<Double> {
            kind == "max"
                ? maxPool2d(x, kernelSize: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
                : avgPool2d(
                    x, kernelSize: kernel, stride: stride, padding: padding, countIncludePad: countIncludePad,
                    ceilMode: ceilMode)
        }

        func weighted(_ y: Tensor<Double>) -> Tensor<Double> {
            (y * Tensor(shape: y.shape, scalars: (1...y.count).map(Double.init))).sum()
        }
    }

    private func cases() throws -> [Case] {
        let root = try XCTUnwrap(fixture("torch_pool_modes.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_pool_modes.py")
        return try XCTUnwrap(root["cases"] as? [[String: Any]]).map { entry in
            func array<T>(_ key: String) throws -> [T] { try XCTUnwrap(entry[key] as? [T], key) }
            func pair(_ key: String) throws -> (Int, Int) {
                let v: [Int] = try array(key)
                return (v[0], v[1])
            }
            return Case(
                kind: try XCTUnwrap(entry["kind"] as? String),
                input: Tensor(shape: try array("input_shape"), scalars: try array("input")),
                kernel: try pair("kernel"), stride: try pair("stride"), padding: try pair("padding"),
                ceilMode: try XCTUnwrap(entry["ceil_mode"] as? Bool),
                countIncludePad: try XCTUnwrap(entry["count_include_pad"] as? Bool),
                outputShape: try array("output_shape"), output: try array("output"),
                inputGradient: try array("input_gradient"))
        }
    }

    func testCeilModeAndCountIncludePadFollowPyTorch() throws {
        let cases = try cases()
        XCTAssertEqual(cases.count, 10)
        for test in cases {
            let name =
                "\(test.kind) \(test.input.shape) kernel \(test.kernel) stride \(test.stride) padding \(test.padding) ceil \(test.ceilMode) countIncludePad \(test.countIncludePad)"
            let x = test.input.requiringGradient()
            let y = test.pool(x)
            XCTAssertEqual(y.shape, test.outputShape, name)
            assertClose(y.scalars, test.output, tolerance: 1e-14, name)
            test.weighted(y).backward()
            assertClose(x.grad?.scalars ?? [], test.inputGradient, tolerance: 1e-12, "\(name): gradient")
            if test.kind == "avg" {
                let result = gradcheck({ test.weighted(test.pool($0[0])) }, inputs: [test.input])
                XCTAssertTrue(result.passed, "\(name): \(result)")
            }
        }
    }

    func testLayersPassTheModes() {
        let x = Tensor<Double>.randn([1, 1, 5, 5], generator: RandomGenerator(seed: 3))
        XCTAssertEqual(MaxPool2d<Double>(kernelSize: 2, ceilMode: true)(x).shape, [1, 1, 3, 3])
        XCTAssertEqual(MaxPool2d<Double>(kernelSize: 2)(x).shape, [1, 1, 2, 2])
        let average = AvgPool2d<Double>(kernelSize: 3, stride: 2, padding: 1, countIncludePad: false, ceilMode: true)
        XCTAssertEqual(
            average(x).scalars,
            avgPool2d(x, kernelSize: 3, stride: 2, padding: 1, countIncludePad: false, ceilMode: true).scalars)
        let dilated = MaxPool2d<Double>(kernelSize: 2, stride: 1, dilation: 3)
        XCTAssertEqual(dilated(x).shape, [1, 1, 2, 2], "taps 3 apart: a 4 x 4 window")
        XCTAssertEqual(dilated(x).scalars, maxPool2d(x, kernelSize: 2, stride: 1, dilation: 3).scalars)
        let overridden = AvgPool2d<Double>(kernelSize: 2, divisorOverride: 3)
        XCTAssertEqual(overridden(x).scalars, avgPool2d(x, kernelSize: 2, divisorOverride: 3).scalars)
        assertClose(
            overridden(x).scalars.map { $0 * 3 / 4 }, AvgPool2d<Double>(kernelSize: 2)(x).scalars, tolerance: 1e-15,
            "the sums over 3, not over the 4 taps")
    }
}
