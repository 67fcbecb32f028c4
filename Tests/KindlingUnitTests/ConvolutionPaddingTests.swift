import Kindling
import KindlingTestSupport
import XCTest

// Reference outputs and gradients come from Scripts/reference/torch_conv_padding.py
// (Fixtures/torch_conv_padding.json): F.conv2d with padding='same' / 'valid' in float64, gradients of
// sum(output²).

final class ConvolutionPaddingTests: XCTestCase {
    func testSameAndValidFollowPyTorch() throws {
        let root = try XCTUnwrap(fixture("torch_conv_padding.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_conv_padding.py")
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 6)
        for entry in cases {
            func array<T>(_ key: String) throws -> [T] { try XCTUnwrap(entry[key] as? [T], key) }
            let padding: ConvolutionPadding = try XCTUnwrap(entry["padding"] as? String) == "same" ? .same : .valid
            let dilation: [Int] = try array("dilation")
            let groups = try XCTUnwrap(entry["groups"] as? Int)
            let x = Tensor<Double>(shape: try array("input_shape"), scalars: try array("input")).requiringGradient()
            let w = Tensor<Double>(shape: try array("weight_shape"), scalars: try array("weight")).requiringGradient()
            let b = Tensor<Double>(try array("bias") as [Double]).requiringGradient()
            let name = "\(padding) \(x.shape) * \(w.shape) dilation \(dilation)"
            let y = conv2d(
                x, weight: w, bias: b, padding: padding, dilation: (dilation[0], dilation[1]), groups: groups)
            XCTAssertEqual(y.shape, try array("output_shape"), name)
            assertClose(y.scalars, try array("output"), tolerance: 1e-12, name)
            (y * y).sum().backward()
            assertClose(x.grad?.scalars ?? [], try array("input_gradient"), tolerance: 1e-11, "\(name): input gradient")
            assertClose(
                w.grad?.scalars ?? [], try array("weight_gradient"), tolerance: 1e-10, "\(name): weight gradient")
            assertClose(b.grad?.scalars ?? [], try array("bias_gradient"), tolerance: 1e-10, "\(name): bias gradient")

            let result = gradcheck(
                { inputs in
                    let y = conv2d(
                        inputs[0], weight: inputs[1], bias: inputs[2], padding: padding,
                        dilation: (dilation[0], dilation[1]), groups: groups)
                    return (y * y).sum()
                }, inputs: [x.detached(), w.detached(), b.detached()])
            XCTAssertTrue(result.passed, "\(name): \(result)")
        }
    }

    func testLayerWithSamePaddingKeepsTheSizeAndMatchesTheFunction() {
        let generator = RandomGenerator(seed: 5)
        let conv = Conv2d<Double>(2, 3, kernelSize: (4, 3), padding: .same, generator: generator)
        XCTAssertEqual(conv.namedPadding, .same)
        XCTAssertEqual(conv.padding.0, 1)
        XCTAssertEqual(conv.padding.1, 1)
        let x = Tensor<Double>.randn([1, 2, 5, 6], generator: generator)
        let y = conv(x)
        XCTAssertEqual(y.shape, [1, 3, 5, 6])
        XCTAssertEqual(y.scalars, conv2d(x, weight: conv.weight.value, bias: conv.bias?.value, padding: .same).scalars)
        let valid = Conv2d<Double>(2, 3, kernelSize: 3, padding: .valid)
        XCTAssertEqual(valid(x).shape, [1, 3, 3, 4])
    }
}
