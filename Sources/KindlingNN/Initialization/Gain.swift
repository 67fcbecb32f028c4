/// The nonlinearity that follows a layer, which sets the gain its initialization should have
/// (`torch.nn.init.calculate_gain`'s first argument).
public enum Nonlinearity: Sendable, Hashable {
    /// The identity (no activation): gain 1.
    case linear
    /// A 1-D convolution with nothing after it: gain 1.
    case conv1d
    /// A 2-D convolution with nothing after it: gain 1.
    case conv2d
    /// A 3-D convolution with nothing after it: gain 1.
    case conv3d
    /// A 1-D transposed convolution with nothing after it: gain 1.
    case convTranspose1d
    /// A 2-D transposed convolution with nothing after it: gain 1.
    case convTranspose2d
    /// A 3-D transposed convolution with nothing after it: gain 1.
    case convTranspose3d
    /// The logistic sigmoid: gain 1.
    case sigmoid
    /// The hyperbolic tangent: gain 5/3.
    case tanh
    /// The rectifier max(x, 0): gain sqrt(2).
    case relu
    /// max(x, 0) + negativeSlope * min(x, 0): gain sqrt(2 / (1 + negativeSlope²)); PyTorch's default slope
    /// 0.01 when none is given.
    case leakyReLU(negativeSlope: Double? = nil)
    /// SELU (Klambauer et al. 2017): gain 3/4, PyTorch's value; self-normalizing networks want
    /// `lecunNormal` (gain 1, as PyTorch's documentation recommends) instead.
    case selu
}

/// The recommended gain for a nonlinearity, exactly `torch.nn.init.calculate_gain`:
///
/// | nonlinearity | gain |
/// |---|---|
/// | linear, conv1d/2d/3d, convTranspose1d/2d/3d, sigmoid | 1 |
/// | tanh | 5/3 |
/// | relu | sqrt(2) |
/// | leakyReLU(negativeSlope: s) | sqrt(2 / (1 + s²)), s = 0.01 when nil |
/// | selu | 3/4 |
///
/// The gain multiplies the standard deviation (or bound) of the Xavier, Kaiming and orthogonal
/// initializers so that the activations keep their scale through the nonlinearity.
public func calculateGain(_ nonlinearity: Nonlinearity) -> Double {
    switch nonlinearity {
    case .linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid:
        return 1
    case .tanh:
        return 5.0 / 3
    case .relu:
        return 2.0.squareRoot()
    case .leakyReLU(let negativeSlope):
        let slope = negativeSlope ?? 0.01
        return (2.0 / (1 + slope * slope)).squareRoot()
    case .selu:
        return 3.0 / 4
    }
}
