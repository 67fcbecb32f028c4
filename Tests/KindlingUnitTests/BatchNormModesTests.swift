import Kindling
import KindlingTestSupport
import XCTest

// Reference values come from Scripts/reference/torch_batchnorm_modes.py (Fixtures/torch_batchnorm_modes.json):
// nn.BatchNorm1d/2d in float64 with momentum=None and with track_running_stats=False, several training
// steps then one in eval mode; gradients of sum(output³).

final class BatchNormModesTests: XCTestCase {
    private func layer(_ name: String) -> BatchNorm<Double> {
        switch name {
        case "cumulative_1d": return BatchNorm1d(3, momentum: nil)
        case "cumulative_2d": return BatchNorm2d(2, epsilon: 1e-3, momentum: nil)
        case "untracked_1d": return BatchNorm1d(3, trackRunningStatistics: false)
        default: return BatchNorm2d(2, affine: false, trackRunningStatistics: false)
        }
    }

    func testCumulativeAverageAndUntrackedStatisticsFollowPyTorch() throws {
        let root = try XCTUnwrap(fixture("torch_batchnorm_modes.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_batchnorm_modes.py")
        let cases = try XCTUnwrap(root["cases"] as? [String: [String: Any]])
        XCTAssertEqual(cases.count, 4)
        for (name, entry) in cases {
            let norm = layer(name)
            let shape = try XCTUnwrap(entry["shape"] as? [Int])
            if let weight = entry["weight"] as? [Double], let bias = entry["bias"] as? [Double] {
                norm.weight!.value = Tensor(weight)
                norm.bias!.value = Tensor(bias)
            }
            XCTAssertEqual(norm.stateDictionary.map(\.key), try XCTUnwrap(entry["state_dict_keys"] as? [String]), name)
            let steps = try XCTUnwrap(entry["steps"] as? [[String: Any]])
            for (index, step) in steps.enumerated() {
                let label = "\(name) step \(index)"
                let training = try XCTUnwrap(step["training"] as? Bool)
                if training { norm.train() } else { norm.eval() }
                norm.zeroGradients()
                let x = Tensor<Double>(shape: shape, scalars: try XCTUnwrap(step["input"] as? [Double]))
                    .requiringGradient()
                let y = norm(x)
                assertClose(y.scalars, try XCTUnwrap(step["output"] as? [Double]), tolerance: 1e-12, label)
                (y * y * y).sum().backward()
                assertClose(
                    x.grad?.scalars ?? [], try XCTUnwrap(step["input_gradient"] as? [Double]), tolerance: 1e-10, label)
                if let expected = step["weight_gradient"] as? [Double] {
                    assertClose(norm.weight!.grad!.scalars, expected, tolerance: 1e-10, "\(label): weight gradient")
                    assertClose(
                        norm.bias!.grad!.scalars, try XCTUnwrap(step["bias_gradient"] as? [Double]),
                        tolerance: 1e-10, "\(label): bias gradient")
                }
                if let expected = step["running_mean"] as? [Double] {
                    assertClose(norm.runningMean.value.scalars, expected, tolerance: 1e-13, "\(label): running mean")
                    assertClose(
                        norm.runningVariance.value.scalars, try XCTUnwrap(step["running_var"] as? [Double]),
                        tolerance: 1e-13, "\(label): running variance")
                    XCTAssertEqual(
                        norm.batchesTracked.value.scalar, try XCTUnwrap(step["num_batches_tracked"] as? Double), label)
                }
            }
        }
    }

    func testGradcheckWithoutRunningStatisticsInEvaluationMode() {
        let norm = BatchNorm1d<Double>(2, trackRunningStatistics: false)
        norm.eval()
        let x = Tensor<Double>.randn([4, 2], generator: RandomGenerator(seed: 8))
        let result = gradcheck(
            { inputs in
                let y = norm(inputs[0])
                return (y * y * y).sum()
            }, inputs: [x])
        XCTAssertTrue(result.passed, "\(result)")
    }
}
