import Kindling
import KindlingTestSupport
import XCTest

// Reference values come from Scripts/reference/torch_clip_grad.py (Fixtures/torch_clip_grad.json):
// torch.nn.utils.clip_grad_norm_ and clip_grad_value_ in float64 on three fixed gradients and a parameter
// without one.

final class GradientClippingTests: XCTestCase {
    private struct Reference {
        let shapes: [[Int]]
        let gradients: [[Double]]
        let cases: [[String: Any]]

        init() throws {
            let root = try XCTUnwrap(fixture("torch_clip_grad.json") as? [String: Any])
            XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_clip_grad.py")
            shapes = try XCTUnwrap(root["shapes"] as? [[Int]])
            gradients = try XCTUnwrap(root["gradients"] as? [[Double]])
            cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        }

        /// The fixture's parameters with their gradients, and one more without a gradient.
        func parameters() -> [Parameter<Double>] {
            zip(shapes, gradients).map { shape, gradient in
                let parameter = Parameter(Tensor<Double>.zeros(shape))
                parameter.grad = Tensor(shape: shape, scalars: gradient)
                return parameter
            } + [Parameter(Tensor<Double>.zeros([3]))]
        }
    }

    func testClipGradientNormFollowsPyTorch() throws {
        let reference = try Reference()
        var checked = 0
        for entry in reference.cases {
            guard let maxNorm = entry["max_norm"] as? Double else { continue }
            let name = try XCTUnwrap(entry["name"] as? String)
            let normType =
                entry["norm_type"] as? String == "inf" ? .infinity : try XCTUnwrap(entry["norm_type"] as? Double)
            let parameters = reference.parameters()
            let total = clipGradientNorm(parameters, maxNorm: maxNorm, normType: normType)
            let expectedTotal = try XCTUnwrap(entry["total_norm"] as? Double)
            XCTAssertEqual(total, expectedTotal, accuracy: 1e-12 * expectedTotal, name)
            let expected = try XCTUnwrap(entry["gradients"] as? [[Double]])
            for (parameter, gradient) in zip(parameters, expected) {
                assertClose(parameter.grad!.scalars, gradient, tolerance: 1e-14, name)
            }
            XCTAssertNil(parameters[3].grad, name)
            checked += 1
        }
        XCTAssertEqual(checked, 7)
    }

    func testClipGradientValueFollowsPyTorch() throws {
        let reference = try Reference()
        var checked = 0
        for entry in reference.cases {
            guard let clipValue = entry["clip_value"] as? Double else { continue }
            let parameters = reference.parameters()
            clipGradientValue(parameters, clipValue: clipValue)
            let expected = try XCTUnwrap(entry["gradients"] as? [[Double]])
            for (parameter, gradient) in zip(parameters, expected) {
                XCTAssertEqual(parameter.grad!.scalars, gradient)
            }
            checked += 1
        }
        XCTAssertEqual(checked, 2)
    }

    func testFloatGradientsClipAsDouble() throws {
        let parameter = Parameter(Tensor<Float>.zeros([2]))
        parameter.grad = Tensor([3, 4])
        XCTAssertEqual(clipGradientNorm([parameter], maxNorm: 1), 5)
        assertClose(parameter.grad!.scalars, [0.6, 0.8], tolerance: 1e-6)
    }

    func testNoGradientsMeansZeroNormAndNaNPropagates() {
        XCTAssertEqual(clipGradientNorm([Parameter(Tensor<Double>([1]))], maxNorm: 1), 0)
        let parameter = Parameter(Tensor<Double>.zeros([2]))
        parameter.grad = Tensor([.nan, 1])
        XCTAssertTrue(clipGradientNorm([parameter], maxNorm: 1).isNaN)
        XCTAssertTrue(parameter.grad!.scalars.allSatisfy(\.isNaN))
    }
}
