import Foundation
import KindlingCore
import KindlingPlatform

/// Mean-field signal propagation in deep fully connected networks at initialization (Poole, Lahiri, Raghu,
/// Sohl-Dickstein & Ganguli 2016, "Exponential expressivity in deep neural networks through transient
/// chaos"; Schoenholz, Gilmer, Ganguli & Sohl-Dickstein 2017, "Deep Information Propagation", ICLR 2017).
///
/// A network of width N → ∞ with weights N(0, σ_w²/fan_in) and biases N(0, σ_b²): the pre-activations
/// hˡ of layer l are Gaussian over the draw of the weights, with second moment qˡ per input and
/// correlation cˡ between two inputs. They evolve by
///
/// - the length map qˡ = σ_w² E[φ(√qˡ⁻¹ z)²] + σ_b², z ~ N(0, 1), with fixed point q*;
/// - the correlation map cˡ = (σ_w² E[φ(u₁)φ(u₂)] + σ_b²) / q*, u₁ = √q* z₁,
///   u₂ = √q* (c z₁ + √(1 − c²) z₂), with fixed point c*;
///
/// and how fast they approach their fixed points sets how deep a signal travels: χ₁ = σ_w² E[φ′(√q* z)²] is
/// the slope of the correlation map at c = 1 (ordered phase χ₁ < 1: c* = 1, inputs become alike; chaotic
/// phase χ₁ > 1: c* < 1, nearby inputs decorrelate; the boundary χ₁ = 1 is the "edge of chaos"), and the
/// depth scales are ξ_q = −1 / ln(dqˡ⁺¹/dqˡ at q*) (Schoenholz eq. 5, where the slope is
/// χ₁ + σ_w² E[φ″φ], here in Stein's form σ_w² E[φ(√q z) φ′(√q z) z] / √q) and ξ_c = −1 / ln χ_c with
/// χ_c = σ_w² E[φ′(u₁)φ′(u₂)] at c* (Schoenholz eq. 9); ξ_c diverges at the boundary. Schoenholz et al. find
/// that networks train when their depth is below about 6 ξ_c.
///
/// Every expectation is a Gauss–Hermite sum (`GaussHermiteRule`; two-dimensional ones by its product rule,
/// `jointExpectation`),
/// in Double.
///
/// ```swift
/// let theory = MeanField(activation: .tanh, weightVariance: 1.5, biasVariance: 0.05)
/// let point = theory.fixedPoint()
/// print(point.q, point.c, point.chi1, point.correlationDepth)
/// ```
public struct MeanField: Sendable {
    /// The activation φ, with its derivative φ′.
    public enum Activation: String, CaseIterable, Sendable, Codable {
        /// φ(x) = x.
        case linear
        /// φ(x) = tanh x.
        case tanh
        /// φ(x) = max(x, 0) (φ′ is 1 for x > 0 and 0 otherwise, as PyTorch's).
        case relu
        /// φ(x) = 1 / (1 + e^(−x)).
        case sigmoid

        /// φ(x).
        public func value(_ x: Double) -> Double {
            switch self {
            case .linear: return x
            case .tanh: return Foundation.tanh(x)
            case .relu: return x > 0 ? x : 0
            case .sigmoid: return 1 / (1 + exp(-x))
            }
        }

        /// φ′(x).
        public func derivative(_ x: Double) -> Double {
            switch self {
            case .linear: return 1
            case .tanh:
                let t = Foundation.tanh(x)
                return 1 - t * t
            case .relu: return x > 0 ? 1 : 0
            case .sigmoid:
                let s = 1 / (1 + exp(-x))
                return s * (1 - s)
            }
        }
    }

    /// The activation φ.
    public var activation: Activation
    /// σ_w²: the weights are N(0, σ_w²/fan_in).
    public var weightVariance: Double
    /// σ_b²: the biases are N(0, σ_b²).
    public var biasVariance: Double
    /// The quadrature rule every expectation uses.
    public var rule: GaussHermiteRule

    /// The theory of φ at (σ_w², σ_b²), with `nodeCount` Gauss–Hermite nodes per dimension (even).
    public init(activation: Activation, weightVariance: Double, biasVariance: Double, nodeCount: Int = 300) {
        self.init(
            activation: activation, weightVariance: weightVariance, biasVariance: biasVariance,
            rule: GaussHermiteRule(nodeCount: nodeCount))
    }

    /// The theory of φ at (σ_w², σ_b²) with a given rule (to share one rule across many points).
    public init(activation: Activation, weightVariance: Double, biasVariance: Double, rule: GaussHermiteRule) {
        require(
            weightVariance >= 0 && weightVariance.isFinite && biasVariance >= 0 && biasVariance.isFinite,
            "MeanField: σ_w² and σ_b² must be finite and non-negative, got \(weightVariance) and \(biasVariance)")
        self.activation = activation
        self.weightVariance = weightVariance
        self.biasVariance = biasVariance
        self.rule = rule
    }

    /// The smallest q the derivatives are evaluated at: at q* = 0 (σ_b = 0 and φ(0) = 0 below the
    /// boundary) χ₁, χ_c and the slope of the length map are their limits as q → 0⁺.
    static let smallestLength = 1e-200

    /// The length map: σ_w² E[φ(√q z)²] + σ_b².
    public func length(after q: Double) -> Double {
        let s = q.squareRoot()
        return weightVariance
            * rule.expectation { z in
                let y = activation.value(s * z)
                return y * y
            } + biasVariance
    }

    /// The slope of the length map at q: σ_w² E[φ(√q z) φ′(√q z) z] / √q (by Stein's lemma, σ_w² E[φ′² + φ φ″]).
    public func lengthSlope(at q: Double) -> Double {
        let s = max(q, Self.smallestLength).squareRoot()
        return weightVariance * rule.expectation { z in activation.value(s * z) * activation.derivative(s * z) * z } / s
    }

    /// The second moment of the two inputs' next pre-activations: σ_w² E[φ(u₁)φ(u₂)] + σ_b², where u₁ = √q₁ z₁
    /// and u₂ = √q₂ (c z₁ + √(1 − c²) z₂) have second moments q₁, q₂ and correlation c.
    public func covariance(after q1: Double, _ q2: Double, correlation c: Double) -> Double {
        let s1 = q1.squareRoot()
        let s2 = q2.squareRoot()
        let c = min(1, max(-1, c))
        let orthogonal = (1 - c * c).squareRoot()
        return weightVariance
            * rule.jointExpectation { z1, z2 in
                activation.value(s1 * z1) * activation.value(s2 * (c * z1 + orthogonal * z2))
            } + biasVariance
    }

    /// The correlation map at the length q: (σ_w² E[φ(u₁)φ(u₂)] + σ_b²) / q with both inputs at length q.
    public func correlation(after c: Double, length q: Double) -> Double {
        covariance(after: q, q, correlation: c) / q
    }

    /// χ₁ = σ_w² E[φ′(√q z)²] at q: the slope of the correlation map at c = 1, and the growth of a small
    /// perturbation's squared norm per layer.
    public func chi1(at q: Double) -> Double {
        let s = max(q, Self.smallestLength).squareRoot()
        return weightVariance
            * rule.expectation { z in
                let d = activation.derivative(s * z)
                return d * d
            }
    }

    /// χ_c = σ_w² E[φ′(u₁)φ′(u₂)] at length q and correlation c: the slope of the correlation map at c.
    public func chiC(at q: Double, correlation c: Double) -> Double {
        if c >= 1 { return chi1(at: q) }
        let s = max(q, Self.smallestLength).squareRoot()
        let orthogonal = (1 - c * c).squareRoot()
        return weightVariance
            * rule.jointExpectation { z1, z2 in
                activation.derivative(s * z1) * activation.derivative(s * (c * z1 + orthogonal * z2))
            }
    }

    /// The fixed point of the length map: +∞ when q grows without bound (an unbounded φ with σ_w² too large),
    /// 0 when the signal dies out (σ_b = 0 and φ(0) = 0 with a slope at 0 of at most 1).
    ///
    /// Found by bracketing from q = 1 (doubling or halving) and bisecting to adjacent Doubles; the length map
    /// of tanh, ReLU, sigmoid and the identity crosses the diagonal once for q > 0, so this is the fixed point
    /// that every starting length approaches.
    public func fixedLength() -> Double {
        func excess(_ q: Double) -> Double { length(after: q) - q }
        var low = 1.0
        var high = 1.0
        if excess(1) > 0 {
            while excess(high) > 0 {
                low = high
                high *= 2
                if high > 1e300 { return .infinity }
            }
        } else {
            while excess(low) <= 0 {
                high = low
                low /= 2
                if low < 1e-300 { return 0 }
            }
        }
        while true {
            let middle = low + (high - low) / 2
            if middle <= low || middle >= high { return middle }
            if excess(middle) > 0 { low = middle } else { high = middle }
        }
    }

    /// The fixed point of the correlation map at the length q: 1 when χ₁ ≤ 1 (the map is convex on [0, 1]
    /// with slope χ₁ at its fixed point 1), else the one root of c ↦ map(c) − c in [0, 1), by bisection.
    public func fixedCorrelation(length q: Double) -> Double {
        guard q > 0, q.isFinite, chi1(at: q) > 1 else { return 1 }
        func excess(_ c: Double) -> Double { correlation(after: c, length: q) - c }
        if excess(0) <= 0 { return 0 }
        var high = 0.5
        while excess(high) >= 0 {
            high = 1 - (1 - high) / 2
            if high >= 1 { return 1 }
        }
        return Self.root(of: excess, from: 0, excess(0), to: high, excess(high))
    }

    /// The root of f between `low` (where f > 0) and `high` (where f < 0) by the Illinois variant of
    /// regula falsi (Dowell & Jarratt 1971): superlinear, and the bracket never loses the root.
    static func root(
        of f: (Double) -> Double, from low: Double, _ fLow: Double, to high: Double, _ fHigh: Double
    ) -> Double {
        var (a, fa, b, fb) = (low, fLow, high, fHigh)
        var side = 0
        for _ in 0..<200 {
            let x = (a * fb - b * fa) / (fb - fa)
            let fx = f(x)
            if fx == 0 || abs(b - a) <= 4 * Double.ulpOfOne * max(abs(a), abs(b)) + 1e-300 { return x }
            if fx > 0 {
                (a, fa) = (x, fx)
                if side == 1 { fb /= 2 }
                side = 1
            } else {
                (b, fb) = (x, fx)
                if side == -1 { fa /= 2 }
                side = -1
            }
            if abs(fx) < 1e-17 { return x }
        }
        return (a + b) / 2
    }

    /// The fixed points and depth scales at (σ_w², σ_b²).
    public struct FixedPoint: Sendable, Equatable {
        /// q*, the fixed point of the length map (+∞ when there is none).
        public var q: Double
        /// c*, the fixed point of the correlation map (NaN when q* is infinite).
        public var c: Double
        /// χ₁ = σ_w² E[φ′(√q* z)²]; the ordered phase has χ₁ < 1, the chaotic phase χ₁ > 1.
        public var chi1: Double
        /// χ_c = σ_w² E[φ′(u₁)φ′(u₂)] at c*.
        public var chiC: Double
        /// ξ_q = −1 / ln(slope of the length map at q*): how many layers the length takes to settle.
        public var lengthDepth: Double
        /// ξ_c = −1 / ln χ_c: how many layers two inputs' correlation takes to settle (+∞ at χ_c = 1).
        public var correlationDepth: Double
    }

    /// q*, c*, χ₁, χ_c and the depth scales ξ_q and ξ_c.
    public func fixedPoint() -> FixedPoint {
        let q = fixedLength()
        guard q.isFinite else {
            return FixedPoint(
                q: .infinity, c: .nan, chi1: .nan, chiC: .nan, lengthDepth: .nan, correlationDepth: .nan)
        }
        let c = fixedCorrelation(length: q)
        let chiC = chiC(at: q, correlation: c)
        return FixedPoint(
            q: q, c: c, chi1: chi1(at: q), chiC: chiC, lengthDepth: Self.depthScale(lengthSlope(at: q)),
            correlationDepth: Self.depthScale(chiC))
    }

    /// −1 / ln(rate): the number of layers over which a deviation shrinking by `rate` per layer falls by e;
    /// +∞ when the rate is 1 or more.
    static func depthScale(_ rate: Double) -> Double {
        rate >= 1 ? .infinity : -1 / log(rate)
    }

    /// The predicted pre-activation statistics of two inputs, layer by layer: `inputs` gives their
    /// second moments over the input units and the correlation between them; layer l then has weight
    /// variance `weightVariances[l]` (σ_w² of the theory for each layer) and this theory's σ_b² and φ.
    /// Layer 0's pre-activations are σ_w,0² times the input's moments plus σ_b² (no activation before the
    /// first layer); each later one applies the length and covariance maps to the one before.
    public func layers(
        inputs: (q1: Double, q2: Double, correlation: Double), weightVariances: [Double]
    ) -> [(q1: Double, q2: Double, correlation: Double)] {
        var result: [(q1: Double, q2: Double, correlation: Double)] = []
        var theory = self
        var q1 = 0.0
        var q2 = 0.0
        var c = inputs.correlation
        for (index, variance) in weightVariances.enumerated() {
            theory.weightVariance = variance
            if index == 0 {
                let covariance = variance * inputs.correlation * (inputs.q1 * inputs.q2).squareRoot() + biasVariance
                q1 = variance * inputs.q1 + biasVariance
                q2 = variance * inputs.q2 + biasVariance
                c = covariance / (q1 * q2).squareRoot()
            } else {
                let covariance = theory.covariance(after: q1, q2, correlation: c)
                q1 = theory.length(after: q1)
                q2 = theory.length(after: q2)
                c = covariance / (q1 * q2).squareRoot()
            }
            result.append((q1, q2, c))
        }
        return result
    }

    /// The standard deviation of φ(h) over units for pre-activations of second moment q:
    /// √(E[φ(√q z)²] − E[φ(√q z)]²), what `SignalPropagation` measures after the activation.
    public func activationStandardDeviation(length q: Double) -> Double {
        let s = q.squareRoot()
        let mean = rule.expectation { activation.value(s * $0) }
        let square = rule.expectation { z in
            let y = activation.value(s * z)
            return y * y
        }
        return max(0, square - mean * mean).squareRoot()
    }

    /// The critical weight variance at σ_b²: the σ_w² where χ₁ = 1 at the fixed point (the order-to-chaos
    /// boundary), found by bisection on [lower, upper]; nil when χ₁ − 1 does not change sign there (or q*
    /// is infinite at both ends).
    public static func criticalWeightVariance(
        activation: Activation, biasVariance: Double, in range: ClosedRange<Double> = 0.01...10,
        rule: GaussHermiteRule = GaussHermiteRule(nodeCount: 300)
    ) -> Double? {
        func excess(_ weightVariance: Double) -> Double {
            let theory = MeanField(
                activation: activation, weightVariance: weightVariance, biasVariance: biasVariance, rule: rule)
            let q = theory.fixedLength()
            // Past an unbounded φ's divergence (q* = ∞) the network is beyond the boundary.
            return q.isFinite ? theory.chi1(at: q) - 1 : 1
        }
        var low = range.lowerBound
        var high = range.upperBound
        guard excess(low) < 0, excess(high) > 0 else { return nil }
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if excess(middle) > 0 { high = middle } else { low = middle }
        }
        return (low + high) / 2
    }
}
