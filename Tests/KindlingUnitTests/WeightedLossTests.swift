import Kindling
import KindlingTestSupport
import XCTest

// Reference losses and gradients come from Scripts/reference/torch_weighted_losses.py
// (Fixtures/torch_weighted_losses.json): F.cross_entropy with weight / ignore_index / label_smoothing /
// probability targets and F.binary_cross_entropy_with_logits with weight / pos_weight in float64, every
// reduction; for 'none' the gradient is that of sum(loss · c) with c = 1, 2, 3, ...

final class WeightedLossTests: XCTestCase {
    private struct Inputs {
        let logits: Tensor<Double>, indices: [Int], softTargets: Tensor<Double>, classWeights: Tensor<Double>
        let binaryLogits: Tensor<Double>, binaryTargets: Tensor<Double>
        let positiveWeight: Tensor<Double>, elementWeight: Tensor<Double>
        let cases: [[String: Any]]

        init() throws {
            let root = try XCTUnwrap(fixture("torch_weighted_losses.json") as? [String: Any])
            XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_weighted_losses.py")
            func values(_ key: String) throws -> [Double] { try XCTUnwrap(root[key] as? [Double], key) }
            logits = Tensor(shape: [6, 4], scalars: try values("logits"))
            indices = try XCTUnwrap(root["indices"] as? [Int])
            softTargets = Tensor(shape: [6, 4], scalars: try values("soft_targets"))
            classWeights = Tensor(try values("class_weights"))
            binaryLogits = Tensor(shape: [5, 3], scalars: try values("binary_logits"))
            binaryTargets = Tensor(shape: [5, 3], scalars: try values("binary_targets"))
            positiveWeight = Tensor(try values("positive_weight"))
            elementWeight = Tensor(shape: [5, 1], scalars: try values("element_weight"))
            cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        }
    }

    /// The loss the fixture's case computes, on leaves that require gradients.
    private func loss(_ entry: [String: Any], _ inputs: Inputs, logits: Tensor<Double>, targets: Tensor<Double>) throws
        -> Tensor<Double>
    {
        let reduction: Reduction =
            switch try XCTUnwrap(entry["reduction"] as? String) {
            case "mean": .mean
            case "sum": .sum
            default: .none
            }
        let weighted = entry["weighted"] as? Bool ?? false
        let smoothing = entry["label_smoothing"] as? Double ?? 0
        switch try XCTUnwrap(entry["kind"] as? String) {
        case "indices":
            return crossEntropy(
                logits, classIndices: inputs.indices, weight: weighted ? inputs.classWeights : nil,
                ignoreIndex: entry["ignore_index"] as? Int, labelSmoothing: smoothing, reduction: reduction)
        case "probabilities":
            return crossEntropy(
                logits, probabilities: targets, weight: weighted ? inputs.classWeights : nil,
                labelSmoothing: smoothing, reduction: reduction)
        default:
            return binaryCrossEntropyWithLogits(
                logits, targets, weight: try XCTUnwrap(entry["element_weight"] as? Bool) ? inputs.elementWeight : nil,
                positiveWeight: try XCTUnwrap(entry["positive_weight"] as? Bool) ? inputs.positiveWeight : nil,
                reduction: reduction)
        }
    }

    func testEveryOptionAndReductionFollowsPyTorch() throws {
        let inputs = try Inputs()
        XCTAssertEqual(inputs.cases.count, 27)
        for entry in inputs.cases {
            let kind = try XCTUnwrap(entry["kind"] as? String)
            let name = "\(try XCTUnwrap(entry["name"] as? String)) (\(try XCTUnwrap(entry["reduction"] as? String)))"
            let binary = kind == "binary"
            let logits = (binary ? inputs.binaryLogits : inputs.logits).requiringGradient()
            let targets = (binary ? inputs.binaryTargets : inputs.softTargets).requiringGradient()
            let value = try loss(entry, inputs, logits: logits, targets: targets)
            assertClose(value.scalars, try XCTUnwrap(entry["loss"] as? [Double]), tolerance: 1e-12, name)
            let weights = Tensor<Double>(shape: value.shape, scalars: (1...value.count).map(Double.init))
            (value.count == 1 ? value : (value * weights).sum()).backward()
            assertClose(
                logits.grad?.scalars ?? [], try XCTUnwrap(entry["logits_gradient"] as? [Double]),
                tolerance: 1e-12, "\(name): logits gradient")
            if let expected = entry["targets_gradient"] as? [Double] {
                assertClose(targets.grad?.scalars ?? [], expected, tolerance: 1e-12, "\(name): targets gradient")
            }
        }
    }

    func testGradcheckOfEveryCase() throws {
        let inputs = try Inputs()
        for entry in inputs.cases {
            let binary = entry["kind"] as? String == "binary"
            let result = gradcheck(
                { leaves in
                    let value = try! self.loss(entry, inputs, logits: leaves[0], targets: leaves[1])
                    return value.count == 1
                        ? value
                        : (value * Tensor(shape: value.shape, scalars: (1...value.count).map(Double.init))).sum()
                }, inputs: binary ? [inputs.binaryLogits, inputs.binaryTargets] : [inputs.logits, inputs.softTargets])
            XCTAssertTrue(result.passed, "\(entry["name"] ?? "") \(entry["reduction"] ?? ""): \(result)")
        }
    }

    func testWithoutOptionsTheGeneralFormsEqualThePlainLosses() {
        let generator = RandomGenerator(seed: 2)
        let logits = Tensor<Double>.randn([4, 3], generator: generator)
        let plain = crossEntropy(logits, classIndices: [0, 2, 1, 1])
        let general = crossEntropy(logits, classIndices: [0, 2, 1, 1], ignoreIndex: -100)
        XCTAssertEqual(plain.scalar, general.scalar, accuracy: 1e-15)
        let targets = Tensor<Double>.uniform([4, 3], generator: generator)
        XCTAssertEqual(
            binaryCrossEntropyWithLogits(logits, targets).scalar,
            binaryCrossEntropyWithLogits(logits, targets, positiveWeight: Tensor([1, 1, 1])).scalar, accuracy: 1e-15)
    }
}
