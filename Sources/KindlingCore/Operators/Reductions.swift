import KindlingPlatform

extension Tensor {
    /// The sum of all elements, as a 0-dimensional tensor.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum() -> Tensor { sum(alongAxes: Array(0..<rank)) }

    /// The sum along `axes` (negative axes count from the end); the reduced axes are dropped unless
    /// `keepingDims`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
        let axes = Set(axes.map { Shape.normalize(axis: $0, rank: rank, operation: "sum") })
        let (keptShape, scalars) = Kernels.reduce(self.scalars, shape, axes: axes, initial: 0, +)
        let outShape = keepingDims ? keptShape : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        let result = Tensor(shape: outShape, scalars: scalars)
        guard Tensor.recording(self) else { return result }
        let inputShape = shape
        return Tensor.record("sum", result, inputs: [self]) { gradient in
            [gradient.reshaped(keptShape).broadcast(to: inputShape)]
        }
    }

    /// The sum along one axis.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDims: keepingDims)
    }

    /// The mean of all elements.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func mean() -> Tensor { mean(alongAxes: Array(0..<rank)) }

    /// The mean along `axes`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func mean(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
        let normalized = Set(axes.map { Shape.normalize(axis: $0, rank: rank, operation: "mean") })
        let n = normalized.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: Array(normalized), keepingDims: keepingDims) / Scalar(n)
    }

    /// The mean along one axis.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func mean(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDims: keepingDims)
    }

    /// This tensor repeated along axes of size 1 (and new leading axes) to `target` (numpy broadcast_to).
    /// The gradient sums back.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        require(Shape.broadcast(shape, target) == target, "broadcast: \(shape) cannot be broadcast to \(target)")
        let stretched = Kernels.broadcast(
            scalars, shape, [Scalar](repeating: 0, count: target.reduce(1, *)), target
        ) { x, _ in x }.scalars
        let result = Tensor(shape: target, scalars: stretched)
        guard Tensor.recording(self) else { return result }
        let inputShape = shape
        return Tensor.record("broadcast", result, inputs: [self]) { [$0.sumToShape(inputShape)] }
    }
}

/// The unbiased standard deviation, accumulated in Double, so that Float values near the top of their
/// range do not overflow the statistic itself; NaN when any value is not finite. The statistic that LSUV,
/// the layer diagnostics and the signal-propagation experiment report (torch's `x.std()`).
package func standardDeviation<Scalar: BinaryFloatingPoint>(_ values: [Scalar]) -> Double {
    guard values.count > 1 else { return 0 }
    var sum = 0.0
    for value in values { sum += Double(value) }
    let mean = sum / Double(values.count)
    guard mean.isFinite else { return .nan }
    var squares = 0.0
    for value in values {
        let deviation = Double(value) - mean
        squares += deviation * deviation
    }
    return (squares / Double(values.count - 1)).squareRoot()
}
