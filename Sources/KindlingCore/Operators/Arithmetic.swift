import KindlingPlatform

// Element-wise arithmetic with numpy broadcasting. The gradient of a broadcast operand is summed back
// over the axes it was stretched along (`sumToShape`).

extension Tensor {
    /// The element-wise result of `f` after broadcasting, recorded with the given gradient rules
    /// (each maps the output gradient to the gradient of one operand, before unbroadcasting).
    static func broadcasting(
        _ operation: String, _ lhs: Tensor, _ rhs: Tensor, _ f: (Scalar, Scalar) -> Scalar,
        lhsGradient: @escaping (Tensor) -> Tensor, rhsGradient: @escaping (Tensor) -> Tensor
    ) -> Tensor {
        let result = unrecorded(operation, lhs, rhs, f)
        guard recording(lhs, rhs) else { return result }
        let lhsShape = lhs.shape
        let rhsShape = rhs.shape
        let lhsNeeded = lhs.requiresGradient
        let rhsNeeded = rhs.requiresGradient
        return record(operation, result, nodes: [lhs.node, rhs.node]) { gradient in
            [
                lhsNeeded ? lhsGradient(gradient).sumToShape(lhsShape) : nil,
                rhsNeeded ? rhsGradient(gradient).sumToShape(rhsShape) : nil,
            ]
        }
    }

    /// The element-wise result of `f` after broadcasting, without a graph node.
    @inline(__always)
    static func unrecorded(_ operation: String, _ lhs: Tensor, _ rhs: Tensor, _ f: (Scalar, Scalar) -> Scalar) -> Tensor
    {
        let (shape, scalars) = Kernels.broadcast(
            lhs.scalars, lhs.shape, rhs.scalars, rhs.shape, operation: operation, f)
        return Tensor(shape: shape, scalars: scalars, node: nil)  // shape and count agree by construction
    }

    /// Element-wise sum with broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        broadcasting("add", lhs, rhs, +, lhsGradient: { $0 }, rhsGradient: { $0 })
    }

    /// Element-wise difference with broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        broadcasting("subtract", lhs, rhs, -, lhsGradient: { $0 }, rhsGradient: { -$0 })
    }

    /// Element-wise product with broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        // Unrecorded products (every one in a backward pass) skip making the gradient closures below.
        guard recording(lhs, rhs) else { return unrecorded("multiply", lhs, rhs, *) }
        let a = lhs.detached()
        let b = rhs.detached()
        return broadcasting("multiply", lhs, rhs, *, lhsGradient: { $0 * b }, rhsGradient: { $0 * a })
    }

    /// Element-wise quotient with broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        guard recording(lhs, rhs) else { return unrecorded("divide", lhs, rhs, /) }
        let a = lhs.detached()
        let b = rhs.detached()
        return broadcasting(
            "divide", lhs, rhs, /,
            lhsGradient: { $0 / b }, rhsGradient: { -$0 * a / (b * b) })
    }

    /// Element-wise negation.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static prefix func - (operand: Tensor) -> Tensor {
        let result = Tensor(shape: operand.shape, scalars: Kernels.map(operand.scalars) { -$0 }, node: nil)
        guard recording(operand) else { return result }
        return record("negate", result, nodes: [operand.node]) { [-$0] }
    }

    /// Adds a scalar to every element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (lhs: Tensor, rhs: Scalar) -> Tensor {
        lhs.mapWithConstantGradient("add scalar", 1) { $0 + rhs }
    }
    /// Adds a scalar to every element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { rhs + lhs }
    /// Subtracts a scalar from every element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (lhs: Tensor, rhs: Scalar) -> Tensor {
        lhs.mapWithConstantGradient("subtract scalar", 1) { $0 - rhs }
    }
    /// Subtracts every element from a scalar.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (lhs: Scalar, rhs: Tensor) -> Tensor {
        rhs.mapWithConstantGradient("subtract from scalar", -1) { lhs - $0 }
    }
    /// Multiplies every element by a scalar.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (lhs: Tensor, rhs: Scalar) -> Tensor {
        lhs.mapWithConstantGradient("multiply scalar", rhs) { $0 * rhs }
    }
    /// Multiplies every element by a scalar.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { rhs * lhs }
    /// Divides every element by a scalar.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (lhs: Tensor, rhs: Scalar) -> Tensor {
        lhs.mapWithConstantGradient("divide scalar", 1 / rhs) { $0 / rhs }
    }

    /// Divides a scalar by every element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (lhs: Scalar, rhs: Tensor) -> Tensor {
        let result = Tensor(shape: rhs.shape, scalars: Kernels.map(rhs.scalars) { lhs / $0 })
        guard recording(rhs) else { return result }
        let x = rhs.detached()
        return record("scalar divide", result, inputs: [rhs]) { [-$0 * lhs / (x * x)] }
    }

    /// An element-wise affine map whose derivative is the constant `slope`.
    func mapWithConstantGradient(_ operation: String, _ slope: Scalar, _ f: (Scalar) -> Scalar) -> Tensor {
        let result = Tensor(shape: shape, scalars: Kernels.map(scalars, f), node: nil)
        guard Tensor.recording(self) else { return result }
        return Tensor.record(operation, result, nodes: [node]) { [slope == 1 ? $0 : $0 * slope] }
    }

    /// In-place `+=` (not recorded by autograd; for accumulation outside the graph).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    /// In-place `-=`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    /// In-place `*=`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
    /// In-place `/=`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs / rhs }

    /// This tensor summed over the axes along which it was broadcast to reach its current shape from
    /// `target` (the gradient of broadcasting).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let offset = shape.count - target.count
        require(offset >= 0, "sumToShape: \(shape) cannot be reduced to \(target)")
        var axes: [Int] = Array(0..<offset)
        for (i, size) in target.enumerated() where size == 1 && shape[i + offset] != 1 { axes.append(i + offset) }
        return sum(alongAxes: axes, keepingDims: true).reshaped(target)
    }
}
