import Foundation
import Kindling
import KindlingTestSupport
import XCTest

final class BatchNormTests: XCTestCase {
    let generator = RandomGenerator(seed: 17)

    func randn(_ shape: [Int]) -> Tensor<Double> { Tensor.randn(shape, generator: generator) }

    func check(
        _ inputs: [Tensor<Double>], file: StaticString = #filePath, line: UInt = #line,
        _ function: @escaping ([Tensor<Double>]) -> Tensor<Double>
    ) {
        let result = gradcheck(function, inputs: inputs)
        XCTAssertTrue(result.passed, result.description, file: file, line: line)
    }

    /// Batch normalization composed from Kindling's primitive operators, as the naive reference.
    func naive(
        _ x: Tensor<Double>, _ weight: Tensor<Double>, _ bias: Tensor<Double>,
        mean runningMean: Tensor<Double>? = nil, variance runningVariance: Tensor<Double>? = nil,
        epsilon: Double = 1e-5
    ) -> Tensor<Double> {
        let axes = [0] + Array(2..<x.rank)
        let channelShape = [1, x.shape[1]] + [Int](repeating: 1, count: x.rank - 2)
        let mean = runningMean?.reshaped(channelShape) ?? x.mean(alongAxes: axes, keepingDims: true)
        let centered = x - mean
        let variance =
            runningVariance?.reshaped(channelShape)
            ?? (centered * centered).mean(alongAxes: axes, keepingDims: true)
        return centered / sqrt(variance + epsilon) * weight.reshaped(channelShape) + bias.reshaped(channelShape)
    }

    func testTrainingModePassesGradcheckForInputWeightAndBias() {
        for shape in [[4, 3], [3, 2, 5], [2, 3, 3, 2]] {
            let channels = shape[1]
            check([randn(shape), randn([channels]), randn([channels])]) { inputs in
                var mean = Tensor<Double>.zeros([channels])
                var variance = Tensor<Double>.ones([channels])
                return batchNormalization(
                    inputs[0], weight: inputs[1], bias: inputs[2],
                    runningMean: &mean, runningVariance: &variance, training: true)
            }
        }
        check([randn([5, 2])]) { inputs in
            var mean = Tensor<Double>.zeros([2])
            var variance = Tensor<Double>.ones([2])
            return batchNormalization(
                inputs[0], weight: nil, bias: nil, runningMean: &mean,
                runningVariance: &variance, training: true, epsilon: 1e-3)
        }
    }

    func testEvaluationModePassesGradcheck() {
        for shape in [[4, 3], [2, 3, 3, 2]] {
            let channels = shape[1]
            let runningMean = randn([channels])
            let runningVariance = abs(randn([channels])) + 0.5
            check([randn(shape), randn([channels]), randn([channels])]) { inputs in
                var mean = runningMean
                var variance = runningVariance
                return batchNormalization(
                    inputs[0], weight: inputs[1], bias: inputs[2],
                    runningMean: &mean, runningVariance: &variance, training: false)
            }
        }
    }

    func testAgreesWithANaiveImplementationForwardAndBackward() {
        for (shape, training) in [([6, 3], true), ([2, 3, 4, 5], true), ([6, 3], false), ([2, 3, 4, 5], false)] {
            let channels = shape[1]
            let x = randn(shape) * 2 + 1
            let weight = randn([channels])
            let bias = randn([channels])
            let runningMean = randn([channels])
            let runningVariance = abs(randn([channels])) + 0.5
            let upstream = randn(shape)
            func gradients(_ f: (Tensor<Double>, Tensor<Double>, Tensor<Double>) -> Tensor<Double>) -> [[Double]] {
                let leaves = [x, weight, bias].map { $0.requiringGradient() }
                let y = f(leaves[0], leaves[1], leaves[2])
                y.backward(upstream)
                return [y.scalars] + leaves.map { $0.grad!.scalars }
            }
            let fast = gradients { x, w, b in
                var mean = runningMean
                var variance = runningVariance
                return batchNormalization(
                    x, weight: w, bias: b, runningMean: &mean, runningVariance: &variance,
                    training: training)
            }
            let slow = gradients { x, w, b in
                training ? naive(x, w, b) : naive(x, w, b, mean: runningMean, variance: runningVariance)
            }
            for (a, e) in zip(fast, slow) { assertClose(a, e, tolerance: 1e-12, "shape \(shape) training \(training)") }
        }
    }

    func testRunningStatisticsUseTheUnbiasedVariance() {
        // One channel holding 1, 2, 3, 4: mean 2.5, biased variance 1.25, unbiased variance 5/3.
        let x = Tensor<Double>(shape: [4, 1], scalars: [1, 2, 3, 4])
        var mean = Tensor<Double>([0])
        var variance = Tensor<Double>([1])
        let y = batchNormalization(
            x, weight: nil, bias: nil, runningMean: &mean, runningVariance: &variance,
            training: true, momentum: 0.1, epsilon: 0)
        assertClose(y.scalars, [-1.5, -0.5, 0.5, 1.5].map { $0 / 1.25.squareRoot() }, tolerance: 1e-15)
        assertClose(mean.scalars, [0.25], tolerance: 1e-15)
        assertClose(variance.scalars, [0.9 + 0.1 * 5 / 3], tolerance: 1e-15)
        // Evaluation reads the running statistics and leaves them alone.
        let z = batchNormalization(
            x, weight: nil, bias: nil, runningMean: &mean, runningVariance: &variance,
            training: false, epsilon: 0)
        assertClose(z.scalars, [1, 2, 3, 4].map { ($0 - 0.25) / (0.9 + 0.1 * 5 / 3).squareRoot() }, tolerance: 1e-15)
        assertClose(mean.scalars, [0.25], tolerance: 0)
    }

    func testFunctionMatchesPyTorch() throws {
        // Reference: Scripts/reference/torch_operators.py -> Fixtures/torch_operators.json (float64).
        let cases = try TorchOperatorsFixture.load()["batchNormalization"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 5)
        for item in cases {
            let shape = TorchOperatorsFixture.ints(item["shape"])
            let channels = [shape[1]]
            let x = TorchOperatorsFixture.tensor(item, "input").requiringGradient()
            let weight = TorchOperatorsFixture.tensor(item, "weight", shape: channels).requiringGradient()
            let bias = TorchOperatorsFixture.tensor(item, "bias", shape: channels).requiringGradient()
            var mean = TorchOperatorsFixture.tensor(item, "runningMean", shape: channels)
            var variance = TorchOperatorsFixture.tensor(item, "runningVariance", shape: channels)
            let training = item["training"] as! Bool
            let y = batchNormalization(
                x, weight: weight, bias: bias, runningMean: &mean, runningVariance: &variance,
                training: training, momentum: TorchOperatorsFixture.double(item["momentum"]),
                epsilon: TorchOperatorsFixture.double(item["epsilon"]))
            y.backward(TorchOperatorsFixture.tensor(item, "upstream"))
            let label = "shape \(shape) training \(training)"
            assertRelativelyClose(y.scalars, TorchOperatorsFixture.doubles(item["output"]), label)
            assertRelativelyClose(x.grad!.scalars, TorchOperatorsFixture.doubles(item["inputGradient"]), label)
            assertRelativelyClose(weight.grad!.scalars, TorchOperatorsFixture.doubles(item["weightGradient"]), label)
            assertRelativelyClose(bias.grad!.scalars, TorchOperatorsFixture.doubles(item["biasGradient"]), label)
            assertRelativelyClose(mean.scalars, TorchOperatorsFixture.doubles(item["runningMeanAfter"]), label)
            assertRelativelyClose(variance.scalars, TorchOperatorsFixture.doubles(item["runningVarianceAfter"]), label)
        }
    }

    /// Runs a layer through the PyTorch trajectory: training steps, then evaluation, comparing outputs,
    /// gradients and running statistics after every step.
    func replay(_ layer: BatchNorm<Double>, _ record: [String: Any], file: StaticString = #filePath, line: UInt = #line)
    {
        let features = [TorchOperatorsFixture.int(record["features"])]
        layer.weight!.value = Tensor(shape: features, scalars: TorchOperatorsFixture.doubles(record["weight"]))
        layer.bias!.value = Tensor(shape: features, scalars: TorchOperatorsFixture.doubles(record["bias"]))
        let steps = record["steps"] as! [[String: Any]]
        for (index, step) in steps.enumerated() {
            layer.isTraining = step["training"] as! Bool
            layer.zeroGradients()
            let x = TorchOperatorsFixture.tensor(step, "input").requiringGradient()
            let y = layer(x)
            y.backward(TorchOperatorsFixture.tensor(step, "upstream"))
            let label = "step \(index) training \(layer.isTraining)"
            assertRelativelyClose(
                y.scalars, TorchOperatorsFixture.doubles(step["output"]), label, file: file, line: line)
            assertRelativelyClose(
                x.grad!.scalars, TorchOperatorsFixture.doubles(step["inputGradient"]), label, file: file, line: line)
            assertRelativelyClose(
                layer.weight!.grad!.scalars, TorchOperatorsFixture.doubles(step["weightGradient"]), label, file: file,
                line: line)
            assertRelativelyClose(
                layer.bias!.grad!.scalars, TorchOperatorsFixture.doubles(step["biasGradient"]), label, file: file,
                line: line)
            assertRelativelyClose(
                layer.runningMean.value.scalars, TorchOperatorsFixture.doubles(step["runningMean"]), label, file: file,
                line: line)
            assertRelativelyClose(
                layer.runningVariance.value.scalars, TorchOperatorsFixture.doubles(step["runningVariance"]), label,
                file: file, line: line)
            XCTAssertEqual(
                layer.batchesTracked.value.scalar, TorchOperatorsFixture.double(step["batchesTracked"]), label,
                file: file, line: line)
        }
        XCTAssertEqual(
            layer.stateDictionary.map(\.key), record["stateDictionaryKeys"] as! [String], file: file, line: line)
    }

    func testBatchNorm2dFollowsPyTorchThroughTrainingStepsAndEvaluation() throws {
        replay(BatchNorm2d(3), try TorchOperatorsFixture.load()["batchNorm2d"] as! [String: Any])
    }

    func testBatchNorm1dFollowsPyTorchThroughTrainingStepsAndEvaluation() throws {
        replay(BatchNorm1d(4), try TorchOperatorsFixture.load()["batchNorm1d"] as! [String: Any])
    }

    func testLayerIsConstructedAsPyTorchsAndNamesItsStateLikeIt() {
        let layer = BatchNorm2d<Float>(5)
        XCTAssertEqual(layer.weight?.value.scalars, [Float](repeating: 1, count: 5))
        XCTAssertEqual(layer.bias?.value.scalars, [Float](repeating: 0, count: 5))
        XCTAssertEqual(layer.runningMean.value.scalars, [Float](repeating: 0, count: 5))
        XCTAssertEqual(layer.runningVariance.value.scalars, [Float](repeating: 1, count: 5))
        XCTAssertEqual(layer.epsilon, 1e-5)
        XCTAssertEqual(layer.momentum, 0.1)
        XCTAssertTrue(layer.isTraining)
        XCTAssertEqual(
            layer.stateDictionary.map(\.key),
            ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        XCTAssertEqual(layer.namedParameters.map(\.name), ["weight", "bias"])

        final class Block: ModuleBase, Module {
            let fc = Linear<Double>(3, 4, generator: RandomGenerator(seed: 1))
            let bn1 = BatchNorm1d<Double>(4)
            func callAsFunction(_ input: Tensor<Double>) -> Tensor<Double> { bn1(fc(input)) }
        }
        XCTAssertEqual(
            Block().stateDictionary.map(\.key),
            [
                "fc.weight", "fc.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                "bn1.num_batches_tracked",
            ])
        XCTAssertEqual(
            BatchNorm1d<Double>(2, affine: false).stateDictionary.map(\.key),
            ["running_mean", "running_var", "num_batches_tracked"])
    }

    func testEvalModeUsesRunningStatisticsAndStopsUpdatingThem() {
        let layer = BatchNorm1d<Double>(2)
        let model = Sequential<Double>(layer, ReLU())
        let x = randn([8, 2]) * 3 + 2
        _ = model(x)
        let mean = layer.runningMean.value
        let variance = layer.runningVariance.value
        XCTAssertNotEqual(mean.scalars, [0, 0])
        XCTAssertEqual(layer.batchesTracked.value.scalar, 1)
        model.eval()
        XCTAssertFalse(layer.isTraining)
        let y = layer(x)
        XCTAssertEqual(layer.runningMean.value, mean)
        XCTAssertEqual(layer.runningVariance.value, variance)
        XCTAssertEqual(layer.batchesTracked.value.scalar, 1)
        let expected = (x - mean) / sqrt(variance + 1e-5)
        assertClose(y.scalars, expected.scalars, tolerance: 1e-14)
        model.train()
        XCTAssertTrue(layer.isTraining)
    }

    func testFloatAgreesWithDouble() {
        let x = randn([4, 3, 2, 2])
        let single = BatchNorm2d<Float>(3)
        let double = BatchNorm2d<Double>(3)
        let a = single(Tensor(shape: x.shape, scalars: x.scalars.map { Float($0) }))
        let b = double(x)
        assertClose(a.scalars.map { Double($0) }, b.scalars, tolerance: 1e-5)
        assertClose(
            single.runningVariance.value.scalars.map { Double($0) }, double.runningVariance.value.scalars,
            tolerance: 1e-6)
    }

    /// Large enough that the channels are split between the cores, with planes of 47 x 47 so that the
    /// eight-lane sums have a tail: output and every gradient must match the composed reference.
    func testLargeInputSplitAcrossCoresMatchesTheComposedReference() {
        let x = randn([8, 8, 47, 47]).requiringGradient()
        let weight = randn([8]).requiringGradient()
        let bias = randn([8]).requiringGradient()
        let upstream = randn(x.shape)
        var mean = Tensor<Double>.zeros([8])
        var variance = Tensor<Double>.ones([8])
        let y = batchNormalization(
            x, weight: weight, bias: bias, runningMean: &mean, runningVariance: &variance,
            training: true)
        (y * upstream).sum().backward()
        let fused = (x.grad!, weight.grad!, bias.grad!)
        x.grad = nil
        weight.grad = nil
        bias.grad = nil
        let reference = naive(x, weight, bias)
        (reference * upstream).sum().backward()
        assertClose(y.scalars, reference.scalars, tolerance: 1e-12)
        assertClose(fused.0.scalars, x.grad!.scalars, tolerance: 1e-12)
        assertClose(fused.1.scalars, weight.grad!.scalars, tolerance: 1e-10)
        assertClose(fused.2.scalars, bias.grad!.scalars, tolerance: 1e-10)
    }
}
