import Foundation
import Kindling
import KindlingTestSupport
import XCTest

final class ActivationTests: XCTestCase {
    let generator = RandomGenerator(seed: 11)
    let shapes = [[5], [3, 4], [2, 3, 2]]

    func randn(_ shape: [Int]) -> Tensor<Double> { Tensor.randn(shape, generator: generator) }

    func check(
        _ inputs: [Tensor<Double>], file: StaticString = #filePath, line: UInt = #line,
        _ function: @escaping ([Tensor<Double>]) -> Tensor<Double>
    ) {
        let result = gradcheck(function, inputs: inputs)
        XCTAssertTrue(result.passed, result.description, file: file, line: line)
    }

    func testElementwiseActivationsPassGradcheck() {
        for shape in shapes {
            check([randn(shape)]) { relu($0[0]) }
            check([randn(shape) * 3]) { sigmoid($0[0]) }
            check([randn(shape)]) { leakyReLU($0[0]) }
            check([randn(shape)]) { leakyReLU($0[0], negativeSlope: 0.2) }
            check([randn(shape)]) { elu($0[0]) }
            check([randn(shape)]) { elu($0[0], alpha: 0.5) }
            check([randn(shape)]) { selu($0[0]) }
        }
    }

    func testSoftmaxAndLogSoftmaxPassGradcheckAlongEveryAxis() {
        let cases: [([Int], Int)] = [
            ([5], 0), ([3, 4], 0), ([3, 4], 1), ([2, 3, 4], 0), ([2, 3, 4], 1),
            ([2, 3, 4], 2), ([2, 3, 4], -1),
        ]
        for (shape, axis) in cases {
            check([randn(shape) * 2]) { softmax($0[0], alongAxis: axis) }
            check([randn(shape) * 2]) { logSoftmax($0[0], alongAxis: axis) }
        }
    }

    func testActivationsMatchPyTorch() throws {
        // Reference: Scripts/reference/torch_operators.py -> Fixtures/torch_operators.json (float64).
        let cases = try TorchOperatorsFixture.load()["activations"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 21)
        for item in cases {
            let name = item["name"] as! String
            let arguments = item["arguments"] as! [String: Any]
            let x = TorchOperatorsFixture.tensor(item, "input").requiringGradient()
            let y: Tensor<Double>
            switch name {
            case "relu": y = relu(x)
            case "sigmoid": y = sigmoid(x)
            case "leakyReLU": y = leakyReLU(x, negativeSlope: TorchOperatorsFixture.double(arguments["negativeSlope"]))
            case "elu": y = elu(x, alpha: TorchOperatorsFixture.double(arguments["alpha"]))
            case "selu": y = selu(x)
            case "softmax": y = softmax(x, alongAxis: TorchOperatorsFixture.int(arguments["axis"]))
            case "logSoftmax": y = logSoftmax(x, alongAxis: TorchOperatorsFixture.int(arguments["axis"]))
            default:
                XCTFail("unknown activation \(name)")
                continue
            }
            y.backward(TorchOperatorsFixture.tensor(item, "upstream", shape: y.shape))
            let label = "\(name) \(arguments) shape \(x.shape)"
            assertRelativelyClose(y.scalars, TorchOperatorsFixture.doubles(item["output"]), label)
            assertRelativelyClose(x.grad!.scalars, TorchOperatorsFixture.doubles(item["gradient"]), label)
        }
    }

    func testSoftmaxOfExtremeLogitsIsFiniteAndExact() {
        let x = Tensor<Double>([1000, 0, -1000]).requiringGradient()
        let probabilities = softmax(x)
        XCTAssertEqual(probabilities.scalars, [1, 0, 0])
        let logProbabilities = logSoftmax(x)
        XCTAssertEqual(logProbabilities.scalars, [0, -1000, -2000])
        (logProbabilities * Tensor([1, 2, 3])).sum().backward()
        // d/dx_i Σ_j w_j log p_j = w_i - p_i Σ_j w_j = [1 - 6, 2, 3]
        XCTAssertEqual(x.grad?.scalars, [-5, 2, 3])

        let single = Tensor<Float>([1000, 0, -1000])
        XCTAssertEqual(softmax(single).scalars, [1, 0, 0])
        XCTAssertEqual(logSoftmax(single).scalars, [0, -1000, -2000])
        XCTAssertTrue(softmax(Tensor<Float>([[88, 89], [-1e30, 1e30]])).isFinite)
    }

    func testSoftmaxLinesSumToOneAlongTheChosenAxis() {
        let x = randn([2, 3, 4]) * 5
        for axis in 0..<3 {
            let sums = softmax(x, alongAxis: axis).sum(alongAxis: axis)
            assertClose(sums.scalars, [Double](repeating: 1, count: sums.count), tolerance: 1e-14)
        }
    }

    func testSigmoidDoesNotOverflowForLargeMagnitudes() {
        // e^-x overflows Float for x < -88.7 and Double for x < -709.8; sigmoid must not take it.
        let floats = Tensor<Float>([-1000, -100, -89, 89, 100, 1000]).requiringGradient()
        let y = sigmoid(floats)
        XCTAssertTrue(y.isFinite)
        XCTAssertEqual(y.scalars[0], 0)
        XCTAssertEqual(Array(y.scalars[3...]), [1, 1, 1])
        XCTAssertEqual(Double(y.scalars[1]), 3.720075976020836e-44, accuracy: 1e-45)
        y.sum().backward()
        XCTAssertTrue(floats.grad!.isFinite)
        XCTAssertEqual(floats.grad!.scalars[0], 0)

        let doubles = Tensor<Double>([-1000, -710, 710, 1000]).requiringGradient()
        let z = sigmoid(doubles)
        XCTAssertEqual(z.scalars, [0, Foundation.exp(-710), 1, 1])
        z.sum().backward()
        XCTAssertTrue(doubles.grad!.isFinite)
    }

    /// Large enough to be split between the cores: the values and the mask of the gradient are exact.
    func testReLUOfALargeTensorIsExactForwardAndBackward() {
        let x = Tensor<Float>.randn([5, 65537], generator: RandomGenerator(seed: 4)).requiringGradient()
        let upstream = Tensor<Float>.randn(x.shape, generator: RandomGenerator(seed: 5))
        let y = relu(x)
        y.backward(upstream)
        XCTAssertEqual(y.scalars, x.scalars.map { Swift.max($0, 0) })
        XCTAssertEqual(x.grad?.scalars, zip(x.scalars, upstream.scalars).map { $0 > 0 ? $1 : 0 })
    }

    func testDefaultsArePyTorchs() {
        let x = Tensor<Double>([-2, 3])
        XCTAssertEqual(leakyReLU(x).scalars, [-0.02, 3])
        XCTAssertEqual(elu(x).scalars, [Foundation.expm1(-2), 3])
        // torch.selu(torch.tensor([-2., 3.], dtype=torch.float64))
        assertClose(selu(x).scalars, [-1.5201664685956948, 3.1521029620664414], tolerance: 1e-15)
    }

    func testActivationLayersApplyTheirFunctions() {
        let x = randn([3, 4])
        XCTAssertEqual(LeakyReLU(negativeSlope: 0.2)(x), leakyReLU(x, negativeSlope: 0.2))
        XCTAssertEqual(LeakyReLU<Double>().negativeSlope, 0.01)
        XCTAssertEqual(ELU(alpha: 0.7)(x), elu(x, alpha: 0.7))
        XCTAssertEqual(SELU()(x), selu(x))
        XCTAssertEqual(Softmax(alongAxis: 0)(x), softmax(x, alongAxis: 0))
        XCTAssertEqual(Softmax()(x), softmax(x, alongAxis: 1))
        XCTAssertEqual(LogSoftmax(alongAxis: 0)(x), logSoftmax(x, alongAxis: 0))
        let model = Sequential<Double>(
            Linear(4, 3, generator: generator), LeakyReLU(), Linear(3, 2, generator: generator), LogSoftmax())
        XCTAssertEqual(model(x).shape, [3, 2])
        XCTAssertTrue(model.namedParameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
    }
}

/// Reading Fixtures/torch_operators.json, written by Scripts/reference/torch_operators.py (PyTorch,
/// float64), for the operator tests.
enum TorchOperatorsFixture {
    nonisolated(unsafe) private static var cached: [String: Any]?

    static func load() throws -> [String: Any] {
        if let cached { return cached }
        let root = try fixture("torch_operators.json") as! [String: Any]
        precondition(root["generator"] as? String == "Scripts/reference/torch_operators.py")
        cached = root
        return root
    }

    static func double(_ value: Any?) -> Double { (value as! NSNumber).doubleValue }
    static func int(_ value: Any?) -> Int { (value as! NSNumber).intValue }
    static func doubles(_ value: Any?) -> [Double] { (value as! [Any]).map { ($0 as! NSNumber).doubleValue } }
    static func ints(_ value: Any?) -> [Int] { (value as! [Any]).map { ($0 as! NSNumber).intValue } }

    /// The flat values under `key` with the case's "shape" (or the given one).
    static func tensor(_ item: [String: Any], _ key: String, shape: [Int]? = nil) -> Tensor<Double> {
        Tensor(shape: shape ?? ints(item["shape"]), scalars: doubles(item[key]))
    }
}

/// Asserts element-wise agreement within `tolerance` relative to max(1, |expected|).
func assertRelativelyClose(
    _ actual: [Double], _ expected: [Double], _ message: String = "",
    tolerance: Double = 1e-10, file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "length differs \(message)", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated()
    where !(Swift.abs(a - e) <= tolerance * Swift.max(1, Swift.abs(e))) {
        XCTFail("element \(i): \(a) vs expected \(e) \(message)", file: file, line: line)
        return
    }
}
