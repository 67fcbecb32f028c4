import KindlingPlatform

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

    /// start, start + step, ... up to but excluding `end`, exactly as numpy.arange computes them: the
    /// count is ceil((end - start) / step) (in Double), the first value is start itself, the second
    /// start + step, and the i-th start + i · delta with delta = (start + step) - start, so that
    /// `arange(0.3, 2.0, step: 0.1)` equals numpy's to the last bit.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func arange(_ start: Scalar = 0, _ end: Scalar, step: Scalar = 1) -> Tensor {
        require(step != 0, "arange: step must not be zero")
        let length = ((Double(end) - Double(start)) / Double(step)).rounded(.up)
        require(length.isFinite, "arange: cannot count the values from \(start) to \(end) by \(step)")
        let count = Swift.max(0, Int(length))
        let second = start + step
        let delta = second - start
        var values = (0..<count).map { start + Scalar($0) * delta }
        if count > 0 { values[0] = start }
        if count > 1 { values[1] = second }
        return Tensor(values)
    }

    /// `count` evenly spaced values from `start` to `end`, exactly as numpy.linspace computes them: with
    /// divisions = count - 1 (count when `endpoint` is false) and step = (end - start) / divisions, the
    /// i-th value is i · step + start ((i / divisions) · (end - start) + start when step is 0), and the
    /// last one is `end` itself when `endpoint`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func linspace(_ start: Scalar, _ end: Scalar, count: Int, endpoint: Bool = true) -> Tensor {
        require(count >= 0, "linspace: count \(count) is negative")
        let divisions = endpoint ? count - 1 : count
        guard divisions > 0 else { return Tensor([Scalar](repeating: start, count: count)) }
        let delta = end - start
        let step = delta / Scalar(divisions)
        var values =
            step == 0
            ? (0..<count).map { Scalar($0) / Scalar(divisions) * delta + start }
            : (0..<count).map { Scalar($0) * step + start }
        if endpoint { values[count - 1] = end }
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
