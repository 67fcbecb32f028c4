import Kindling
import KindlingTestSupport
import XCTest

// Expected values come from Scripts/reference/torch_edge_cases.py (Fixtures/torch_edge_cases.json):
// PyTorch in float64 on NaN, ±inf and boundary inputs, and torch.max/min(x, dim) on random inputs.

/// NaN and ±inf go through every operator as in PyTorch, values and gradients (issue 10, section 2), and
/// the gradients at the edges of clamp and pow (section 4).
final class EdgeCaseTests: XCTestCase {
    private struct Case {
        let name: String
        let arguments: [String: Any]
        let input: Tensor<Double>
        let upstream: Tensor<Double>
        let output: [Double]
        let outputShape: [Int]
        let gradient: [Double]
        let indices: [Int]?
    }

    /// A number of the fixture: a JSON number, or "nan", "inf", "-inf".
    private static func number(_ value: Any) -> Double {
        if let text = value as? String { return Double(text)! }
        return (value as! NSNumber).doubleValue
    }

    private static func numbers(_ value: Any?) -> [Double] { (value as! [Any]).map(number) }

    private func cases(_ section: String) throws -> [Case] {
        let root = try XCTUnwrap(fixture("torch_edge_cases.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_edge_cases.py")
        return try XCTUnwrap(root[section] as? [[String: Any]]).map { record in
            let shape = record["shape"] as! [Int]
            let outputShape = record["outputShape"] as! [Int]
            return Case(
                name: record["name"] as! String, arguments: record["arguments"] as! [String: Any],
                input: Tensor(shape: shape, scalars: Self.numbers(record["input"])),
                upstream: Tensor(shape: outputShape, scalars: Self.numbers(record["upstream"])),
                output: Self.numbers(record["output"]), outputShape: outputShape,
                gradient: Self.numbers(record["gradient"]), indices: record["indices"] as? [Int])
        }
    }

    /// Equal element by element: NaN where NaN is expected, the same infinity, else within `tolerance`
    /// relative to the larger magnitude (absolute below 1).
    private func assertSame(
        _ actual: [Double], _ expected: [Double], _ label: String,
        tolerance: Double = 1e-14, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(actual.count, expected.count, label, file: file, line: line)
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            let same =
                e.isNaN
                ? a.isNaN
                : e.isInfinite
                    ? a == e
                    : Swift.abs(a - e) <= tolerance * Swift.max(1, Swift.abs(e))
            if !same {
                XCTFail(
                    "\(label): element \(i) is \(a), PyTorch gives \(e)\n  actual   \(actual)\n  expected \(expected)",
                    file: file, line: line)
                return
            }
        }
    }

    /// Runs `function` on the case's input with gradients and checks the output and the input's gradient.
    private func check(_ c: Case, _ label: String, _ function: (Tensor<Double>) -> Tensor<Double>) {
        let x = c.input.requiringGradient()
        let y = function(x)
        XCTAssertEqual(y.shape, c.outputShape, label)
        assertSame(y.scalars, c.output, "\(label) value")
        y.backward(c.upstream)
        assertSame(x.grad?.scalars ?? [], c.gradient, "\(label) gradient")
    }

    func testElementwiseFunctionsFollowPyTorchOnNaNInfinityAndBounds() throws {
        let cases = try cases("elementwise")
        XCTAssertEqual(cases.count, 34)
        for c in cases {
            let argument = { (key: String) in (c.arguments[key] as? NSNumber)?.doubleValue }
            let label = "\(c.name) \(c.arguments)"
            switch c.name {
            case "relu": check(c, label) { relu($0) }
            case "leakyReLU": check(c, label) { leakyReLU($0, negativeSlope: argument("negativeSlope")!) }
            case "elu": check(c, label) { elu($0, alpha: argument("alpha")!) }
            case "selu": check(c, label) { selu($0) }
            case "hardtanh": check(c, label) { hardtanh($0, min: argument("min")!, max: argument("max")!) }
            case "clamp": check(c, label) { clamp($0, min: argument("min"), max: argument("max")) }
            case "sigmoid": check(c, label) { sigmoid($0) }
            case "tanh": check(c, label) { tanh($0) }
            case "abs": check(c, label) { abs($0) }
            case "pow": check(c, label) { pow($0, argument("exponent")!) }
            case "exp": check(c, label) { exp($0) }
            case "log": check(c, label) { log($0) }
            case "sqrt": check(c, label) { sqrt($0) }
            case "softmax": check(c, label) { softmax($0, alongAxis: c.arguments["axis"] as! Int) }
            case "logSoftmax": check(c, label) { logSoftmax($0, alongAxis: c.arguments["axis"] as! Int) }
            case "binaryCrossEntropyWithLogits":
                let targets = Tensor<Double>((c.arguments["targets"] as! [Any]).map(Self.number))
                check(c, label) { binaryCrossEntropyWithLogits($0, targets, reduction: .none) }
            case "meanSquaredError":
                let targets = Tensor<Double>((c.arguments["targets"] as! [Any]).map(Self.number))
                check(c, label) { meanSquaredError($0, targets, reduction: .none) }
            case "crossEntropy":
                check(c, label) {
                    crossEntropy($0, classIndices: c.arguments["classIndices"] as! [Int], reduction: .none)
                }
            default: XCTFail("unknown case \(c.name)")
            }
        }
    }

    func testReductionsFollowPyTorchOnNaNInfinityAndTies() throws {
        let cases = try cases("reductions")
        XCTAssertEqual(cases.count, 30)
        for c in cases {
            let axes = c.arguments["axes"] as? [Int]
            let axis = c.arguments["axis"] as? Int
            let keepingDims = c.arguments["keepingDims"] as? Bool ?? false
            let label = "\(c.name) \(c.arguments)"
            switch c.name {
            case "max": check(c, label) { $0.max() }
            case "min": check(c, label) { $0.min() }
            case "amax": check(c, label) { $0.max(alongAxes: axes!) }
            case "amin": check(c, label) { $0.min(alongAxes: axes!) }
            case "maxWithIndices", "minWithIndices":
                var indices: [Int] = []
                check(c, label) { x in
                    let (values, found) =
                        c.name == "maxWithIndices"
                        ? x.maxWithIndices(alongAxis: axis!, keepingDims: keepingDims)
                        : x.minWithIndices(alongAxis: axis!, keepingDims: keepingDims)
                    indices = found
                    return values
                }
                XCTAssertEqual(indices, c.indices, label)
            default: XCTFail("unknown case \(c.name)")
            }
        }
    }

    func testArgmaxAndArgminPointAtTheFirstNaN() throws {
        let root = try XCTUnwrap(fixture("torch_edge_cases.json") as? [String: Any])
        let cases = try XCTUnwrap(root["argExtrema"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let x = Tensor<Double>(shape: c["shape"] as! [Int], scalars: Self.numbers(c["values"]))
            let axis = c["axis"] as! Int
            XCTAssertEqual(x.argmax(alongAxis: axis), c["argmax"] as? [Int], "\(c["input"]!) axis \(axis)")
            XCTAssertEqual(x.argmin(alongAxis: axis), c["argmin"] as? [Int], "\(c["input"]!) axis \(axis)")
            let single = Tensor<Float>(shape: x.shape, scalars: x.scalars.map { Float($0) })
            XCTAssertEqual(single.argmax(alongAxis: axis), c["argmax"] as? [Int], "Float")
        }
    }

    func testPoolsFollowPyTorchOnNaNAndInfinity() throws {
        let cases = try cases("pooling")
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let kernel = c.arguments["kernelSize"] as! Int
            let stride = c.arguments["stride"] as! Int
            let padding = c.arguments["padding"] as! Int
            let label = "\(c.name) \(c.arguments)"
            switch c.name {
            case "maxPool2d": check(c, label) { maxPool2d($0, kernelSize: kernel, stride: stride, padding: padding) }
            case "avgPool2d": check(c, label) { avgPool2d($0, kernelSize: kernel, stride: stride, padding: padding) }
            default: XCTFail("unknown case \(c.name)")
            }
        }
    }

    func testFloatPropagatesNaNLikeDouble() {
        let x = Tensor<Float>([.nan, -1, 2, -.infinity])
        XCTAssertTrue(relu(x).scalars[0].isNaN)
        XCTAssertEqual(Array(relu(x).scalars.dropFirst()), [0, 2, 0])
        XCTAssertTrue(x.max().scalar.isNaN)
        XCTAssertTrue(x.min().scalar.isNaN)
        XCTAssertTrue(clamp(x, min: 0, max: 1).scalars[0].isNaN)
        XCTAssertEqual(x.argmin(alongAxis: 0), [0])
    }

    func testMaxAndMinWithIndicesAndHardtanhPassGradcheck() {
        // Distinct values, none within the finite-difference step of another or of a hardtanh bound.
        let x = Tensor<Double>(shape: [3, 4], scalars: (0..<12).map { (Double(($0 * 7) % 12) - 5.5) / 4 })
        for axis in [0, 1] {
            let maximum = gradcheck({ $0[0].maxWithIndices(alongAxis: axis).values }, inputs: [x])
            XCTAssertTrue(maximum.passed, "max axis \(axis): \(maximum)")
            let minimum = gradcheck({ $0[0].minWithIndices(alongAxis: axis, keepingDims: true).values }, inputs: [x])
            XCTAssertTrue(minimum.passed, "min axis \(axis): \(minimum)")
        }
        let limited = gradcheck({ hardtanh($0[0], min: -0.6, max: 0.7) }, inputs: [x])
        XCTAssertTrue(limited.passed, "hardtanh: \(limited)")
    }
}
