extension Tensor {
    /// A tensor of `shape` with every element `value`.
    public init(repeating value: Scalar, shape: [Int]) {
        self.init(shape: shape, scalars: [Scalar](repeating: value, count: shape.reduce(1, *)))
    }

    /// All zeros.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// All ones.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// Every element equal to `value`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func full(_ shape: [Int], _ value: Scalar) -> Tensor { Tensor(repeating: value, shape: shape) }

    /// Zeros with the shape of `other`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// Ones with the shape of `other`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// start, start + step, ... up to but excluding `end` (numpy.arange).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func arange(_ start: Scalar = 0, _ end: Scalar, step: Scalar = 1) -> Tensor {
        require(step != 0, "arange: step must not be zero")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor([Scalar]((0..<count).map { start + Scalar($0) * step }))
    }

    /// `count` evenly spaced values from `start` to `end` (numpy.linspace: end included unless
    /// `endpoint` is false; the values are start + i * step, as numpy computes them).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func linspace(_ start: Scalar, _ end: Scalar, count: Int, endpoint: Bool = true) -> Tensor {
        require(count >= 0, "linspace: count \(count) is negative")
        let divisions = endpoint ? count - 1 : count
        guard divisions > 0 else { return Tensor([Scalar](repeating: start, count: count)) }
        let step = (end - start) / Scalar(divisions)
        var values = (0..<count).map { start + Scalar($0) * step }
        if endpoint && count > 1 { values[count - 1] = end }
        return Tensor(values)
    }

    /// The n x m identity matrix (m = n unless given).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func eye(_ n: Int, _ m: Int? = nil) -> Tensor {
        let columns = m ?? n
        var result = zeros([n, columns])
        for i in 0..<Swift.min(n, columns) { result.scalars[i * columns + i] = 1 }
        return result
    }
}
