/// A floating-point type that provides the kernels behind Kindling's hottest element-wise and row-wise
/// operations (GELU, softmax, layer and batch normalization, ReLU's backward, 2 x 2 max pooling): `Float`
/// runs the vectorized C kernels of CVectorKernels (AVX-512, AVX2 or SSE2, chosen when the program loads),
/// `Double` runs Swift loops with libm's precision, which the float64 checks against PyTorch need.
///
/// Operators call these requirements on their scalar type (`Scalar.softmaxRows(...)`), as they call
/// `BLASScalar`'s for BLAS: in code specialized for Float or Double the call is resolved at compile time,
/// and no caller tests the type or converts a pointer. Buffers are contiguous; an output may be the input
/// only where a requirement says so.
public protocol VectorKernelScalar: BinaryFloatingPoint {
    /// y = x Φ(x), the exact GELU with Φ(x) = (1 + erf(x / √2)) / 2, over `count` values. Float's erf is
    /// Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, as PyTorch's vectorized CPU kernel).
    static func applyGELU(_ x: UnsafePointer<Self>, into y: UnsafeMutablePointer<Self>, count: Int)

    /// dx = g (Φ(x) + x φ(x)) over `count` values, the gradient of the exact GELU (φ the standard normal
    /// density) given the upstream gradient g.
    static func geluBackward(
        _ x: UnsafePointer<Self>, upstream g: UnsafePointer<Self>,
        into dx: UnsafeMutablePointer<Self>, count: Int)

    /// Softmax of each of `rows` contiguous rows of `width` values of scale x + bias: y = e^(z - m) / Σ e^(z - m)
    /// with z = scale x + bias and m the row's maximum of z. `bias` (nil: none) holds one row of `width` values
    /// for every `rowsPerBias` consecutive rows (an additive attention mask). `y` may be `x`.
    static func softmaxRows(
        _ x: UnsafePointer<Self>, into y: UnsafeMutablePointer<Self>, rows: Int, width: Int,
        scale: Self, bias: UnsafePointer<Self>?, rowsPerBias: Int)

    /// Layer normalization of `rows` contiguous rows of `width` values: y = (x - mean) r weight + bias with
    /// r = 1 / sqrt(var + epsilon), the biased variance, mean and variance accumulated in Double. Writes r
    /// per row into `inverseDeviations` and (x - mean) r into `normalized` when they are not nil.
    static func layerNormRows(
        _ x: UnsafePointer<Self>, weight: UnsafePointer<Self>, bias: UnsafePointer<Self>,
        into y: UnsafeMutablePointer<Self>, normalized: UnsafeMutablePointer<Self>?,
        inverseDeviations: UnsafeMutablePointer<Self>?, rows: Int, width: Int, epsilon: Double)

    /// Σ x over `count` values, in many partial sums combined pairwise.
    static func sum(_ x: UnsafePointer<Self>, count: Int) -> Self

    /// Σ (x - center)² over `count` values, in many partial sums combined pairwise.
    static func sumOfSquares(_ x: UnsafePointer<Self>, count: Int, about center: Self) -> Self

    /// Σ a (b - center) over `count` values, in many partial sums combined pairwise.
    static func sumOfProducts(_ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, count: Int, about center: Self)
        -> Self

    /// y = (x - mean) k weight + bias over `count` values (batch normalization of one run of a channel,
    /// k = 1 / sqrt(var + epsilon)), followed by ReLU when `rectified` (a value <= 0 becomes 0, NaN stays).
    static func batchNormRun(
        _ x: UnsafePointer<Self>, into y: UnsafeMutablePointer<Self>, count: Int,
        mean: Self, k: Self, weight: Self, bias: Self, rectified: Bool)

    /// dx = factor (g - meanG - (x - mean) k meanGH) over `count` values: batch normalization's input
    /// gradient for one run of a channel (meanG = meanGH = 0 in evaluation).
    static func batchNormRunBackward(
        _ g: UnsafePointer<Self>, input x: UnsafePointer<Self>,
        into dx: UnsafeMutablePointer<Self>, count: Int, factor: Self, meanG: Self,
        mean: Self, k: Self, meanGH: Self)

    /// out = g where y > 0 (or y is NaN), else 0, over `count` values: ReLU's backward given its output y.
    static func reluBackward(
        _ g: UnsafePointer<Self>, output y: UnsafePointer<Self>,
        into out: UnsafeMutablePointer<Self>, count: Int)

    /// The 2 x 2, stride-2 maxima of one plane `width` wide (its first 2 outputHeight rows and 2 outputWidth
    /// columns), row-major, and each winner's index in the plane: within a window, in row-major order, a
    /// later value wins when it is greater or NaN (PyTorch's rule).
    static func maxPool2x2(
        _ x: UnsafePointer<Self>, width: Int, outputHeight: Int, outputWidth: Int,
        into out: UnsafeMutablePointer<Self>, argmax: UnsafeMutablePointer<Int32>)

    /// The input gradient of 2 x 2, stride-2 max pooling of one plane whose windows tile it (height and width
    /// even): each window's upstream value `dy` at its winner `argmax`, 0 at its other three places.
    static func maxPool2x2Backward(
        _ dy: UnsafePointer<Self>, argmax: UnsafePointer<Int32>, height: Int, width: Int,
        into dx: UnsafeMutablePointer<Self>)
}
