/// Double's kernels are Swift loops with libm's precision (erf, exp), which the float64 checks against
/// PyTorch need.
///
/// The sums run over contiguous values in eight interleaved partial sums, combined pairwise at the end: a
/// single running total is one chain of dependent additions, each waiting for the last; eight independent
/// ones pipeline and vectorize, and pairwise combination rounds no worse than the chain.
extension Double: VectorKernelScalar {
    /// x Φ(x) with libm's erf, value by value.
    public static func applyGELU(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { y[i] = x[i] * GELUKernel.cdf(x[i]) }
    }

    /// g (Φ(x) + x φ(x)) with libm's erf and exp, value by value.
    public static func geluBackward(
        _ x: UnsafePointer<Double>, upstream g: UnsafePointer<Double>,
        into dx: UnsafeMutablePointer<Double>, count: Int
    ) {
        for i in 0..<count { dx[i] = g[i] * GELUKernel.derivative(x[i], .none) }
    }

    /// Row by row: scale x + bias and the maximum, then the exponentials and their total, then the quotients.
    public static func softmaxRows(
        _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, rows: Int,
        width: Int, scale: Double, bias: UnsafePointer<Double>?, rowsPerBias: Int
    ) {
        for row in 0..<rows {
            let (input, line) = (x + row * width, y + row * width)
            let shift = bias.map { $0 + (row / rowsPerBias) * width }
            var maximum = -Double.infinity
            for j in 0..<width {
                line[j] = input[j] * scale + (shift?[j] ?? 0)
                maximum = Swift.max(maximum, line[j])
            }
            var total: Double = 0
            for j in 0..<width {
                line[j] = Double.exp(line[j] - maximum)
                total += line[j]
            }
            for j in 0..<width { line[j] /= total }
        }
    }

    /// Row by row: the mean, then the squared deviations from it, then the normalized values.
    public static func layerNormRows(
        _ x: UnsafePointer<Double>, weight: UnsafePointer<Double>,
        bias: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
        normalized: UnsafeMutablePointer<Double>?,
        inverseDeviations: UnsafeMutablePointer<Double>?, rows: Int, width: Int,
        epsilon: Double
    ) {
        for row in 0..<rows {
            let start = row * width
            var sum = 0.0
            for j in 0..<width { sum += x[start + j] }
            let mean = sum / Double(width)
            var squares = 0.0
            for j in 0..<width {
                let d = x[start + j] - mean
                squares += d * d
            }
            let inverse = 1 / (squares / Double(width) + epsilon).squareRoot()
            inverseDeviations?[row] = inverse
            for j in 0..<width {
                let value = (x[start + j] - mean) * inverse
                normalized?[start + j] = value
                y[start + j] = value * weight[j] + bias[j]
            }
        }
    }

    /// Σ x in eight partial sums.
    public static func sum(_ x: UnsafePointer<Double>, count: Int) -> Double {
        laneSum(count: count) { x[$0] }
    }

    /// Σ (x - center)² in eight partial sums.
    public static func sumOfSquares(_ x: UnsafePointer<Double>, count: Int, about center: Double) -> Double {
        laneSum(count: count) { i in
            let deviation = x[i] - center
            return deviation * deviation
        }
    }

    /// Σ a (b - center) in eight partial sums.
    public static func sumOfProducts(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int,
        about center: Double
    ) -> Double {
        laneSum(count: count) { a[$0] * (b[$0] - center) }
    }

    /// Σ term(i) over 0..<count: lane k sums the terms i ≡ k (mod 8) of the first multiple of 8, the lanes
    /// are combined pairwise, and the remaining terms are summed apart and added last.
    @inline(__always)
    private static func laneSum(count: Int, _ term: (Int) -> Double) -> Double {
        var lanes = SIMD8<Double>()
        var i = 0
        while i + 8 <= count {
            lanes += SIMD8(
                term(i), term(i + 1), term(i + 2), term(i + 3), term(i + 4), term(i + 5), term(i + 6), term(i + 7))
            i += 8
        }
        var tail = 0.0
        while i < count {
            tail += term(i)
            i += 1
        }
        return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
            + tail
    }

    /// (x - mean) k weight + bias, then ReLU when `rectified`, value by value.
    public static func batchNormRun(
        _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int,
        mean: Double, k: Double, weight: Double, bias: Double, rectified: Bool
    ) {
        for i in 0..<count { y[i] = (x[i] - mean) * k * weight + bias }
        if rectified { for i in 0..<count where y[i] <= 0 { y[i] = 0 } }
    }

    /// factor (g - meanG - (x - mean) k meanGH), value by value.
    public static func batchNormRunBackward(
        _ g: UnsafePointer<Double>, input x: UnsafePointer<Double>,
        into dx: UnsafeMutablePointer<Double>, count: Int, factor: Double,
        meanG: Double, mean: Double, k: Double, meanGH: Double
    ) {
        for i in 0..<count { dx[i] = factor * (g[i] - meanG - (x[i] - mean) * k * meanGH) }
    }

    /// g where y is not <= 0, value by value.
    public static func reluBackward(
        _ g: UnsafePointer<Double>, output y: UnsafePointer<Double>,
        into out: UnsafeMutablePointer<Double>, count: Int
    ) {
        for i in 0..<count { out[i] = y[i] <= 0 ? 0 : g[i] }
    }

    /// Each window's four values read directly, in row-major order.
    public static func maxPool2x2(
        _ x: UnsafePointer<Double>, width: Int, outputHeight: Int, outputWidth: Int,
        into out: UnsafeMutablePointer<Double>, argmax: UnsafeMutablePointer<Int32>
    ) {
        // Indices stay below the plane size, checked to fit Int32 by the caller: no overflow checks.
        for i in 0..<outputHeight {
            let top = 2 &* i &* width
            let bottom = top &+ width
            let row = i &* outputWidth
            for j in 0..<outputWidth {
                let c = 2 &* j
                var best = -Double.infinity
                var position = top &+ c
                Pooling<Double>.consider(x[top &+ c], at: top &+ c, &best, &position)
                Pooling<Double>.consider(x[top &+ c &+ 1], at: top &+ c &+ 1, &best, &position)
                Pooling<Double>.consider(x[bottom &+ c], at: bottom &+ c, &best, &position)
                Pooling<Double>.consider(x[bottom &+ c &+ 1], at: bottom &+ c &+ 1, &best, &position)
                out[row &+ j] = best
                argmax[row &+ j] = Int32(truncatingIfNeeded: position)
            }
        }
    }

    /// Each window's four places written, the upstream value at the winner.
    public static func maxPool2x2Backward(
        _ dy: UnsafePointer<Double>, argmax: UnsafePointer<Int32>, height: Int,
        width: Int, into dx: UnsafeMutablePointer<Double>
    ) {
        let outputWidth = width / 2
        for i in 0..<(height / 2) {
            for j in 0..<outputWidth {
                let o = i * outputWidth + j
                let winner = Int(argmax[o])
                let value = dy[o]
                let top = 2 * i * width + 2 * j
                let bottom = top + width
                dx[top] = top == winner ? value : 0
                dx[top + 1] = top + 1 == winner ? value : 0
                dx[bottom] = bottom == winner ? value : 0
                dx[bottom + 1] = bottom + 1 == winner ? value : 0
            }
        }
    }
}
