import KindlingPlatform

extension Tensor {
    /// The same elements in a new shape; one dimension may be -1 and is then inferred.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var newShape = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            require(known > 0 && count % known == 0, "reshape: \(shape) cannot be reshaped to \(newShape)")
            newShape[inferred] = count / known
        }
        require(
            newShape.reduce(1, *) == count,
            "reshape: \(shape) (\(count) elements) cannot be reshaped to \(newShape)")
        if newShape == shape { return self }
        let result = Tensor(shape: newShape, scalars: scalars)
        guard Tensor.recording(self) else { return result }
        let inputShape = shape
        return Tensor.record("reshape", result, inputs: [self]) { [$0.reshaped(inputShape)] }
    }

    /// Axes `startAxis...` collapsed into one (PyTorch's flatten; by default all but the first).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func flattened(startAxis: Int = 1) -> Tensor {
        let start = Shape.normalize(axis: startAxis, rank: rank, operation: "flattened")
        return reshaped(Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// The axes rearranged: result axis i is this tensor's axis `axes[i]`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func permuted(_ axes: [Int]) -> Tensor {
        let axes = axes.map { Shape.normalize(axis: $0, rank: rank, operation: "permute") }
        require(axes.sorted() == Array(0..<rank), "permute: \(axes) is not a permutation of the axes of \(shape)")
        if axes == Array(0..<rank) { return self }
        let result = Tensor(shape: axes.map { shape[$0] }, scalars: Kernels.permute(scalars, shape, axes))
        guard Tensor.recording(self) else { return result }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in axes.enumerated() { inverse[axis] = i }
        return Tensor.record("permute", result, inputs: [self]) { [$0.permuted(inverse)] }
    }

    /// The matrix transpose of a 2-D tensor, or the last two axes swapped for higher ranks.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func transposed() -> Tensor {
        require(rank >= 2, "transpose: needs at least 2 axes, got shape \(shape)")
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return permuted(axes)
    }

    /// A new axis of size 1 inserted at `axis`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func unsqueezed(at axis: Int) -> Tensor {
        let axis = axis < 0 ? axis + rank + 1 : axis
        require(axis >= 0 && axis <= rank, "unsqueeze: axis \(axis) is out of range for shape \(shape)")
        var newShape = shape
        newShape.insert(1, at: axis)
        return reshaped(newShape)
    }

    /// The axis `axis` of size 1 removed; with no axis, every axis of size 1.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func squeezed(at axis: Int? = nil) -> Tensor {
        guard let axis else { return reshaped(shape.filter { $0 != 1 }) }
        let normalized = Shape.normalize(axis: axis, rank: rank, operation: "squeeze")
        require(shape[normalized] == 1, "squeeze: axis \(axis) of shape \(shape) has size \(shape[normalized]), not 1")
        var newShape = shape
        newShape.remove(at: normalized)
        return reshaped(newShape)
    }

    /// The tensors joined along an existing axis; the other axes must agree.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "concatenate: no tensors given")
        let first = tensors[0]
        let axis = Shape.normalize(axis: axis, rank: first.rank, operation: "concatenate")
        for t in tensors {
            require(
                t.rank == first.rank
                    && t.shape.enumerated().allSatisfy { $0.offset == axis || $0.element == first.shape[$0.offset] },
                "concatenate: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
        }
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[(axis + 1)...].reduce(1, *)
        let sizes = tensors.map { $0.shape[axis] }
        let total = sizes.reduce(0, +)
        var scalars: [Scalar] = []
        scalars.reserveCapacity(outer * total * inner)
        for o in 0..<outer {
            for (t, size) in zip(tensors, sizes) {
                scalars.append(contentsOf: t.scalars[(o * size * inner)..<((o + 1) * size * inner)])
            }
        }
        var shape = first.shape
        shape[axis] = total
        let result = Tensor(shape: shape, scalars: scalars)
        guard recording(tensors) else { return result }
        return record("concatenate", result, inputs: tensors) { gradient in
            var start = 0
            return sizes.map { size in
                defer { start += size }
                return gradient.slice(alongAxis: axis, start..<(start + size))
            }
        }
    }

    /// The tensors, all of one shape, stacked along a new axis.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "stack: no tensors given")
        require(
            tensors.allSatisfy { $0.shape == tensors[0].shape },
            "stack: shapes differ: \(tensors.map(\.shape))")
        return concatenate(tensors.map { $0.unsqueezed(at: axis) }, alongAxis: axis)
    }

    /// The positions `range` of `axis` (a contiguous slice, copied).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank, operation: "slice")
        require(
            range.lowerBound >= 0 && range.upperBound <= shape[axis],
            "slice: \(range) is out of bounds for axis \(axis) of shape \(shape)")
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        let size = shape[axis]
        var scalars: [Scalar] = []
        scalars.reserveCapacity(outer * range.count * inner)
        for o in 0..<outer {
            scalars.append(
                contentsOf: self.scalars[
                    ((o * size + range.lowerBound) * inner)..<((o * size + range.upperBound) * inner)])
        }
        var newShape = shape
        newShape[axis] = range.count
        let result = Tensor(shape: newShape, scalars: scalars)
        guard Tensor.recording(self) else { return result }
        let inputShape = shape
        return Tensor.record("slice", result, inputs: [self]) { gradient in
            var full = Tensor.zeros(inputShape)
            for o in 0..<outer {
                let source = (o * range.count * inner)..<((o + 1) * range.count * inner)
                let target = (o * size + range.lowerBound) * inner
                full.scalars.replaceSubrange(target..<(target + source.count), with: gradient.scalars[source])
            }
            return [full]
        }
    }

    /// The rows (positions of axis 0) at `indices`, in that order; repeats allowed. This is how batches
    /// are drawn; the gradient adds back into the rows it came from.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gatheringRows(_ indices: [Int]) -> Tensor {
        require(rank >= 1, "gatheringRows: needs at least one axis, got a scalar")
        let rows = shape[0]
        let width = count / Swift.max(rows, 1)
        var scalars = [Scalar]()
        scalars.reserveCapacity(indices.count * width)
        for index in indices {
            require(index >= 0 && index < rows, "gatheringRows: row \(index) is out of range for shape \(shape)")
            scalars.append(contentsOf: self.scalars[(index * width)..<((index + 1) * width)])
        }
        var newShape = shape
        newShape[0] = indices.count
        let result = Tensor(shape: newShape, scalars: scalars)
        guard Tensor.recording(self) else { return result }
        let inputShape = shape
        return Tensor.record("gatherRows", result, inputs: [self]) { gradient in
            var full = [Scalar](repeating: 0, count: inputShape.reduce(1, *))
            for (row, index) in indices.enumerated() {
                for j in 0..<width { full[index * width + j] += gradient.scalars[row * width + j] }
            }
            return [Tensor(shape: inputShape, scalars: full)]
        }
    }
}
