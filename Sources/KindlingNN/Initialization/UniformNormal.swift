import Foundation
import KindlingCore
import KindlingPlatform

extension Initializer {
    /// U(low, high) (`torch.nn.init.uniform_`, Keras `RandomUniform`): one `generator.uniform(low:high:)` per
    /// element, as `numpy.random.uniform(low, high, shape)`.
    public static func uniform(low: Double = 0, high: Double = 1) -> Initializer {
        Initializer("uniform(low: \(low), high: \(high))") { shape, generator in
            uniformValues(shape.reduce(1, *), low: low, high: high, generator: generator)
        }
    }

    /// N(mean, standardDeviation²) (`torch.nn.init.normal_`, Keras `RandomNormal`): one
    /// `generator.normal(mean:standardDeviation:)` (mean + std·z) per element, as
    /// `numpy.random.normal(mean, std, shape)`.
    public static func normal(mean: Double = 0, standardDeviation: Double = 1) -> Initializer {
        Initializer("normal(mean: \(mean), standardDeviation: \(standardDeviation))") { shape, generator in
            require(standardDeviation >= 0, "normal: standardDeviation \(standardDeviation) is negative")
            return (0..<shape.reduce(1, *)).map { _ in
                generator.normal(mean: mean, standardDeviation: standardDeviation)
            }
        }
    }

    /// N(mean, standardDeviation²) restricted to the absolute bounds [low, high]
    /// (`torch.nn.init.trunc_normal_`, Keras `TruncatedNormal` at ±2 std), sampled by the inverse-CDF
    /// method PyTorch's trunc_normal_ used before it moved to rejection sampling (same distribution, but
    /// one draw per element): with Φ the standard normal CDF, α = (low - mean)/std and
    /// β = (high - mean)/std, each element draws u = `generator.uniform(low: 2Φ(α) - 1, high: 2Φ(β) - 1)`
    /// and becomes clamp(mean + std·√2·erfinv(u), low, high). Bounds so far in one tail that Φ(α) and
    /// Φ(β) round to the same double (beyond about 8 std) stop with a requirement message.
    public static func truncatedNormal(
        mean: Double = 0, standardDeviation: Double = 1, low: Double = -2,
        high: Double = 2
    ) -> Initializer {
        let arguments = "mean: \(mean), standardDeviation: \(standardDeviation), low: \(low), high: \(high)"
        return Initializer("truncatedNormal(\(arguments))") { shape, generator in
            truncatedNormalValues(
                shape.reduce(1, *), mean: mean, standardDeviation: standardDeviation,
                low: low, high: high, generator: generator)
        }
    }

    /// `count` values low + (high - low)·u, u = `generator.randomSample()`, as numpy's `uniform`.
    static func uniformValues(_ count: Int, low: Double, high: Double, generator: RandomGenerator) -> [Double] {
        require(low <= high, "uniform: low \(low) is greater than high \(high)")
        return (0..<count).map { _ in generator.uniform(low: low, high: high) }
    }

    /// `count` values `generator.standardNormal() * standardDeviation`, as numpy's `randn(...) * std`.
    static func centredNormalValues(
        _ count: Int, standardDeviation: Double,
        generator: RandomGenerator
    ) -> [Double] {
        require(standardDeviation >= 0, "normal: standardDeviation \(standardDeviation) is negative")
        return (0..<count).map { _ in generator.standardNormal() * standardDeviation }
    }

    /// PyTorch's `trunc_normal_`: u uniform in [2Φ(α) - 1, 2Φ(β) - 1], then mean + std·√2·erfinv(u),
    /// clamped to [low, high].
    static func truncatedNormalValues(
        _ count: Int, mean: Double, standardDeviation: Double, low: Double,
        high: Double, generator: RandomGenerator
    ) -> [Double] {
        require(standardDeviation > 0, "truncatedNormal: standardDeviation \(standardDeviation) must be positive")
        require(low < high, "truncatedNormal: low \(low) must be less than high \(high)")
        func cdf(_ x: Double) -> Double { (1 + Foundation.erf(x / 2.0.squareRoot())) / 2 }
        let lower = cdf((low - mean) / standardDeviation)
        let upper = cdf((high - mean) / standardDeviation)
        require(
            lower < upper,
            """
            truncatedNormal: [\(low), \(high)] lies too far in a tail of N(\(mean), \(standardDeviation)²) \
            for inverse-CDF sampling (Φ is \(lower) at both bounds)
            """)
        let scale = standardDeviation * 2.0.squareRoot()
        return (0..<count).map { _ in
            let u = generator.uniform(low: 2 * lower - 1, high: 2 * upper - 1)
            return Swift.min(Swift.max(mean + scale * inverseErrorFunction(u), low), high)
        }
    }
}
