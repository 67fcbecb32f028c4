import Kindling
import KindlingTestSupport
import XCTest

// Reference values come from Scripts/reference/torch_loss_pool_options.py
// (Fixtures/torch_loss_pool_options.json): float64 F.nll_loss with weight and ignore_index, F.cross_entropy and
// F.nll_loss on (N, C, d1, ...) inputs, F.avg_pool2d with divisor_override and F.max_pool2d with dilation and
// return_indices; gradients of sum(loss · c) (c = 1, 2, ... for reduction 'none') and of sum(output · c).

final class LossAndPoolingOptionTests: XCTestCase {
    private func root() throws -> [String: Any] {
        let root = try XCTUnwrap(fixture("torch_loss_pool_options.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_loss_pool_options.py")
        return root
    }

    private func weighted(_ y: Tensor<Double>) -> Tensor<Double> {
        (y * Tensor(shape: y.shape, scalars: (1...y.count).map(Double.init))).sum()
    }

    func testWeightedLossesAndPerPositionTargetsFollowPyTorch() throws {
        let cases = try XCTUnwrap(try root()["losses"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 9)
        for entry in cases {
            let function = try XCTUnwrap(entry["function"] as? String)
            let shape = try XCTUnwrap(entry["input_shape"] as? [Int])
            let targets = try XCTUnwrap(entry["target"] as? [Int])
            let weight = (entry["weight"] as? [Double]).map { Tensor($0) }
            let ignoreIndex = entry["ignore_index"] as? Int
            let reductionName = try XCTUnwrap(entry["reduction"] as? String)
            let reduction: Reduction = reductionName == "none" ? .none : reductionName == "sum" ? .sum : .mean
            let name =
                "\(function) \(shape) weight \(weight != nil) ignore \(String(describing: ignoreIndex)) \(reductionName)"
            func loss(_ x: Tensor<Double>) -> Tensor<Double> {
                let value =
                    function == "nll"
                    ? negativeLogLikelihood(
                        x, classIndices: targets, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
                    : crossEntropy(
                        x, classIndices: targets, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
                return reduction == .none ? weighted(value) : value
            }
            let input = Tensor(shape: shape, scalars: try XCTUnwrap(entry["input"] as? [Double]))
            let x = input.requiringGradient()
            let value =
                function == "nll"
                ? negativeLogLikelihood(
                    x, classIndices: targets, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
                : crossEntropy(x, classIndices: targets, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
            XCTAssertEqual(value.shape, try XCTUnwrap(entry["loss_shape"] as? [Int]), name)
            assertClose(value.scalars, try XCTUnwrap(entry["loss"] as? [Double]), tolerance: 1e-13, name)
            (reduction == .none ? weighted(value) : value).backward()
            assertClose(
                x.grad?.scalars ?? [], try XCTUnwrap(entry["input_gradient"] as? [Double]), tolerance: 1e-13,
                "\(name): gradient")
            let result = gradcheck({ loss($0[0]) }, inputs: [input])
            XCTAssertTrue(result.passed, "\(name): \(result)")
        }
    }

    func testUnweightedOverloadsTakePerPositionTargets() {
        let logits = Tensor<Double>.randn([2, 3, 2, 2], generator: RandomGenerator(seed: 1))
        let targets = [0, 1, 2, 1, 2, 0, 0, 1]
        XCTAssertEqual(
            crossEntropy(logits, classIndices: targets).scalars,
            crossEntropy(logits, classIndices: targets, weight: nil, ignoreIndex: nil).scalars)
        let logProbabilities = logSoftmax(logits, alongAxis: 1)
        assertClose(
            negativeLogLikelihood(logProbabilities, classIndices: targets, reduction: .none).scalars,
            crossEntropy(logits, classIndices: targets, reduction: .none).scalars, tolerance: 1e-15)
    }

    func testPoolingOptionsFollowPyTorch() throws {
        let cases = try XCTUnwrap(try root()["poolings"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 5)
        for entry in cases {
            func pair(_ key: String) throws -> (Int, Int) {
                let v = try XCTUnwrap(entry[key] as? [Int], key)
                return (v[0], v[1])
            }
            let kind = try XCTUnwrap(entry["kind"] as? String)
            let (kernel, stride, padding, dilation) = (
                try pair("kernel"), try pair("stride"), try pair("padding"), try pair("dilation")
            )
            let ceilMode = try XCTUnwrap(entry["ceil_mode"] as? Bool)
            let countIncludePad = try XCTUnwrap(entry["count_include_pad"] as? Bool)
            let divisor = entry["divisor_override"] as? Int
            let name =
                "\(kind) kernel \(kernel) stride \(stride) padding \(padding) dilation \(dilation) divisor \(String(describing: divisor))"
            func pool(_ x: Tensor<Double>) -> Tensor<Double> {
                kind == "avg"
                    ? avgPool2d(
                        x, kernelSize: kernel, stride: stride, padding: padding, countIncludePad: countIncludePad,
                        ceilMode: ceilMode, divisorOverride: divisor)
                    : maxPool2d(
                        x, kernelSize: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
            }
            let input = Tensor(
                shape: try XCTUnwrap(entry["input_shape"] as? [Int]),
                scalars: try XCTUnwrap(entry["input"] as? [Double]))
            let x = input.requiringGradient()
            let y = pool(x)
            XCTAssertEqual(y.shape, try XCTUnwrap(entry["output_shape"] as? [Int]), name)
            assertClose(y.scalars, try XCTUnwrap(entry["output"] as? [Double]), tolerance: 1e-14, name)
            weighted(y).backward()
            assertClose(
                x.grad?.scalars ?? [], try XCTUnwrap(entry["input_gradient"] as? [Double]), tolerance: 1e-13,
                "\(name): gradient")
            let result = gradcheck({ self.weighted(pool($0[0])) }, inputs: [input])
            XCTAssertTrue(result.passed, "\(name): \(result)")
            if kind == "max" {
                let (output, indices) = maxPool2dWithIndices(
                    input, kernelSize: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
                XCTAssertEqual(output.scalars, y.scalars, name)
                XCTAssertEqual(indices, try XCTUnwrap(entry["indices"] as? [Int]), name)
            }
        }
    }
}
