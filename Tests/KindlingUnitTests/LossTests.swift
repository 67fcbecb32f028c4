import Foundation
import Kindling
import KindlingTestSupport
import XCTest

final class LossTests: XCTestCase {
    let generator = RandomGenerator(seed: 5)
    let reductions: [Reduction] = [.mean, .sum, .none]

    func randn(_ shape: [Int]) -> Tensor<Double> { Tensor.randn(shape, generator: generator) }
    func uniform(_ shape: [Int], _ low: Double, _ high: Double) -> Tensor<Double> {
        Tensor.uniform(shape, low: low, high: high, generator: generator)
    }

    func check(
        _ inputs: [Tensor<Double>], file: StaticString = #filePath, line: UInt = #line,
        _ function: @escaping ([Tensor<Double>]) -> Tensor<Double>
    ) {
        let result = gradcheck(function, inputs: inputs)
        XCTAssertTrue(result.passed, result.description, file: file, line: line)
    }

    func testElementwiseLossesPassGradcheckForBothOperands() {
        for shape in [[4], [3, 4], [2, 3, 2]] {
            for reduction in reductions {
                check([randn(shape), randn(shape)]) { meanSquaredError($0[0], $0[1], reduction: reduction) }
                check([uniform(shape, 0.05, 0.95), uniform(shape, 0, 1)]) {
                    binaryCrossEntropy($0[0], $0[1], reduction: reduction)
                }
                check([randn(shape) * 4, uniform(shape, 0, 1)]) {
                    binaryCrossEntropyWithLogits($0[0], $0[1], reduction: reduction)
                }
            }
        }
    }

    func testClassificationLossesPassGradcheck() {
        for (samples, classes) in [(1, 3), (4, 5), (6, 2)] {
            let labels = (0..<samples).map { _ in generator.randint(low: 0, high: classes) }
            for reduction in reductions {
                check([randn([samples, classes]) * 3]) {
                    crossEntropy($0[0], classIndices: labels, reduction: reduction)
                }
                check([randn([samples, classes])]) {
                    negativeLogLikelihood(logSoftmax($0[0], alongAxis: 1), classIndices: labels, reduction: reduction)
                }
            }
        }
    }

    func testLossesMatchPyTorch() throws {
        // Reference: Scripts/reference/torch_operators.py -> Fixtures/torch_operators.json (float64).
        let cases = try TorchOperatorsFixture.load()["losses"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 22)
        for item in cases {
            let name = item["name"] as! String
            let reduction: Reduction = ["mean": .mean, "sum": .sum, "none": .none][item["reduction"] as! String]!
            let x = TorchOperatorsFixture.tensor(item, "input").requiringGradient()
            var t: Tensor<Double>? = nil
            let loss: Tensor<Double>
            switch name {
            case "meanSquaredError", "binaryCrossEntropy", "binaryCrossEntropyWithLogits":
                let target =
                    item["targetGradient"] == nil
                    ? TorchOperatorsFixture.tensor(item, "target")
                    : TorchOperatorsFixture.tensor(item, "target").requiringGradient()
                t = target
                loss =
                    name == "meanSquaredError"
                    ? meanSquaredError(x, target, reduction: reduction)
                    : name == "binaryCrossEntropy"
                        ? binaryCrossEntropy(x, target, reduction: reduction)
                        : binaryCrossEntropyWithLogits(x, target, reduction: reduction)
            case "crossEntropy":
                loss = crossEntropy(x, classIndices: TorchOperatorsFixture.ints(item["classes"]), reduction: reduction)
            case "negativeLogLikelihood":
                loss = negativeLogLikelihood(
                    x, classIndices: TorchOperatorsFixture.ints(item["classes"]), reduction: reduction)
            default:
                XCTFail("unknown loss \(name)")
                continue
            }
            let label = "\(name) \(reduction) shape \(x.shape)"
            let perSample = item["classes"] == nil ? x.shape : [x.shape[0]]
            XCTAssertEqual(loss.shape, reduction == .none ? perSample : [], label)
            loss.backward(TorchOperatorsFixture.tensor(item, "upstream", shape: loss.shape))
            assertRelativelyClose(loss.scalars, TorchOperatorsFixture.doubles(item["loss"]), label)
            assertRelativelyClose(x.grad!.scalars, TorchOperatorsFixture.doubles(item["inputGradient"]), label)
            if let expected = item["targetGradient"] {
                assertRelativelyClose(t!.grad!.scalars, TorchOperatorsFixture.doubles(expected), label)
            }
        }
    }

    func testBinaryCrossEntropyWithLogitsIsFiniteAndExactAtExtremeLogits() {
        let logits = Tensor<Double>([1000, -1000, 1000, -1000]).requiringGradient()
        let targets = Tensor<Double>([1, 1, 0, 0])
        XCTAssertEqual(binaryCrossEntropyWithLogits(logits, targets, reduction: .none).scalars, [0, 1000, 1000, 0])
        let loss = binaryCrossEntropyWithLogits(logits, targets)
        XCTAssertEqual(loss.scalar, 500)
        loss.backward()
        // (sigmoid(x) - t) / n
        XCTAssertEqual(logits.grad?.scalars, [0, -0.25, 0.25, 0])

        let floats = Tensor<Float>([1000, -1000, 1000, -1000]).requiringGradient()
        let floatLoss = binaryCrossEntropyWithLogits(floats, Tensor<Float>([1, 1, 0, 0]), reduction: .sum)
        XCTAssertEqual(floatLoss.scalar, 2000)
        floatLoss.backward()
        XCTAssertEqual(floats.grad?.scalars, [0, -1, 1, 0])
    }

    func testCrossEntropyIsFiniteAndExactAtExtremeLogits() {
        let logits = Tensor<Double>([[1000, 0, -1000], [1000, 0, -1000]]).requiringGradient()
        let loss = crossEntropy(logits, classIndices: [0, 2], reduction: .none)
        XCTAssertEqual(loss.scalars, [0, 2000])
        loss.sum().backward()
        XCTAssertEqual(logits.grad?.scalars, [0, 0, 0, 1, 0, -1])
        let floats = Tensor<Float>([[1000, 0, -1000]])
        XCTAssertEqual(crossEntropy(floats, classIndices: [2]).scalar, 2000)
    }

    func testBinaryCrossEntropyClampsItsLogarithmsAtMinus100() {
        let p = Tensor<Double>([0, 1, 0.5])
        let t = Tensor<Double>([1, 0, 1])
        let loss = binaryCrossEntropy(p, t, reduction: .none)
        XCTAssertEqual(loss.scalars[0], 100)
        XCTAssertEqual(loss.scalars[1], 100)
        XCTAssertEqual(loss.scalars[2], Foundation.log(2), accuracy: 1e-15)
        XCTAssertEqual(binaryCrossEntropy(Tensor<Float>([0]), Tensor<Float>([1])).scalar, 100)
    }

    func testReductionsAreMeanSumAndNone() {
        let x = randn([3, 4])
        let y = randn([3, 4])
        let none = meanSquaredError(x, y, reduction: .none)
        XCTAssertEqual(none.shape, [3, 4])
        assertClose(none.scalars, zip(x.scalars, y.scalars).map { ($0 - $1) * ($0 - $1) }, tolerance: 1e-15)
        XCTAssertEqual(meanSquaredError(x, y, reduction: .sum).scalar, none.scalars.reduce(0, +), accuracy: 1e-13)
        XCTAssertEqual(meanSquaredError(x, y).scalar, none.scalars.reduce(0, +) / 12, accuracy: 1e-14)
        let labels = [1, 0, 3]
        let perSample = crossEntropy(x, classIndices: labels, reduction: .none)
        XCTAssertEqual(perSample.shape, [3])
        XCTAssertEqual(
            crossEntropy(x, classIndices: labels).scalar, perSample.scalars.reduce(0, +) / 3, accuracy: 1e-14)
    }

    func testCrossEntropyIsNegativeLogLikelihoodOfLogSoftmax() {
        let logits = randn([5, 4]) * 3
        let labels = [3, 0, 1, 1, 2]
        let direct = crossEntropy(logits, classIndices: labels, reduction: .none)
        let composed = negativeLogLikelihood(logSoftmax(logits, alongAxis: 1), classIndices: labels, reduction: .none)
        assertClose(direct.scalars, composed.scalars, tolerance: 1e-14)
    }

    func testTargetsWithoutGradientsGetNone() {
        let logits = randn([2, 3]).requiringGradient()
        let targets = Tensor<Double>.zeros([2, 3])
        binaryCrossEntropyWithLogits(logits, targets).backward()
        XCTAssertNotNil(logits.grad)
        XCTAssertNil(targets.grad)
    }
}
