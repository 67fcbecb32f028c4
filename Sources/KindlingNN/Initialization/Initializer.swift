import KindlingCore
import KindlingPlatform

/// How `varianceScaling` draws its values (Keras's `distribution` argument).
public enum VarianceScalingDistribution: Sendable, Hashable {
    /// N(0, σ²) truncated at ±2σ, with σ = sqrt(s) / 0.87962566103423978 so that the truncated
    /// distribution has variance s (Keras's "truncated_normal", its default).
    case truncatedNormal
    /// N(0, s) (Keras's "untruncated_normal").
    case untruncatedNormal
    /// U(-sqrt(3s), sqrt(3s)), which has variance s (Keras's "uniform").
    case uniform
}

/// A weight initializer: one formula from `torch.nn.init` or `keras.initializers`, with PyTorch's
/// defaults, for tensors in PyTorch's layout (Linear (out, in), Conv2d (out, in/groups, kH, kW)).
///
/// Fans are `Fans(shape:)`: fan_in = size(1) · receptive field, fan_out = size(0) · receptive field.
/// Random values come from a `RandomGenerator` (numpy's RandomState stream), one element at a time in
/// row-major order, each uniform from `generator.uniform(low:high:)` (low + (high - low)·u, numpy's
/// `uniform`) and each centred normal as `generator.standardNormal() * std` (numpy's `randn(...) * std`),
/// so the same seed gives the same weights as the numpy expression named in each case.
///
/// ```swift
/// let conv = Parameter(Tensor<Float>.zeros([64, 3, 3, 3]))
/// Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu).initialize(conv)   // kaiming_normal_
/// let w: Tensor<Double> = Initializer.xavierUniform().makeTensor(shape: [128, 256], generator: RandomGenerator(seed: 0))
/// ```
public enum Initializer: Sendable, Hashable {
    /// Every element 0 (`torch.nn.init.zeros_`, Keras `Zeros`). No draws.
    case zeros
    /// Every element 1 (`torch.nn.init.ones_`, Keras `Ones`). No draws.
    case ones
    /// Every element `value` (`torch.nn.init.constant_`, Keras `Constant`). No draws.
    case constant(Double)
    /// U(low, high) (`torch.nn.init.uniform_`, Keras `RandomUniform`): one `generator.uniform(low:high:)` per
    /// element, as `numpy.random.uniform(low, high, shape)`.
    case uniform(low: Double = 0, high: Double = 1)
    /// N(mean, standardDeviation²) (`torch.nn.init.normal_`, Keras `RandomNormal`): one
    /// `generator.normal(mean:standardDeviation:)` (mean + std·z) per element, as
    /// `numpy.random.normal(mean, std, shape)`.
    case normal(mean: Double = 0, standardDeviation: Double = 1)
    /// N(mean, standardDeviation²) restricted to the absolute bounds [low, high]
    /// (`torch.nn.init.trunc_normal_`, Keras `TruncatedNormal` at ±2 std), sampled by the inverse-CDF
    /// method PyTorch's trunc_normal_ used before it moved to rejection sampling (same distribution, but
    /// one draw per element): with Φ the standard normal CDF, α = (low - mean)/std and
    /// β = (high - mean)/std, each element draws u = `generator.uniform(low: 2Φ(α) - 1, high: 2Φ(β) - 1)`
    /// and becomes clamp(mean + std·√2·erfinv(u), low, high). Bounds so far in one tail that Φ(α) and
    /// Φ(β) round to the same double (beyond about 8 std) stop with a requirement message.
    case truncatedNormal(mean: Double = 0, standardDeviation: Double = 1, low: Double = -2, high: Double = 2)
    /// Glorot & Bengio 2010, "Understanding the difficulty of training deep feedforward neural networks":
    /// U(-a, a) with a = gain · sqrt(6 / (fan_in + fan_out)), computed as PyTorch does,
    /// a = sqrt(3) · gain · sqrt(2 / (fan_in + fan_out)). Also called Glorot uniform
    /// (`torch.nn.init.xavier_uniform_`, Keras `GlorotUniform` with gain 1).
    case xavierUniform(gain: Double = 1)
    /// Glorot & Bengio 2010: N(0, std²) with std = gain · sqrt(2 / (fan_in + fan_out))
    /// (`torch.nn.init.xavier_normal_`; Keras's `GlorotNormal` is the truncated
    /// `varianceScaling(scale: 1, mode: .fanAverage, distribution: .truncatedNormal)`).
    case xavierNormal(gain: Double = 1)
    /// He et al. 2015, "Delving deep into rectifiers": U(-bound, bound) with
    /// bound = sqrt(3) · gain / sqrt(fan), gain = `calculateGain(nonlinearity)` where a leaky ReLU's slope is
    /// its own `negativeSlope` if given, else `a`, and fan is chosen by `mode`
    /// (`torch.nn.init.kaiming_uniform_`; Keras `HeUniform` is mode fanIn, nonlinearity relu).
    /// Defaults are PyTorch's: a = 0, fanIn, leakyReLU, so gain sqrt(2).
    case kaimingUniform(a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyReLU())
    /// He et al. 2015: N(0, std²) with std = gain / sqrt(fan), gain and fan as in `kaimingUniform`
    /// (`torch.nn.init.kaiming_normal_`). Defaults are PyTorch's: a = 0, fanIn, leakyReLU (gain sqrt(2)).
    case kaimingNormal(a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyReLU())
    /// LeCun et al. 1998, "Efficient BackProp": U(-sqrt(3 / fan_in), sqrt(3 / fan_in)), variance 1/fan_in
    /// (Keras `LecunUniform`).
    case lecunUniform
    /// LeCun et al. 1998; the initialization of self-normalizing networks (Klambauer et al. 2017):
    /// N(0, 1/fan_in), std = sqrt(1 / fan_in) (untruncated; Keras's `LecunNormal` is the truncated
    /// `varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal)`).
    case lecunNormal
    /// Saxe et al. 2013, "Exact solutions to the nonlinear dynamics of learning in deep linear neural
    /// networks" (`torch.nn.init.orthogonal_`, Keras `Orthogonal`): rows = size(0), columns = count/rows;
    /// A = `generator.standardNormal()` drawn as a rows x columns matrix in row-major order (numpy's
    /// `randn(rows, columns)`), transposed if rows < columns; A = QR (LAPACK geqrf + orgqr); column j of Q
    /// multiplied by sign(R[j][j]) (which makes the result Haar-distributed); transposed back; times gain.
    /// So the rows (if rows ≤ columns) or the columns are orthonormal times gain. Needs 2 or more dimensions.
    case orthogonal(gain: Double = 1)
    /// Martens 2010, "Deep learning via Hessian-free optimization" (`torch.nn.init.sparse_`): for a 2-D
    /// (rows, columns) tensor, every element `generator.standardNormal() * standardDeviation` in row-major
    /// order, then for each column in turn `generator.permutation(rows)` (PyTorch's `randperm`) and the rows
    /// at its first ceil(sparsity · rows) entries set to 0, so every column has exactly that many zeros.
    case sparse(sparsity: Double, standardDeviation: Double = 0.01)
    /// The identity matrix for a 2-D tensor, ones on the main diagonal of a rectangular one
    /// (`torch.nn.init.eye_`, Keras `Identity`). No draws.
    case eye
    /// The identity-preserving convolution kernel (`torch.nn.init.dirac_`) for a 3-, 4- or 5-D weight
    /// (out, in, k...): zeros, and in each of `groups` groups of out/groups output channels, output channel
    /// d of the group (d < min(out/groups, in)) gets a 1 at input channel d and the kernel's centre
    /// (size/2 along each kernel axis). A convolution with it copies its input channels. No draws.
    case dirac(groups: Int = 1)
    /// Keras's `Identity(gain)`: gain · I for a 2-D (rows, columns) tensor, gain on the main diagonal of
    /// a rectangular one and 0 elsewhere; with gain 1 it is `eye`. No draws.
    case identity(gain: Double = 1)
    /// Delta-orthogonal, Xiao et al. 2018, "Dynamical Isometry and a Mean Field Theory of CNNs: How to
    /// Train 10,000-Layer Vanilla Convolutional Neural Networks" (Algorithm 2; TensorFlow's
    /// `ConvolutionDeltaOrthogonal`): for a convolution weight (out, in, k...) with out ≥ in, zeros except
    /// at the kernel's centre (size/2 along each kernel axis), where W[:, :, centre] = gain · H with H an
    /// (out, in) matrix of orthonormal columns, drawn as `orthogonal` draws it for shape (out, in). A
    /// convolution padded to keep its size then maps each pixel's channel vector x to gain · H x, so it
    /// preserves norms exactly (dynamical isometry at initialization).
    case deltaOrthogonal(gain: Double = 1)
    /// Keras's `VarianceScaling`: with n the fan chosen by `mode` and s = scale / max(1, n), values with
    /// variance s drawn as `distribution` says (truncated normal at ±2σ with σ = sqrt(s)/0.87962566103423978,
    /// sampled as `truncatedNormal`; untruncated N(0, s); or U(±sqrt(3s))). Keras's defaults are scale 1,
    /// fanIn, truncatedNormal; `lecunNormal`, `GlorotNormal`, `HeNormal` are scale 1/fanIn, 1/fanAverage,
    /// 2/fanIn. Fans are PyTorch's (weights in PyTorch's layout).
    case varianceScaling(scale: Double = 1, mode: FanMode = .fanIn,
                         distribution: VarianceScalingDistribution = .truncatedNormal)

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
        require(values.count == shape.reduce(1, *),
                     "Parameter: \(values.count) values do not fill shape \(shape)")
        updateInPlace { scalars in
            for i in scalars.indices { scalars[i] = Scalar(values[i]) }
        }
    }
}
