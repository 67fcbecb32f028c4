import KindlingCore
import KindlingPlatform

extension Initializer {
    /// The identity matrix for a 2-D tensor, ones on the main diagonal of a rectangular one
    /// (`torch.nn.init.eye_`, Keras `Identity`). No draws.
    public static let eye = Initializer("eye") { shape, _ in eyeValues(shape: shape) }

    /// Keras's `Identity(gain)`: gain · I for a 2-D (rows, columns) tensor, gain on the main diagonal of
    /// a rectangular one and 0 elsewhere; with gain 1 it is `eye`. No draws.
    public static func identity(gain: Double = 1) -> Initializer {
        Initializer("identity(gain: \(gain))") { shape, _ in eyeValues(shape: shape).map { $0 * gain } }
    }

    /// The identity-preserving convolution kernel (`torch.nn.init.dirac_`) for a 3-, 4- or 5-D weight
    /// (out, in, k...): zeros, and in each of `groups` groups of out/groups output channels, output channel
    /// d of the group (d < min(out/groups, in)) gets a 1 at input channel d and the kernel's centre
    /// (size/2 along each kernel axis). A convolution with it copies its input channels. No draws.
    public static func dirac(groups: Int = 1) -> Initializer {
        Initializer("dirac(groups: \(groups))") { shape, _ in
            require(
                (3...5).contains(shape.count),
                "dirac: only tensors with 3, 4, or 5 dimensions are supported, got shape \(shape)")
            require(
                groups > 0 && shape[0] % groups == 0,
                "dirac: dimension 0 of shape \(shape) must be divisible by groups (\(groups))")
            var values = [Double](repeating: 0, count: shape.reduce(1, *))
            let strides = Shape.strides(of: shape)
            let outputsPerGroup = shape[0] / groups
            let centre = (2..<shape.count).reduce(0) { $0 + (shape[$1] / 2) * strides[$1] }
            for group in 0..<groups {
                for d in 0..<Swift.min(outputsPerGroup, shape[1]) {
                    values[(group * outputsPerGroup + d) * strides[0] + d * strides[1] + centre] = 1
                }
            }
            return values
        }
    }

    /// PyTorch's `eye_`: ones on the main diagonal of a 2-D tensor.
    private static func eyeValues(shape: [Int]) -> [Double] {
        require(shape.count == 2, "eye: only 2-D tensors are supported, got shape \(shape)")
        let rows = shape[0]
        let columns = shape[1]
        var values = [Double](repeating: 0, count: rows * columns)
        for i in 0..<Swift.min(rows, columns) { values[i * columns + i] = 1 }
        return values
    }
}
