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

extension Initializer {
    /// Keras's `VarianceScaling`: with n the fan chosen by `mode` and s = scale / max(1, n), values with
    /// variance s drawn as `distribution` says (truncated normal at ±2σ with σ = sqrt(s)/0.87962566103423978,
    /// sampled as `truncatedNormal`; untruncated N(0, s); or U(±sqrt(3s))). Keras's defaults are scale 1,
    /// fanIn, truncatedNormal; `lecunNormal`, `GlorotNormal`, `HeNormal` are scale 1/fanIn, 1/fanAverage,
    /// 2/fanIn. Fans are PyTorch's (weights in PyTorch's layout).
    public static func varianceScaling(
        scale: Double = 1, mode: FanMode = .fanIn,
        distribution: VarianceScalingDistribution = .truncatedNormal
    ) -> Initializer {
        Initializer("varianceScaling(scale: \(scale), mode: \(mode), distribution: \(distribution))") {
            shape, generator in
            require(scale > 0, "varianceScaling: scale \(scale) must be positive")
            let count = shape.reduce(1, *)
            let s = scale / Swift.max(1, Fans(shape: shape).fan(mode))
            switch distribution {
            case .truncatedNormal:
                let standardDeviation = s.squareRoot() / 0.87962566103423978
                return truncatedNormalValues(
                    count, mean: 0, standardDeviation: standardDeviation,
                    low: -2 * standardDeviation, high: 2 * standardDeviation,
                    generator: generator)
            case .untruncatedNormal:
                return centredNormalValues(count, standardDeviation: s.squareRoot(), generator: generator)
            case .uniform:
                let limit = (3 * s).squareRoot()
                return uniformValues(count, low: -limit, high: limit, generator: generator)
            }
        }
    }
}
