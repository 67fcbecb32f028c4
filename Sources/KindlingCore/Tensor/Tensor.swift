import KindlingPlatform

/// An n-dimensional array of `Float` or `Double` in contiguous row-major storage, with value semantics
/// (copies share storage until one of them is written) and optional participation in reverse-mode
/// automatic differentiation.
///
/// ```swift
/// let x = Tensor<Double>([[1, 2], [3, 4]])
/// let w = Tensor<Double>([0.5, -1]).requiringGradient()
/// let loss = (x * w).sum()
/// loss.backward()
/// w.grad   // [4, 6]
/// ```
public struct Tensor<Scalar: TensorScalar> {
    /// The size of each dimension; `[]` for a scalar tensor.
    public package(set) var shape: [Int]
    /// The elements in row-major order.
    public package(set) var scalars: [Scalar]
    /// The autograd node: a leaf for tensors that require gradients, an operation's node for results
    /// computed from them; nil for constants.
    package var node: GradientNode<Scalar>?

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Scalar]) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        require(
            shape.reduce(1, *) == scalars.count,
            "Tensor: \(scalars.count) scalars do not fill shape \(shape) (\(shape.reduce(1, *)) needed)")
        self.shape = shape
        self.scalars = scalars
        self.node = nil
    }

    package init(shape: [Int], scalars: [Scalar], node: GradientNode<Scalar>?) {
        self.shape = shape
        self.scalars = scalars
        self.node = node
    }

    /// A 0-dimensional tensor holding one value.
    public init(_ value: Scalar) {
        self.init(shape: [], scalars: [value])
    }

    /// A 1-D tensor from an array.
    public init(_ values: [Scalar]) {
        self.init(shape: [values.count], scalars: values)
    }

    /// A 2-D tensor from an array of equally long rows.
    public init(_ rows: [[Scalar]]) {
        let columns = rows.first?.count ?? 0
        require(rows.allSatisfy { $0.count == columns }, "Tensor: rows have different lengths")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// A 3-D tensor from nested arrays of equal lengths.
    public init(_ matrices: [[[Scalar]]]) {
        let rows = matrices.first?.count ?? 0
        let columns = matrices.first?.first?.count ?? 0
        require(
            matrices.allSatisfy { $0.count == rows && $0.allSatisfy { $0.count == columns } },
            "Tensor: nested arrays have different lengths")
        self.init(shape: [matrices.count, rows, columns], scalars: matrices.flatMap { $0.flatMap { $0 } })
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// The single value of a tensor with one element.
    public var scalar: Scalar {
        require(scalars.count == 1, "Tensor.scalar: shape \(shape) has \(scalars.count) elements, not 1")
        return scalars[0]
    }

    /// Row-major strides of the shape, in elements.
    public var strides: [Int] { Shape.strides(of: shape) }

    /// The element at a full multi-dimensional index.
    public subscript(index: Int...) -> Scalar {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func flatIndex(_ index: [Int]) -> Int {
        require(
            index.count == shape.count,
            "Tensor: index \(index) has \(index.count) components for shape \(shape)")
        var flat = 0
        for (i, (position, size)) in zip(index, shape).enumerated() {
            require(
                position >= 0 && position < size,
                "Tensor: index \(index) is out of range for shape \(shape) (axis \(i))")
            flat = flat * size + position
        }
        return flat
    }

    /// Reads the elements through a pointer without copying.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Writes the elements in place (copying first if the storage is shared).
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }
}

extension Tensor: Equatable {
    /// Equal shapes and equal elements (gradient tracking is ignored).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
    }
}

extension Tensor: CustomStringConvertible {
    /// The elements nested by dimension, numpy style, with the shape.
    public var description: String {
        @_specialize(where Scalar == Float)
        @_specialize(where Scalar == Double)
        func format(_ value: Scalar) -> String { "\(value)" }
        func render(_ axis: Int, _ offset: Int) -> String {
            if axis == shape.count { return format(scalars[offset]) }
            let stride = shape[(axis + 1)...].reduce(1, *)
            let size = shape[axis]
            let limit = 6
            var parts: [String] = []
            if size > limit {
                for i in 0..<3 { parts.append(render(axis + 1, offset + i * stride)) }
                parts.append("...")
                for i in (size - 3)..<size { parts.append(render(axis + 1, offset + i * stride)) }
            } else {
                for i in 0..<size { parts.append(render(axis + 1, offset + i * stride)) }
            }
            let separator = axis == shape.count - 1 ? ", " : ",\n" + String(repeating: " ", count: axis + 1)
            return "[" + parts.joined(separator: separator) + "]"
        }
        let body = scalars.isEmpty && !shape.isEmpty ? "[]" : render(0, 0)
        return "Tensor<\(Scalar.self)>(shape: \(shape))\n\(body)"
    }
}
