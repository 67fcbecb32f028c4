import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// One configuration of Tests/KindlingTestSupport/Fixtures/torch_convolution.json (written by
/// Scripts/reference/torch_convolution.py with PyTorch in float64): named tensors, options, the output,
/// the upstream gradient and the gradients of sum(output * upstream).
struct TorchWindowCase {
    let name: String
    let entry: [String: Any]

    /// The cases of one operation ("conv2d", "max_pool2d", "avg_pool2d").
    static func load(_ operation: String) throws -> [TorchWindowCase] {
        let root = try XCTUnwrap(fixture("torch_convolution.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_convolution.py")
        let entries = try XCTUnwrap(root[operation] as? [[String: Any]])
        return entries.map { TorchWindowCase(name: $0["name"] as? String ?? "?", entry: $0) }
    }

    func has(_ key: String) -> Bool { entry[key] != nil }

    func numbers(_ key: String) -> [Double] {
        (entry[key] as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue ?? .nan }
    }

    /// The tensor stored under `key` (with its shape under `key_shape`).
    func tensor<S: TensorScalar>(_ key: String, as _: S.Type = S.self) -> Tensor<S> {
        let shapeKey =
            key == "output" || key == "upstream"
            ? "output_shape" : key.replacingOccurrences(of: "grad_", with: "") + "_shape"
        return Tensor(shape: numbers(shapeKey).map { Int($0) }, scalars: numbers(key).map { S($0) })
    }

    /// An integer pair option.
    func pair(_ key: String) -> (Int, Int) {
        let values = ((entry["options"] as? [String: Any])?[key] as? [Any] ?? []).map {
            ($0 as? NSNumber)?.intValue ?? 0
        }
        return (values[0], values[1])
    }

    /// A number or Boolean option.
    func option(_ key: String) -> NSNumber? { (entry["options"] as? [String: Any])?[key] as? NSNumber }
}

/// A convolution's sizes for the naive reference below.
struct NaiveConvolution {
    let stride: (Int, Int)
    let padding: (Int, Int)
    let dilation: (Int, Int)
    let groups: Int

    /// Output, and the gradients of sum(output * upstream) with respect to input, weight and bias, by
    /// the definition of the convolution, one term at a time (no im2col, no BLAS).
    func run(input x: Tensor<Double>, weight w: Tensor<Double>, bias b: Tensor<Double>?, upstream: Tensor<Double>?)
        -> (output: Tensor<Double>, input: [Double], weight: [Double], bias: [Double])
    {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let og = o / groups
        let oh = (h + 2 * padding.0 - dilation.0 * (kh - 1) - 1) / stride.0 + 1
        let ow = (wd + 2 * padding.1 - dilation.1 * (kw - 1) - 1) / stride.1 + 1
        var out = Tensor<Double>.zeros([n, o, oh, ow])
        var gx = [Double](repeating: 0, count: x.count)
        var gw = [Double](repeating: 0, count: w.count)
        var gb = [Double](repeating: 0, count: o)
        for s in 0..<n {
            for oc in 0..<o {
                for i in 0..<oh {
                    for j in 0..<ow {
                        let g = upstream?[s, oc, i, j] ?? 0
                        var total = b?[oc] ?? 0
                        gb[oc] += g
                        for ic in 0..<cg {
                            let channel = oc / og * cg + ic
                            for p in 0..<kh {
                                for q in 0..<kw {
                                    let y = i * stride.0 - padding.0 + p * dilation.0
                                    let z = j * stride.1 - padding.1 + q * dilation.1
                                    guard y >= 0, y < h, z >= 0, z < wd else { continue }
                                    total += w[oc, ic, p, q] * x[s, channel, y, z]
                                    gx[((s * c + channel) * h + y) * wd + z] += w[oc, ic, p, q] * g
                                    gw[((oc * cg + ic) * kh + p) * kw + q] += x[s, channel, y, z] * g
                                }
                            }
                        }
                        out[s, oc, i, j] = total
                    }
                }
            }
        }
        return (out, gx, gw, gb)
    }
}

final class ConvolutionTests: XCTestCase {
    let generator = RandomGenerator(seed: 11)

    func randn(_ shape: [Int]) -> Tensor<Double> { Tensor.randn(shape, generator: generator) }

    /// gradcheck of conv2d with respect to input, weight and (when `bias`) bias.
    func checkGradients(
        input: [Int], weight: [Int], bias: Bool = true, stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let inputs = [randn(input), randn(weight)] + (bias ? [randn([weight[0]])] : [])
        let result = gradcheck(
            { t in
                conv2d(
                    t[0], weight: t[1], bias: t.count == 3 ? t[2] : nil, stride: stride, padding: padding,
                    dilation: dilation, groups: groups)
            }, inputs: inputs)
        XCTAssertTrue(result.passed, result.description, file: file, line: line)
    }

    func testGradcheckPlainStridedPaddedDilatedGroupedAndBatched() {
        checkGradients(input: [1, 1, 4, 4], weight: [1, 1, 2, 2])
        checkGradients(input: [2, 3, 5, 5], weight: [2, 3, 3, 3])
        checkGradients(input: [2, 2, 6, 5], weight: [3, 2, 3, 3], stride: (2, 2))
        checkGradients(input: [1, 2, 4, 5], weight: [2, 2, 3, 3], padding: (1, 1))
        checkGradients(input: [2, 2, 6, 7], weight: [2, 2, 3, 2], stride: (2, 1), padding: (1, 2))
        checkGradients(input: [1, 2, 7, 7], weight: [2, 2, 3, 3], bias: false, padding: (2, 2), dilation: (2, 2))
        checkGradients(input: [2, 4, 5, 4], weight: [4, 2, 2, 3], groups: 2)
        checkGradients(input: [2, 3, 5, 5], weight: [6, 1, 3, 3], padding: (1, 1), groups: 3)
        checkGradients(input: [2, 4, 3, 3], weight: [2, 4, 1, 1])
        checkGradients(
            input: [1, 4, 8, 7], weight: [4, 2, 2, 3], stride: (2, 3), padding: (1, 2),
            dilation: (2, 1), groups: 2)
    }

    /// Kindling's conv2d, forward and all three gradients, against the naive definition.
    func checkAgainstNaive(
        input: [Int], weight: [Int], bias: Bool = true, stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1,
        tolerance: Double = 1e-12, file: StaticString = #filePath, line: UInt = #line
    ) {
        let x = randn(input).requiringGradient()
        let w = randn(weight).requiringGradient()
        let b = bias ? randn([weight[0]]).requiringGradient() : nil
        let y = conv2d(x, weight: w, bias: b, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let upstream = randn(y.shape)
        y.backward(upstream)
        let naive = NaiveConvolution(stride: stride, padding: padding, dilation: dilation, groups: groups)
            .run(input: x, weight: w, bias: b, upstream: upstream)
        XCTAssertEqual(y.shape, naive.output.shape, file: file, line: line)
        assertClose(y.scalars, naive.output.scalars, tolerance: tolerance, "output", file: file, line: line)
        assertClose(x.grad?.scalars ?? [], naive.input, tolerance: tolerance, "input gradient", file: file, line: line)
        assertClose(
            w.grad?.scalars ?? [], naive.weight, tolerance: tolerance, "weight gradient", file: file, line: line)
        if let b {
            assertClose(
                b.grad?.scalars ?? [], naive.bias, tolerance: tolerance, "bias gradient", file: file, line: line)
        }
    }

    func testAgreesWithNaiveConvolutionForwardAndBackward() {
        checkAgainstNaive(input: [3, 3, 8, 9], weight: [5, 3, 3, 3])
        checkAgainstNaive(input: [2, 3, 9, 8], weight: [4, 3, 3, 2], stride: (2, 2), padding: (1, 1))
        checkAgainstNaive(input: [2, 2, 9, 9], weight: [3, 2, 3, 3], bias: false, padding: (2, 1), dilation: (2, 2))
        checkAgainstNaive(input: [2, 6, 7, 7], weight: [4, 3, 2, 3], stride: (1, 2), padding: (1, 0), groups: 2)
        checkAgainstNaive(input: [2, 4, 6, 6], weight: [8, 1, 3, 3], padding: (1, 1), groups: 4)
        checkAgainstNaive(input: [2, 5, 4, 6], weight: [3, 5, 1, 1])
        checkAgainstNaive(input: [1, 2, 5, 5], weight: [2, 2, 1, 1], stride: (2, 2), padding: (1, 1))
        checkAgainstNaive(input: [2, 3, 4, 4], weight: [2, 3, 4, 4], padding: (1, 1), dilation: (1, 1))
        checkAgainstNaive(
            input: [1, 2, 10, 3], weight: [2, 2, 3, 1], stride: (3, 1), padding: (0, 2), dilation: (3, 1))
    }

    /// Batches with enough work to be split between the cores (every part with its own column buffer and
    /// its own weight-gradient sum): plain, pointwise and grouped.
    func testSamplesSplitBetweenCoresAgreeWithNaiveConvolution() {
        checkAgainstNaive(input: [6, 3, 32, 32], weight: [4, 3, 3, 3], padding: (1, 1), tolerance: 1e-11)
        checkAgainstNaive(input: [6, 32, 32, 32], weight: [2, 32, 1, 1], tolerance: 1e-11)
        checkAgainstNaive(input: [7, 4, 32, 32], weight: [4, 2, 3, 3], padding: (1, 1), groups: 2, tolerance: 1e-11)
    }

    func testMatchesPyTorchValuesAndAllGradients() throws {
        let cases = try TorchWindowCase.load("conv2d")
        XCTAssertGreaterThanOrEqual(cases.count, 7)
        for c in cases {
            let x = c.tensor("input", as: Double.self).requiringGradient()
            let w = c.tensor("weight", as: Double.self).requiringGradient()
            let b: Tensor<Double>? = c.has("bias") ? c.tensor("bias").requiringGradient() : nil
            let y = conv2d(
                x, weight: w, bias: b, stride: c.pair("stride"), padding: c.pair("padding"),
                dilation: c.pair("dilation"), groups: c.option("groups")?.intValue ?? 0)
            XCTAssertEqual(y.shape, c.tensor("output", as: Double.self).shape, c.name)
            assertClose(y.scalars, c.numbers("output"), tolerance: 1e-10, c.name)
            y.backward(c.tensor("upstream"))
            assertClose(x.grad?.scalars ?? [], c.numbers("grad_input"), tolerance: 1e-10, "\(c.name) input")
            assertClose(w.grad?.scalars ?? [], c.numbers("grad_weight"), tolerance: 1e-10, "\(c.name) weight")
            if let b { assertClose(b.grad?.scalars ?? [], c.numbers("grad_bias"), tolerance: 1e-10, "\(c.name) bias") }
        }
    }

    func testFloatForwardMatchesPyTorch() throws {
        for c in try TorchWindowCase.load("conv2d") {
            let y = conv2d(
                c.tensor("input", as: Float.self), weight: c.tensor("weight"),
                bias: c.has("bias") ? c.tensor("bias") : nil, stride: c.pair("stride"),
                padding: c.pair("padding"), dilation: c.pair("dilation"),
                groups: c.option("groups")?.intValue ?? 0)
            assertClose(y.scalars, c.numbers("output").map { Float($0) }, tolerance: 1e-4, c.name)
        }
    }

    func testOutputSizeFollowsPyTorchFormula() {
        let x = Tensor<Float>.zeros([2, 4, 11, 10])
        XCTAssertEqual(conv2d(x, weight: .zeros([6, 4, 3, 3])).shape, [2, 6, 9, 8])
        XCTAssertEqual(conv2d(x, weight: .zeros([6, 4, 3, 3]), padding: 1).shape, [2, 6, 11, 10])
        XCTAssertEqual(conv2d(x, weight: .zeros([6, 4, 3, 3]), stride: 2, padding: 1).shape, [2, 6, 6, 5])
        XCTAssertEqual(conv2d(x, weight: .zeros([6, 2, 3, 3]), dilation: 2, groups: 2).shape, [2, 6, 7, 6])
        XCTAssertEqual(conv2d(x, weight: .zeros([6, 4, 11, 1])).shape, [2, 6, 1, 10])
    }

    func testConstantsRecordNothingAndOnlyRequestedGradientsAreComputed() {
        let x = randn([1, 2, 4, 4])
        let w = randn([3, 2, 3, 3]).requiringGradient()
        XCTAssertFalse(conv2d(x, weight: randn([3, 2, 3, 3])).requiresGradient)
        let y = conv2d(x, weight: w, bias: randn([3]))
        y.sum().backward()
        XCTAssertEqual(w.grad?.shape, [3, 2, 3, 3])
        let naive = NaiveConvolution(stride: (1, 1), padding: (0, 0), dilation: (1, 1), groups: 1)
            .run(input: x, weight: w, bias: nil, upstream: .ones(y.shape))
        assertClose(w.grad?.scalars ?? [], naive.weight, tolerance: 1e-12)
    }

    func testConv2dLayerInitializationAndForward() {
        let conv = Conv2d<Double>(
            4, 6, kernelSize: (3, 2), stride: (2, 1), padding: (1, 0), groups: 2,
            generator: RandomGenerator(seed: 5))
        XCTAssertEqual(conv.weight.shape, [6, 2, 3, 2])
        XCTAssertEqual(conv.bias?.shape, [6])
        XCTAssertEqual(conv.namedParameters.map(\.name), ["weight", "bias"])
        // fan_in = 4 / 2 * 3 * 2 = 12; weight drawn first (row-major), then bias, from the same generator.
        let bound = 1 / 12.0.squareRoot()
        let reference = RandomGenerator(seed: 5)
        let expectedWeight = (0..<72).map { _ in reference.uniform(low: -bound, high: bound) }
        let expectedBias = (0..<6).map { _ in reference.uniform(low: -bound, high: bound) }
        XCTAssertEqual(conv.weight.value.scalars, expectedWeight)
        XCTAssertEqual(conv.bias?.value.scalars, expectedBias)
        let x = randn([2, 4, 5, 4])
        let direct = conv2d(
            x, weight: conv.weight.value, bias: conv.bias?.value, stride: (2, 1), padding: (1, 0), groups: 2)
        XCTAssertEqual(conv(x).scalars, direct.scalars)
        XCTAssertEqual(conv(x).shape, [2, 6, 3, 3])
    }

    func testConv2dLayerSquareConvenienceWithoutBiasTrainsItsWeight() {
        let conv = Conv2d<Double>(3, 2, kernelSize: 3, padding: 1, bias: false, generator: RandomGenerator(seed: 1))
        XCTAssertNil(conv.bias)
        XCTAssertEqual(conv.namedParameters.map(\.name), ["weight"])
        XCTAssertTrue(conv.weight.value.scalars.allSatisfy { Swift.abs($0) <= 1 / 27.0.squareRoot() })
        conv(randn([2, 3, 4, 4])).sum().backward()
        XCTAssertEqual(conv.weight.grad?.shape, [2, 3, 3, 3])
    }

    func testSmallConvolutionalNetworkHasPyTorchKeysAndPassesGradcheck() {
        let generator = RandomGenerator(seed: 3)
        let model = Sequential<Double>(
            Conv2d(2, 3, kernelSize: 3, padding: 1, generator: generator), ReLU(), MaxPool2d(kernelSize: 2),
            Conv2d(3, 4, kernelSize: 2, groups: 1, bias: false, generator: generator), AvgPool2d(kernelSize: 2),
            Flatten(), Linear(4, 2, generator: generator))
        XCTAssertEqual(model.namedParameters.map(\.name), ["0.weight", "0.bias", "3.weight", "6.weight", "6.bias"])
        let x = randn([2, 2, 6, 6])
        XCTAssertEqual(model(x).shape, [2, 2])
        let conv1 = model.layers[0] as! Conv2d<Double>
        let conv2 = model.layers[3] as! Conv2d<Double>
        let result = gradcheck(
            { t in
                let h = maxPool2d(relu(conv2d(t[0], weight: t[1], bias: t[2], padding: 1)), kernelSize: 2)
                return Flatten()(avgPool2d(conv2d(h, weight: t[3]), kernelSize: 2))
            }, inputs: [x, conv1.weight.value, conv1.bias!.value, conv2.weight.value])
        XCTAssertTrue(result.passed, result.description)
    }

    func testFlattenCollapsesTrailingAxesAndPassesGradientBack() {
        let x = randn([2, 3, 4, 5]).requiringGradient()
        let y = Flatten<Double>()(x)
        XCTAssertEqual(y.shape, [2, 60])
        XCTAssertEqual(y.scalars, x.scalars)
        XCTAssertEqual(Flatten<Double>(startAxis: 1, endAxis: 2)(x).shape, [2, 12, 5])
        XCTAssertEqual(Flatten<Double>(startAxis: 0)(x).shape, [120])
        let weights = randn([2, 60])
        (y * weights).sum().backward()
        XCTAssertEqual(x.grad?.shape, [2, 3, 4, 5])
        XCTAssertEqual(x.grad?.scalars, weights.scalars)
    }
}
