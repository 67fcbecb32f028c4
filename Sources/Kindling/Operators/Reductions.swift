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

    /// The maximum of all elements.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max() -> Tensor { max(alongAxes: Array(0..<rank)) }

    /// The maximum along `axes`. The gradient flows to the maximal elements (shared equally among ties,
    /// as PyTorch's amax).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
        extremum("max", alongAxes: axes, keepingDims: keepingDims, initial: -.infinity) { Swift.max($0, $1) }
    }

    /// The maximum along one axis.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
        max(alongAxes: [axis], keepingDims: keepingDims)
    }

    /// The minimum of all elements.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func min() -> Tensor { min(alongAxes: Array(0..<rank)) }

    /// The minimum along `axes`, with the gradient of `max`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func min(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
        extremum("min", alongAxes: axes, keepingDims: keepingDims, initial: .infinity) { Swift.min($0, $1) }
    }

    /// The minimum along one axis.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func min(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
        min(alongAxes: [axis], keepingDims: keepingDims)
    }

    private func extremum(
        _ operation: String, alongAxes axes: [Int], keepingDims: Bool, initial: Scalar,
        _ combine: @escaping (Scalar, Scalar) -> Scalar
    ) -> Tensor {
        require(count > 0, "\(operation): the tensor of shape \(shape) is empty")
        let axes = Set(axes.map { Shape.normalize(axis: $0, rank: rank, operation: operation) })
        let (keptShape, scalars) = Kernels.reduce(self.scalars, shape, axes: axes, initial: initial, combine)
        let outShape = keepingDims ? keptShape : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        let result = Tensor(shape: outShape, scalars: scalars)
        guard Tensor.recording(self) else { return result }
        let input = detached()
        let kept = Tensor(shape: keptShape, scalars: scalars)
        return Tensor.record(operation, result, inputs: [self]) { gradient in
            let mask = input .== kept
            let ties = mask.sum(alongAxes: Array(axes), keepingDims: true)
            return [mask * (gradient.reshaped(keptShape) / ties)]
        }
    }

    /// The index of the largest element along `axis`, for every position of the other axes (row-major).
    /// The first index wins ties, as in numpy.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func argmax(alongAxis axis: Int) -> [Int] {
        let axis = Shape.normalize(axis: axis, rank: rank, operation: "argmax")
        let size = shape[axis]
        require(size > 0, "argmax: axis \(axis) of shape \(shape) is empty")
        let inner = shape[(axis + 1)...].reduce(1, *)
        let outer = shape[..<axis].reduce(1, *)
        var result = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = 0
                var bestValue = scalars[o * size * inner + i]
                for k in 1..<Swift.max(size, 1) where scalars[(o * size + k) * inner + i] > bestValue {
                    best = k
                    bestValue = scalars[(o * size + k) * inner + i]
                }
                result[o * inner + i] = best
            }
        }
        return result
    }

    /// This tensor repeated along axes of size 1 (and new leading axes) to `target` (numpy broadcast_to).
    /// The gradient sums back.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        require(Shape.broadcast(shape, target) == target, "broadcast: \(shape) cannot be broadcast to \(target)")
        let stretched = Kernels.broadcast(
            scalars, shape, [Scalar](repeating: 0, count: target.reduce(1, *)), target) { x, _ in x }.scalars
        let result = Tensor(shape: target, scalars: stretched)
        guard Tensor.recording(self) else { return result }
        let inputShape = shape
        return Tensor.record("broadcast", result, inputs: [self]) { [$0.sumToShape(inputShape)] }
    }
}
