import KindlingPlatform

// Maxima and minima, their indices and their gradients, with PyTorch's rules for NaN: a NaN anywhere in
// what is reduced makes the result NaN (IEEE max/min would skip it), and its index is that of the first
// NaN. ±inf are ordinary values.

extension Tensor {
    /// The maximum of all elements (`torch.max(x)`): NaN when any element is NaN. The gradient is shared
    /// equally among the elements equal to the result (among the NaNs when it is NaN), as PyTorch's.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max() -> Tensor {
        extremum("max", alongAxes: Array(0..<rank), keepingDims: false, largest: true, sharesAmongNaN: true)
    }

    /// The maximum along `axes` (`torch.amax`): NaN where a reduced line holds a NaN. The gradient flows to
    /// the maximal elements, shared equally among ties; a line whose maximum is NaN gets NaN gradients
    /// throughout, as `amax`'s (no element compares equal to NaN).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
        extremum("max", alongAxes: axes, keepingDims: keepingDims, largest: true, sharesAmongNaN: false)
    }

    /// The maximum along one axis (`torch.amax(x, axis)`; see `max(alongAxes:keepingDims:)`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
        max(alongAxes: [axis], keepingDims: keepingDims)
    }

    /// The minimum of all elements (`torch.min(x)`), with the NaN rule and gradient of `max()`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func min() -> Tensor {
        extremum("min", alongAxes: Array(0..<rank), keepingDims: false, largest: false, sharesAmongNaN: true)
    }

    /// The minimum along `axes` (`torch.amin`), with the NaN rule and gradient of `max(alongAxes:)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func min(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
        extremum("min", alongAxes: axes, keepingDims: keepingDims, largest: false, sharesAmongNaN: false)
    }

    /// The minimum along one axis (`torch.amin(x, axis)`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func min(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
        min(alongAxes: [axis], keepingDims: keepingDims)
    }

    /// The maximum along `axis` and where it is (`torch.max(x, dim)`): for every position of the other
    /// axes, the largest value and its index along `axis`, the first one on ties and the first NaN when
    /// the line holds one. The gradient flows to that one element.
    ///
    /// ```swift
    /// let (values, indices) = Tensor<Float>([[1, 3, 3], [2, .nan, 0]]).maxWithIndices(alongAxis: 1)
    /// // values [3, nan], indices [1, 1]
    /// ```
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func maxWithIndices(alongAxis axis: Int, keepingDims: Bool = false) -> (values: Tensor, indices: [Int]) {
        selectingExtremum("max", alongAxis: axis, keepingDims: keepingDims, largest: true)
    }

    /// The minimum along `axis` and where it is (`torch.min(x, dim)`), with the rules of
    /// `maxWithIndices(alongAxis:keepingDims:)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func minWithIndices(alongAxis axis: Int, keepingDims: Bool = false) -> (values: Tensor, indices: [Int]) {
        selectingExtremum("min", alongAxis: axis, keepingDims: keepingDims, largest: false)
    }

    /// The index of the largest element along `axis`, for every position of the other axes (row-major):
    /// the first on ties, as numpy and PyTorch, and the first NaN when there is one, as `torch.argmax`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func argmax(alongAxis axis: Int) -> [Int] {
        extremeLines("argmax", alongAxis: axis, largest: true).indices
    }

    /// The index of the smallest element along `axis`, with the rules of `argmax(alongAxis:)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func argmin(alongAxis axis: Int) -> [Int] {
        extremeLines("argmin", alongAxis: axis, largest: false).indices
    }

    /// Whether `candidate` replaces `best` in a running maximum (or minimum): when it is larger (smaller),
    /// or NaN while `best` is not. A NaN, once reached, stays.
    @inline(__always)
    private static func replaces(_ candidate: Scalar, _ best: Scalar, largest: Bool) -> Bool {
        if best.isNaN { return false }
        return candidate.isNaN || (largest ? candidate > best : candidate < best)
    }

    private func extremum(
        _ operation: String, alongAxes axes: [Int], keepingDims: Bool, largest: Bool, sharesAmongNaN: Bool
    ) -> Tensor {
        require(count > 0, "\(operation): the tensor of shape \(shape) is empty")
        let axes = Set(axes.map { Shape.normalize(axis: $0, rank: rank, operation: operation) })
        let (keptShape, scalars) = Kernels.reduce(
            self.scalars, shape, axes: axes,
            initial: largest ? -.infinity : .infinity
        ) { best, x in
            Tensor.replaces(x, best, largest: largest) ? x : best
        }
        let outShape = keepingDims ? keptShape : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        let result = Tensor(shape: outShape, scalars: scalars)
        guard Tensor.recording(self) else { return result }
        let input = detached()
        return Tensor.record(operation, result, inputs: [self]) { gradient in
            let (_, hits) = Kernels.broadcast(input.scalars, input.shape, scalars, keptShape) { x, extreme in
                x == extreme || (sharesAmongNaN && x.isNaN && extreme.isNaN) ? 1 : 0
            }
            let mask = Tensor(shape: input.shape, scalars: hits)
            let ties = mask.sum(alongAxes: Array(axes), keepingDims: true)
            return [mask * (gradient.reshaped(keptShape) / ties)]
        }
    }

    /// The extreme value and its index along `axis` for every position of the other axes (row-major),
    /// with the line layout (outer, size, inner) around the axis.
    private func extremeLines(
        _ operation: String, alongAxis axis: Int, largest: Bool
    ) -> (values: [Scalar], indices: [Int], axis: Int, size: Int, inner: Int) {
        let axis = Shape.normalize(axis: axis, rank: rank, operation: operation)
        let size = rank == 0 ? 1 : shape[axis]
        require(size > 0, "\(operation): axis \(axis) of shape \(shape) is empty")
        let inner = rank == 0 ? 1 : shape[(axis + 1)...].reduce(1, *)
        let outer = rank == 0 ? 1 : shape[..<axis].reduce(1, *)
        var values = [Scalar](repeating: 0, count: outer * inner)
        var indices = [Int](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = x[o * size * inner + i]
                    var position = 0
                    for k in 1..<size where Tensor.replaces(x[(o * size + k) * inner + i], best, largest: largest) {
                        best = x[(o * size + k) * inner + i]
                        position = k
                    }
                    values[o * inner + i] = best
                    indices[o * inner + i] = position
                }
            }
        }
        return (values, indices, axis, size, inner)
    }

    private func selectingExtremum(
        _ operation: String, alongAxis axis: Int, keepingDims: Bool, largest: Bool
    ) -> (values: Tensor, indices: [Int]) {
        let (values, indices, axis, size, inner) = extremeLines(operation, alongAxis: axis, largest: largest)
        var outShape = shape
        if rank > 0 {
            if keepingDims { outShape[axis] = 1 } else { outShape.remove(at: axis) }
        }
        let result = Tensor(shape: outShape, scalars: values)
        guard Tensor.recording(self) else { return (result, indices) }
        let inputShape = shape
        let inputCount = count
        let recorded = Tensor.record(operation, result, inputs: [self]) { gradient in
            var dx = [Scalar](repeating: 0, count: inputCount)
            for (line, k) in indices.enumerated() {
                let (o, i) = line.quotientAndRemainder(dividingBy: inner)
                dx[(o * size + k) * inner + i] = gradient.scalars[line]
            }
            return [Tensor(shape: inputShape, scalars: dx)]
        }
        return (recorded, indices)
    }
}
