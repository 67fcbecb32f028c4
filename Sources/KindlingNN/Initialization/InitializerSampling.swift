import Foundation
import KindlingCore
import KindlingPlatform

extension Initializer {
    /// The initializer's values for a tensor of `shape`, in row-major order, computed in Double (the
    /// caller rounds them to its scalar type).
    package func values(shape: [Int], generator: RandomGenerator) -> [Double] {
        require(shape.allSatisfy { $0 >= 0 }, "\(self): negative dimension in shape \(shape)")
        let count = shape.reduce(1, *)
        switch self {
        case .zeros:
            return [Double](repeating: 0, count: count)
        case .ones:
            return [Double](repeating: 1, count: count)
        case .constant(let value):
            return [Double](repeating: value, count: count)
        case .uniform(let low, let high):
            return Self.uniformValues(count, low: low, high: high, generator: generator)
        case .normal(let mean, let standardDeviation):
            require(standardDeviation >= 0, "normal: standardDeviation \(standardDeviation) is negative")
            return (0..<count).map { _ in generator.normal(mean: mean, standardDeviation: standardDeviation) }
        case .truncatedNormal(let mean, let standardDeviation, let low, let high):
            return Self.truncatedNormalValues(count, mean: mean, standardDeviation: standardDeviation,
                                              low: low, high: high, generator: generator)
        case .xavierUniform(let gain):
            let fans = Fans(shape: shape)
            let standardDeviation = gain * (2 / Double(fans.fanIn + fans.fanOut)).squareRoot()
            let bound = 3.0.squareRoot() * standardDeviation
            return Self.uniformValues(count, low: -bound, high: bound, generator: generator)
        case .xavierNormal(let gain):
            let fans = Fans(shape: shape)
            let standardDeviation = gain * (2 / Double(fans.fanIn + fans.fanOut)).squareRoot()
            return Self.centredNormalValues(count, standardDeviation: standardDeviation, generator: generator)
        case .kaimingUniform(let a, let mode, let nonlinearity):
            guard count > 0 else { return [] }
            let standardDeviation = Self.kaimingGain(a: a, nonlinearity)
                / Fans(shape: shape).fan(mode).squareRoot()
            let bound = 3.0.squareRoot() * standardDeviation
            return Self.uniformValues(count, low: -bound, high: bound, generator: generator)
        case .kaimingNormal(let a, let mode, let nonlinearity):
            guard count > 0 else { return [] }
            let standardDeviation = Self.kaimingGain(a: a, nonlinearity)
                / Fans(shape: shape).fan(mode).squareRoot()
            return Self.centredNormalValues(count, standardDeviation: standardDeviation, generator: generator)
        case .lecunUniform:
            let bound = (3 / Double(Fans(shape: shape).fanIn)).squareRoot()
            return Self.uniformValues(count, low: -bound, high: bound, generator: generator)
        case .lecunNormal:
            let standardDeviation = (1 / Double(Fans(shape: shape).fanIn)).squareRoot()
            return Self.centredNormalValues(count, standardDeviation: standardDeviation, generator: generator)
        case .orthogonal(let gain):
            return Self.orthogonalValues(shape: shape, gain: gain, generator: generator)
        case .sparse(let sparsity, let standardDeviation):
            return Self.sparseValues(shape: shape, sparsity: sparsity, standardDeviation: standardDeviation,
                                     generator: generator)
        case .eye:
            return Self.eyeValues(shape: shape)
        case .dirac(let groups):
            return Self.diracValues(shape: shape, groups: groups)
        case .identity(let gain):
            return Self.eyeValues(shape: shape).map { $0 * gain }
        case .deltaOrthogonal(let gain):
            return Self.deltaOrthogonalValues(shape: shape, gain: gain, generator: generator)
        case .varianceScaling(let scale, let mode, let distribution):
            require(scale > 0, "varianceScaling: scale \(scale) must be positive")
            let s = scale / Swift.max(1, Fans(shape: shape).fan(mode))
            switch distribution {
            case .truncatedNormal:
                let standardDeviation = s.squareRoot() / 0.87962566103423978
                return Self.truncatedNormalValues(count, mean: 0, standardDeviation: standardDeviation,
                                                  low: -2 * standardDeviation, high: 2 * standardDeviation,
                                                  generator: generator)
            case .untruncatedNormal:
                return Self.centredNormalValues(count, standardDeviation: s.squareRoot(), generator: generator)
            case .uniform:
                let limit = (3 * s).squareRoot()
                return Self.uniformValues(count, low: -limit, high: limit, generator: generator)
            }
        }
    }

    /// calculateGain for Kaiming: a leaky ReLU without its own slope takes `a` (PyTorch passes `a` as
    /// `calculate_gain`'s parameter).
    static func kaimingGain(a: Double, _ nonlinearity: Nonlinearity) -> Double {
        guard case .leakyReLU(let negativeSlope) = nonlinearity else { return calculateGain(nonlinearity) }
        require(negativeSlope == nil || a == 0 || negativeSlope == a,
                     "kaiming: a = \(a) and the leaky ReLU's negativeSlope \(negativeSlope!) disagree")
        return calculateGain(.leakyReLU(negativeSlope: negativeSlope ?? a))
    }

    /// `count` values low + (high - low)·u, u = `generator.randomSample()`, as numpy's `uniform`.
    static func uniformValues(_ count: Int, low: Double, high: Double, generator: RandomGenerator) -> [Double] {
        require(low <= high, "uniform: low \(low) is greater than high \(high)")
        return (0..<count).map { _ in generator.uniform(low: low, high: high) }
    }

    /// `count` values `generator.standardNormal() * standardDeviation`, as numpy's `randn(...) * std`.
    static func centredNormalValues(_ count: Int, standardDeviation: Double,
                                    generator: RandomGenerator) -> [Double] {
        require(standardDeviation >= 0, "normal: standardDeviation \(standardDeviation) is negative")
        return (0..<count).map { _ in generator.standardNormal() * standardDeviation }
    }

    /// PyTorch's `trunc_normal_`: u uniform in [2Φ(α) - 1, 2Φ(β) - 1], then mean + std·√2·erfinv(u),
    /// clamped to [low, high].
    static func truncatedNormalValues(_ count: Int, mean: Double, standardDeviation: Double, low: Double,
                                      high: Double, generator: RandomGenerator) -> [Double] {
        require(standardDeviation > 0, "truncatedNormal: standardDeviation \(standardDeviation) must be positive")
        require(low < high, "truncatedNormal: low \(low) must be less than high \(high)")
        func cdf(_ x: Double) -> Double { (1 + Foundation.erf(x / 2.0.squareRoot())) / 2 }
        let lower = cdf((low - mean) / standardDeviation), upper = cdf((high - mean) / standardDeviation)
        require(lower < upper, """
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
