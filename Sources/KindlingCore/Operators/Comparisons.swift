// Element-wise comparisons with broadcasting. They give masks of 1 and 0 in the tensor's own scalar
// type and are constants for autograd.

extension Tensor {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func compare(_ lhs: Tensor, _ rhs: Tensor, _ test: @escaping (Scalar, Scalar) -> Bool) -> Tensor {
        let (shape, scalars) = Kernels.broadcast(lhs.scalars, lhs.shape, rhs.scalars, rhs.shape, operation: "compare") {
            test($0, $1) ? 1 : 0
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// 1 where lhs > rhs, else 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .> (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, >) }
    /// 1 where lhs < rhs, else 0.
    public static func .< (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, <) }
    /// 1 where lhs >= rhs, else 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .>= (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, >=) }
    /// 1 where lhs <= rhs, else 0.
    public static func .<= (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, <=) }
    /// 1 where lhs == rhs, else 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, ==) }
    /// 1 where lhs > rhs, else 0.
    public static func .> (lhs: Tensor, rhs: Scalar) -> Tensor { compare(lhs, Tensor(rhs), >) }
    /// 1 where lhs < rhs, else 0.
    public static func .< (lhs: Tensor, rhs: Scalar) -> Tensor { compare(lhs, Tensor(rhs), <) }
    /// 1 where lhs >= rhs, else 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func .>= (lhs: Tensor, rhs: Scalar) -> Tensor { compare(lhs, Tensor(rhs), >=) }
    /// 1 where lhs <= rhs, else 0.
    public static func .<= (lhs: Tensor, rhs: Scalar) -> Tensor { compare(lhs, Tensor(rhs), <=) }

    /// True when every element is finite (no NaN or infinity).
    public var isFinite: Bool { scalars.allSatisfy(\.isFinite) }
}
