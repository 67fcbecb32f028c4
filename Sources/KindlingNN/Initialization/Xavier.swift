import KindlingCore

extension Initializer {
    /// Glorot & Bengio 2010, "Understanding the difficulty of training deep feedforward neural networks":
    /// U(-a, a) with a = gain · sqrt(6 / (fan_in + fan_out)), computed as PyTorch does,
    /// a = sqrt(3) · gain · sqrt(2 / (fan_in + fan_out)). Also called Glorot uniform
    /// (`torch.nn.init.xavier_uniform_`, Keras `GlorotUniform` with gain 1).
    public static func xavierUniform(gain: Double = 1) -> Initializer {
        Initializer("xavierUniform(gain: \(gain))") { shape, generator in
            let bound = 3.0.squareRoot() * xavierStandardDeviation(shape: shape, gain: gain)
            return uniformValues(shape.reduce(1, *), low: -bound, high: bound, generator: generator)
        }
    }

    /// Glorot & Bengio 2010: N(0, std²) with std = gain · sqrt(2 / (fan_in + fan_out))
    /// (`torch.nn.init.xavier_normal_`; Keras's `GlorotNormal` is the truncated
    /// `varianceScaling(scale: 1, mode: .fanAverage, distribution: .truncatedNormal)`).
    public static func xavierNormal(gain: Double = 1) -> Initializer {
        Initializer("xavierNormal(gain: \(gain))") { shape, generator in
            let standardDeviation = xavierStandardDeviation(shape: shape, gain: gain)
            return centredNormalValues(shape.reduce(1, *), standardDeviation: standardDeviation, generator: generator)
        }
    }

    /// gain · sqrt(2 / (fan_in + fan_out)).
    private static func xavierStandardDeviation(shape: [Int], gain: Double) -> Double {
        let fans = Fans(shape: shape)
        return gain * (2 / Double(fans.fanIn + fans.fanOut)).squareRoot()
    }
}
