import KindlingPlatform

/// 2-D adaptive average pooling of an (N, C, H, W) input to (N, C, Hout, Wout), as
/// `torch.nn.functional.adaptive_avg_pool2d`: output row i averages input rows
/// floor(i H / Hout) ..< ceil((i + 1) H / Hout), output column j the columns floor(j W / Wout) ..<
/// ceil((j + 1) W / Wout), so
///
///     out[n, c, i, j] = (1 / (|rows_i| |columns_j|)) Σ_{h ∈ rows_i, w ∈ columns_j} input[n, c, h, w]
///
/// (bins overlap when the size does not divide evenly; an output larger than the input repeats input
/// positions). Each input position receives, from every bin that contains it, the upstream gradient of
/// that bin divided by the bin's size. ResNets use it with output size 1: the global average pool.
///
/// ```swift
/// let pooled = adaptiveAvgPool2d(features, outputSize: (1, 1))   // [N, 64, 7, 7] -> [N, 64, 1, 1]
/// ```
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func adaptiveAvgPool2d<Scalar>(_ input: Tensor<Scalar>, outputSize: (Int, Int)) -> Tensor<Scalar> {
    let bins = AdaptiveBins(input.shape, outputSize)
    let result = Tensor(shape: bins.outputShape, scalars: bins.average(input.scalars))
    guard Tensor.recording(input) else { return result }
    let inputShape = input.shape
    return Tensor.record("adaptiveAvgPool2d", result, inputs: [input]) { upstream in
        [Tensor(shape: inputShape, scalars: bins.averageGradient(upstream.scalars))]
    }
}

/// `adaptiveAvgPool2d` to a square output size × size.
public func adaptiveAvgPool2d<Scalar>(_ input: Tensor<Scalar>, outputSize: Int) -> Tensor<Scalar> {
    adaptiveAvgPool2d(input, outputSize: (outputSize, outputSize))
}

/// The bins of adaptive pooling: for each output row (column), the input rows (columns) it averages,
/// with PyTorch's start = floor(i · In / Out) and end = ceil((i + 1) · In / Out).
struct AdaptiveBins {
    let planes: Int
    let height: Int
    let width: Int
    let rows: [Range<Int>]
    let columns: [Range<Int>]
    let outputShape: [Int]

    init(_ shape: [Int], _ outputSize: (Int, Int)) {
        require(shape.count == 4, "adaptiveAvgPool2d: the input must be 4-D (N, C, H, W), got shape \(shape)")
        require(
            shape[2] > 0 && shape[3] > 0,
            "adaptiveAvgPool2d: the input's height and width must be positive, got shape \(shape)")
        require(
            outputSize.0 > 0 && outputSize.1 > 0,
            "adaptiveAvgPool2d: the output size \(outputSize) must be positive")
        planes = shape[0] * shape[1]
        height = shape[2]
        width = shape[3]
        func bins(_ input: Int, _ output: Int) -> [Range<Int>] {
            (0..<output).map { i in (i * input / output)..<(((i + 1) * input + output - 1) / output) }
        }
        rows = bins(height, outputSize.0)
        columns = bins(width, outputSize.1)
        outputShape = [shape[0], shape[1], outputSize.0, outputSize.1]
    }

    /// The bin means, plane by plane.
    func average<Scalar: TensorScalar>(_ input: [Scalar]) -> [Scalar] {
        var output: [Scalar] = []
        output.reserveCapacity(planes * rows.count * columns.count)
        for plane in 0..<planes {
            let base = plane * height * width
            for r in rows {
                for c in columns {
                    var total: Scalar = 0
                    for h in r {
                        for w in c { total += input[base + h * width + w] }
                    }
                    output.append(total / Scalar(r.count * c.count))
                }
            }
        }
        return output
    }

    /// Each upstream gradient divided by its bin's size, added to every input position of the bin.
    func averageGradient<Scalar: TensorScalar>(_ upstream: [Scalar]) -> [Scalar] {
        var gradient = [Scalar](repeating: 0, count: planes * height * width)
        var o = 0
        for plane in 0..<planes {
            let base = plane * height * width
            for r in rows {
                for c in columns {
                    let share = upstream[o] / Scalar(r.count * c.count)
                    o += 1
                    for h in r {
                        for w in c { gradient[base + h * width + w] += share }
                    }
                }
            }
        }
        return gradient
    }
}
