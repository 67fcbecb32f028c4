import Kindling
import KindlingTestSupport
import XCTest

/// Pooling by the definition, one window at a time: the output and the gradient of sum(output * upstream)
/// with respect to the input (max: all of a window's gradient to its first maximum).
func naivePool(
    _ x: Tensor<Double>, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
    maximum: Bool, countIncludePad: Bool = true, upstream: Tensor<Double>
)
    -> (output: [Double], input: [Double])
{
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = (h + 2 * padding.0 - kernel.0) / stride.0 + 1
    let ow = (w + 2 * padding.1 - kernel.1) / stride.1 + 1
    var output: [Double] = []
    var gradient = [Double](repeating: 0, count: x.count)
    for s in 0..<n {
        for ch in 0..<c {
            for i in 0..<oh {
                for j in 0..<ow {
                    var inside: [(Int, Int)] = []
                    for p in 0..<kernel.0 {
                        for q in 0..<kernel.1 {
                            let y = i * stride.0 - padding.0 + p
                            let z = j * stride.1 - padding.1 + q
                            if y >= 0 && y < h && z >= 0 && z < w { inside.append((y, z)) }
                        }
                    }
                    let g = upstream[s, ch, i, j]
                    let flat = { (y: Int, z: Int) in ((s * c + ch) * h + y) * w + z }
                    if maximum {
                        var best = inside[0]
                        for (y, z) in inside where x[s, ch, y, z] > x[s, ch, best.0, best.1] { best = (y, z) }
                        output.append(x[s, ch, best.0, best.1])
                        gradient[flat(best.0, best.1)] += g
                    } else {
                        let divisor = Double(countIncludePad ? kernel.0 * kernel.1 : inside.count)
                        output.append(inside.reduce(0) { $0 + x[s, ch, $1.0, $1.1] } / divisor)
                        for (y, z) in inside { gradient[flat(y, z)] += g / divisor }
                    }
                }
            }
        }
    }
    return (output, gradient)
}

final class PoolingTests: XCTestCase {
    let generator = RandomGenerator(seed: 13)

    /// Distinct values 0.1 apart in random order, so that no window has a tie or a near tie (finite
    /// differences of max are then exact).
    func distinct(_ shape: [Int]) -> Tensor<Double> {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: generator.permutation(count).map { Double($0) * 0.1 - 1 })
    }

    func testMaxPoolGradcheckOverlappingPaddedAndRectangularWindows() {
        let configurations: [([Int], (Int, Int), (Int, Int)?, (Int, Int))] = [
            ([1, 1, 4, 4], (2, 2), nil, (0, 0)),
            ([2, 3, 6, 5], (2, 2), nil, (0, 0)),
            ([2, 2, 5, 5], (3, 3), (1, 1), (1, 1)),
            ([1, 2, 7, 6], (3, 3), (2, 2), (1, 1)),
            ([2, 1, 5, 6], (3, 2), (1, 2), (1, 1)),
            ([1, 2, 6, 7], (2, 3), (2, 1), (0, 1)),
        ]
        for (shape, kernel, stride, padding) in configurations {
            let result = gradcheck(
                { maxPool2d($0[0], kernelSize: kernel, stride: stride, padding: padding) },
                inputs: [distinct(shape)])
            XCTAssertTrue(result.passed, "\(shape) \(kernel): \(result.description)")
        }
    }

    func testAvgPoolGradcheckWithAndWithoutPaddingInTheDivisor() {
        let configurations: [([Int], (Int, Int), (Int, Int)?, (Int, Int))] = [
            ([2, 3, 4, 6], (2, 2), nil, (0, 0)),
            ([2, 2, 5, 5], (3, 3), (1, 1), (1, 1)),
            ([1, 2, 7, 6], (3, 3), (2, 2), (1, 1)),
            ([2, 1, 5, 7], (2, 3), (1, 2), (1, 1)),
        ]
        for (shape, kernel, stride, padding) in configurations {
            for countIncludePad in [true, false] {
                let result = gradcheck(
                    {
                        avgPool2d(
                            $0[0], kernelSize: kernel, stride: stride, padding: padding,
                            countIncludePad: countIncludePad)
                    }, inputs: [Tensor.randn(shape, generator: generator)])
                XCTAssertTrue(result.passed, "\(shape) \(kernel) \(countIncludePad): \(result.description)")
            }
        }
    }

    func testAgreesWithNaivePoolingForwardAndBackward() {
        let configurations: [([Int], (Int, Int), (Int, Int), (Int, Int))] = [
            ([2, 3, 8, 8], (2, 2), (2, 2), (0, 0)),
            ([2, 3, 9, 7], (2, 2), (2, 2), (0, 0)),
            ([8, 16, 32, 32], (2, 2), (2, 2), (0, 0)),  // enough planes to be split between the cores
            ([2, 2, 9, 7], (3, 3), (2, 2), (1, 1)),
            ([1, 3, 6, 9], (3, 2), (1, 3), (1, 1)),
            ([2, 2, 7, 7], (3, 3), (1, 1), (1, 0)),
        ]
        for (shape, kernel, stride, padding) in configurations {
            let raw = Tensor<Double>.randn(shape, generator: generator)
            // Halves make ties in most windows, so the first-maximum rule is exercised.
            for x in [raw, ((raw * 2) .> 0) - ((raw * 2) .< -1)] {
                let leaf = x.requiringGradient()
                let y = maxPool2d(leaf, kernelSize: kernel, stride: stride, padding: padding)
                let upstream = Tensor<Double>.randn(y.shape, generator: generator)
                y.backward(upstream)
                let naive = naivePool(
                    x, kernel: kernel, stride: stride, padding: padding, maximum: true, upstream: upstream)
                assertClose(y.scalars, naive.output, tolerance: 0, "max \(shape) \(kernel)")
                assertClose(leaf.grad?.scalars ?? [], naive.input, tolerance: 1e-14, "max gradient \(shape) \(kernel)")
            }
            for countIncludePad in [true, false] {
                let leaf = raw.requiringGradient()
                let y = avgPool2d(
                    leaf, kernelSize: kernel, stride: stride, padding: padding, countIncludePad: countIncludePad)
                let upstream = Tensor<Double>.randn(y.shape, generator: generator)
                y.backward(upstream)
                let naive = naivePool(
                    raw, kernel: kernel, stride: stride, padding: padding, maximum: false,
                    countIncludePad: countIncludePad, upstream: upstream)
                assertClose(y.scalars, naive.output, tolerance: 1e-14, "avg \(shape) \(kernel)")
                assertClose(leaf.grad?.scalars ?? [], naive.input, tolerance: 1e-14, "avg gradient \(shape) \(kernel)")
            }
        }
    }

    func testMaxPoolTiesGoToTheFirstMaximumAndOverlapsAccumulate() {
        let equal = Tensor<Double>.ones([1, 1, 2, 2]).requiringGradient()
        maxPool2d(equal, kernelSize: 2).sum().backward()
        XCTAssertEqual(equal.grad?.scalars, [1, 0, 0, 0])

        // The center is the maximum of all four overlapping 2x2 windows (stride 1).
        let peak = Tensor<Double>(shape: [1, 1, 3, 3], scalars: [1, 2, 1, 2, 9, 2, 1, 2, 1]).requiringGradient()
        let y = maxPool2d(peak, kernelSize: 2, stride: 1)
        XCTAssertEqual(y.scalars, [9, 9, 9, 9])
        y.sum().backward()
        XCTAssertEqual(peak.grad?.scalars, [0, 0, 0, 0, 9 - 5, 0, 0, 0, 0])
    }

    func testMaxPoolNaNWinsItsWindowAndTakesTheGradient() {
        // The 2 x 2 stride-2 path and the general one (3 x 3 windows).
        for (side, kernel) in [(2, 2), (3, 3)] {
            var values = [Double](repeating: 1, count: side * side)
            values[1] = .nan
            values[side * side - 1] = 5
            let x = Tensor<Double>(shape: [1, 1, side, side], scalars: values).requiringGradient()
            let y = maxPool2d(x, kernelSize: kernel)
            XCTAssertTrue(y.scalars[0].isNaN, "\(kernel)")
            y.backward(Tensor(shape: y.shape, scalars: [3]))
            XCTAssertEqual(x.grad?.scalars[1], 3, "\(kernel)")
            XCTAssertEqual(x.grad?.scalars.reduce(0, +), 3, "\(kernel)")
        }
    }

    func testMaxPoolPaddingNeverWinsAndAvgPoolDivisors() {
        let negative = Tensor<Double>(repeating: -5, shape: [1, 1, 3, 3])
        XCTAssertEqual(maxPool2d(negative, kernelSize: 3, stride: 2, padding: 1).scalars, [-5, -5, -5, -5])
        let ones = Tensor<Double>.ones([1, 1, 3, 3])
        // Corner windows of a 3x3 kernel with padding 1 hold 4 input positions out of 9.
        let corner: Double = 4.0 / 9
        XCTAssertEqual(avgPool2d(ones, kernelSize: 3, stride: 2, padding: 1).scalars, [corner, corner, corner, corner])
        XCTAssertEqual(
            avgPool2d(ones, kernelSize: 3, stride: 2, padding: 1, countIncludePad: false).scalars, [1, 1, 1, 1])
        XCTAssertEqual(avgPool2d(ones, kernelSize: 2, stride: 1).shape, [1, 1, 2, 2])
    }

    func testMatchesPyTorchValuesAndGradients() throws {
        let maxCases = try TorchWindowCase.load("max_pool2d")
        let avgCases = try TorchWindowCase.load("avg_pool2d")
        XCTAssertGreaterThanOrEqual(maxCases.count, 4)
        XCTAssertGreaterThanOrEqual(avgCases.count, 5)
        for (c, isMax) in maxCases.map({ ($0, true) }) + avgCases.map({ ($0, false) }) {
            let x = c.tensor("input", as: Double.self).requiringGradient()
            let y =
                isMax
                ? maxPool2d(x, kernelSize: c.pair("kernel_size"), stride: c.pair("stride"), padding: c.pair("padding"))
                : avgPool2d(
                    x, kernelSize: c.pair("kernel_size"), stride: c.pair("stride"), padding: c.pair("padding"),
                    countIncludePad: c.option("count_include_pad")?.boolValue ?? true)
            XCTAssertEqual(y.shape, c.tensor("output", as: Double.self).shape, c.name)
            assertClose(y.scalars, c.numbers("output"), tolerance: 1e-10, c.name)
            y.backward(c.tensor("upstream"))
            assertClose(x.grad?.scalars ?? [], c.numbers("grad_input"), tolerance: 1e-10, "\(c.name) gradient")
        }
    }

    func testFloatForwardMatchesPyTorch() throws {
        for c in try TorchWindowCase.load("max_pool2d") {
            let y = maxPool2d(
                c.tensor("input", as: Float.self), kernelSize: c.pair("kernel_size"),
                stride: c.pair("stride"), padding: c.pair("padding"))
            assertClose(y.scalars, c.numbers("output").map { Float($0) }, tolerance: 1e-6, c.name)
        }
        for c in try TorchWindowCase.load("avg_pool2d") {
            let y = avgPool2d(
                c.tensor("input", as: Float.self), kernelSize: c.pair("kernel_size"),
                stride: c.pair("stride"), padding: c.pair("padding"),
                countIncludePad: c.option("count_include_pad")?.boolValue ?? true)
            assertClose(y.scalars, c.numbers("output").map { Float($0) }, tolerance: 1e-5, c.name)
        }
    }

    func testPoolingLayersCallTheFunctions() {
        let x = Tensor<Double>.randn([2, 3, 6, 6], generator: generator)
        let maxLayer = MaxPool2d<Double>(kernelSize: 2)
        XCTAssertEqual(maxLayer.stride.0, 2)
        XCTAssertEqual(maxLayer(x).scalars, maxPool2d(x, kernelSize: 2).scalars)
        XCTAssertEqual(
            MaxPool2d<Double>(kernelSize: (3, 2), stride: (1, 2), padding: (1, 1))(x).scalars,
            maxPool2d(x, kernelSize: (3, 2), stride: (1, 2), padding: (1, 1)).scalars)
        let avgLayer = AvgPool2d<Double>(kernelSize: 3, stride: 2, padding: 1, countIncludePad: false)
        XCTAssertEqual(
            avgLayer(x).scalars, avgPool2d(x, kernelSize: 3, stride: 2, padding: 1, countIncludePad: false).scalars)
        XCTAssertEqual(avgLayer(x).shape, [2, 3, 3, 3])
        XCTAssertTrue(maxLayer.namedParameters.isEmpty)
    }
}
