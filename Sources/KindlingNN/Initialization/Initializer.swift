import KindlingCore
import KindlingPlatform

/// A weight initializer: one formula from `torch.nn.init` or `keras.initializers`, with PyTorch's
/// defaults, for tensors in PyTorch's layout (Linear (out, in), Conv2d (out, in/groups, kH, kW)).
///
/// Each family lives in its own file with its formula, paper and sampling code, as `torch/nn/init.py`
/// keeps them: `Initializer.zeros`/`ones`/`constant` (Constant.swift), `uniform`/`normal`/`truncatedNormal`
/// (UniformNormal.swift), `xavierUniform`/`xavierNormal` (Xavier.swift), `kaimingUniform`/`kaimingNormal`
/// (Kaiming.swift), `lecunUniform`/`lecunNormal` (LeCun.swift), `orthogonal`/`deltaOrthogonal`
/// (Orthogonal.swift), `eye`/`identity`/`dirac` (Identity.swift), `sparse` (Sparse.swift) and
/// `varianceScaling` (VarianceScaling.swift). Fans come from `Fans(shape:)`, gains from `calculateGain`.
///
/// Random values come from a `RandomGenerator` (numpy's RandomState stream), one element at a time in
/// row-major order, each uniform from `generator.uniform(low:high:)` (low + (high - low)·u, numpy's
/// `uniform`) and each centred normal as `generator.standardNormal() * std` (numpy's `randn(...) * std`),
/// so the same seed gives the same weights as the numpy expression named in each initializer.
///
/// ```swift
/// let conv = Parameter(Tensor<Float>.zeros([64, 3, 3, 3]))
/// Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu).initialize(conv)   // kaiming_normal_
/// let w: Tensor<Double> = Initializer.xavierUniform().makeTensor(shape: [128, 256], generator: RandomGenerator(seed: 0))
/// ```
public struct Initializer: Sendable, Hashable, CustomStringConvertible {
    /// The initializer as its factory spells it, with every argument ("xavierUniform(gain: 1.0)"): two
    /// initializers are equal when their descriptions are.
    public let description: String
    private let sample: @Sendable (_ shape: [Int], _ generator: RandomGenerator) -> [Double]

    /// An initializer named `description` (its factory call, with every argument) whose values for a tensor
    /// of `shape` are `sample(shape, generator)`, one per element in row-major order, in Double. This is how
    /// each family's file defines its initializers; a new one is a new static function built the same way.
    public init(
        _ description: String,
        sample: @escaping @Sendable (_ shape: [Int], _ generator: RandomGenerator) -> [Double]
    ) {
        self.description = description
        self.sample = sample
    }

    public static func == (lhs: Initializer, rhs: Initializer) -> Bool { lhs.description == rhs.description }

    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// The initializer's values for a tensor of `shape`, in row-major order, computed in Double (the
    /// caller rounds them to its scalar type).
    func values(shape: [Int], generator: RandomGenerator) -> [Double] {
        require(shape.allSatisfy { $0 >= 0 }, "\(self): negative dimension in shape \(shape)")
        let values = sample(shape, generator)
        require(values.count == shape.reduce(1, *), "\(self): \(values.count) values for shape \(shape)")
        return values
    }

    /// A new tensor of `shape` filled by this initializer, drawing from `generator`.
    public func makeTensor<Scalar: TensorScalar>(shape: [Int], generator: RandomGenerator = .global) -> Tensor<Scalar> {
        Tensor(shape: shape, scalars: values(shape: shape, generator: generator).map { Scalar($0) })
    }

    /// Overwrites the parameter's value in place (the same parameter object, no graph recorded), as the
    /// `torch.nn.init` functions with a trailing underscore do.
    public func initialize<Scalar: TensorScalar>(_ parameter: Parameter<Scalar>, generator: RandomGenerator = .global) {
        parameter.overwrite(with: values(shape: parameter.shape, generator: generator))
    }

    /// Overwrites the tensor's elements in place, keeping its shape and gradient tracking.
    public func initialize<Scalar: TensorScalar>(_ tensor: inout Tensor<Scalar>, generator: RandomGenerator = .global) {
        let values = values(shape: tensor.shape, generator: generator)
        tensor.withUnsafeMutableBufferPointer { scalars in
            for i in scalars.indices { scalars[i] = Scalar(values[i]) }
        }
    }
}

extension Parameter {
    /// Writes `values` (row-major, one per element) into the value in place, rounded to `Scalar`.
    package func overwrite(with values: [Double]) {
        require(
            values.count == shape.reduce(1, *),
            "Parameter: \(values.count) values do not fill shape \(shape)")
        updateInPlace { scalars in
            for i in scalars.indices { scalars[i] = Scalar(values[i]) }
        }
    }
}
