import KindlingPlatform

// Softmax and log-softmax along one axis, stable for any finite input: the maximum of each line is
// subtracted before exponentiating, so the largest exponential is e^0 = 1 and nothing overflows.

/// e^x_i / Σ_j e^x_j along `axis` (`torch.softmax(x, dim)`), computed as e^(x_i - m) / Σ_j e^(x_j - m)
/// with m the maximum of the line. The backward is dx_i = y_i (g_i - Σ_j g_j y_j).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func softmax<Scalar>(_ x: Tensor<Scalar>, alongAxis axis: Int = -1) -> Tensor<Scalar> {
    softmaxFamily(x, alongAxis: axis, logarithmic: false)
}

/// log(softmax(x)) along `axis` (`torch.log_softmax(x, dim)`), computed as x_i - m - log Σ_j e^(x_j - m),
/// so that it stays finite where softmax underflows to 0 (log_softmax([1000, 0, -1000]) = [0, -1000, -2000]).
/// The backward is dx_i = g_i - e^y_i Σ_j g_j.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func logSoftmax<Scalar>(_ x: Tensor<Scalar>, alongAxis axis: Int = -1) -> Tensor<Scalar> {
    softmaxFamily(x, alongAxis: axis, logarithmic: true)
}

private func softmaxFamily<Scalar>(_ x: Tensor<Scalar>, alongAxis axis: Int, logarithmic: Bool) -> Tensor<Scalar> {
    let name = logarithmic ? "logSoftmax" : "softmax"
    require(x.rank >= 1, "\(name): needs at least one axis, got a scalar")
    let lines = AxisLines(shape: x.shape, axis: Shape.normalize(axis: axis, rank: x.rank, operation: name))
    let result = Tensor(shape: x.shape, scalars: softmaxForward(x.scalars, lines, logarithmic: logarithmic))
    guard Tensor.recording(x) else { return result }
    let output = result.scalars
    return Tensor.record(name, result, inputs: [x]) { gradient in
        [
            Tensor(
                shape: lines.shape, scalars: softmaxBackward(gradient.scalars, output, lines, logarithmic: logarithmic))
        ]
    }
}

/// The lines of a row-major shape along one axis: `outer` blocks, each holding `size` positions of the
/// axis `inner` elements apart; line (o, i) starts at o * size * inner + i.
struct AxisLines: Sendable {
    package let shape: [Int]
    package let outer: Int
    package let size: Int
    package let inner: Int

    init(shape: [Int], axis: Int) {
        self.shape = shape
        outer = shape[..<axis].reduce(1, *)
        size = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
private func softmaxForward<S: TensorScalar>(_ x: [S], _ lines: AxisLines, logarithmic: Bool) -> [S] {
    let (outer, size, inner) = (lines.outer, lines.size, lines.inner)
    var y = [S](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { x in
        y.withUnsafeMutableBufferPointer { y in
            // Softmax along the last axis: contiguous rows, which the scalar type's kernel computes.
            if inner == 1 && !logarithmic && size > 0, let x = x.baseAddress, let y = y.baseAddress {
                return ParallelChunks.forEach(count: outer, elementsPerItem: size) { rows in
                    S.softmaxRows(
                        x + rows.lowerBound * size, into: y + rows.lowerBound * size, rows: rows.count,
                        width: size, scale: 1, bias: nil, rowsPerBias: 1)
                }
            }
            for o in 0..<outer {
                for i in 0..<inner {
                    let start = o * size * inner + i
                    var maximum = -S.infinity
                    for k in 0..<size { maximum = Swift.max(maximum, x[start + k * inner]) }
                    var total: S = 0
                    for k in 0..<size {
                        let e = S.exp(x[start + k * inner] - maximum)
                        y[start + k * inner] = e
                        total += e
                    }
                    if logarithmic {
                        let shift = maximum + S.log(total)
                        for k in 0..<size { y[start + k * inner] = x[start + k * inner] - shift }
                    } else {
                        for k in 0..<size { y[start + k * inner] /= total }
                    }
                }
            }
        }
    }
    return y
}

@_specialize(where S == Float)
@_specialize(where S == Double)
private func softmaxBackward<S: TensorScalar>(_ g: [S], _ y: [S], _ lines: AxisLines, logarithmic: Bool) -> [S] {
    let (outer, size, inner) = (lines.outer, lines.size, lines.inner)
    var dx = [S](repeating: 0, count: g.count)
    g.withUnsafeBufferPointer { g in
        y.withUnsafeBufferPointer { y in
            dx.withUnsafeMutableBufferPointer { dx in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let start = o * size * inner + i
                        var total: S = 0
                        if logarithmic {
                            for k in 0..<size { total += g[start + k * inner] }
                            for k in 0..<size {
                                let j = start + k * inner
                                dx[j] = g[j] - S.exp(y[j]) * total
                            }
                        } else {
                            for k in 0..<size { total += g[start + k * inner] * y[start + k * inner] }
                            for k in 0..<size {
                                let j = start + k * inner
                                dx[j] = y[j] * (g[j] - total)
                            }
                        }
                    }
                }
            }
        }
    }
    return dx
}
