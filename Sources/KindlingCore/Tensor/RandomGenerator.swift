import Foundation
import KindlingPlatform

/// A random number generator that reproduces `numpy.random.RandomState` (the legacy generator behind
/// `numpy.random.seed`) bit for bit: MT19937 seeded with `init_genrand`, doubles from two 32-bit draws,
/// Gaussians by the polar method with the second value cached, integers in a range by masked rejection,
/// shuffles by Fisher–Yates from the top. So `RandomGenerator(seed: 3).standardNormal()` is
/// `numpy.random.seed(3); numpy.random.randn()`.
///
/// It is a class: one generator is shared by everything that draws from it (initializers, dropout, batch
/// shuffling), and each draw advances the same stream.
public final class RandomGenerator: RandomNumberGenerator {
    /// The 624 words of MT19937 state, in a buffer owned by the generator (no exclusivity checks on the
    /// hot path).
    private let state = UnsafeMutablePointer<UInt32>.allocate(capacity: 624)
    private var position = 624
    private var cachedGaussian: Double?

    deinit { state.deallocate() }

    /// A generator in the state of `numpy.random.seed(seed)` (seed in 0..<2^32).
    public init(seed: UInt32) {
        reseed(seed)
    }

    /// Puts the generator in the state of `numpy.random.seed(seed)`.
    public func reseed(_ seed: UInt32) {
        var value = seed
        for i in 0..<624 {
            state[i] = value
            value = 1_812_433_253 &* (value ^ (value >> 30)) &+ UInt32(i + 1)
        }
        position = 624
        cachedGaussian = nil
    }

    /// The next 32 random bits of MT19937 (`genrand_int32`).
    @inline(__always)
    public func nextUInt32() -> UInt32 {
        if position >= 624 { twist() }
        var y = state[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private func twist() {
        let upper: UInt32 = 0x8000_0000
        let lower: UInt32 = 0x7FFF_FFFF
        let matrix: UInt32 = 0x9908_B0DF
        let state = self.state
        for i in 0..<624 {
            let y = (state[i] & upper) | (state[i == 623 ? 0 : i + 1] & lower)
            let j = i < 227 ? i + 397 : i - 227
            state[i] = state[j] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : matrix)
        }
        position = 0
    }

    /// 64 random bits (two 32-bit draws, high word first), for `RandomNumberGenerator`.
    public func next() -> UInt64 {
        (UInt64(nextUInt32()) << 32) | UInt64(nextUInt32())
    }

    /// A double uniform in [0, 1) with 53 random bits (`numpy.random.random_sample`).
    public func randomSample() -> Double {
        let a = Double(nextUInt32() >> 5)
        let b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// A double uniform in [low, high) (`numpy.random.uniform`).
    public func uniform(low: Double = 0, high: Double = 1) -> Double {
        low + (high - low) * randomSample()
    }

    /// A standard normal value by the polar method, caching the second value of each pair
    /// (`numpy.random.standard_normal`, `randn`).
    public func standardNormal() -> Double {
        if let cached = cachedGaussian {
            cachedGaussian = nil
            return cached
        }
        var x1 = 0.0
        var x2 = 0.0
        var r2 = 0.0
        repeat {
            x1 = 2 * randomSample() - 1
            x2 = 2 * randomSample() - 1
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1 || r2 == 0
        let f = (-2 * Foundation.log(r2) / r2).squareRoot()
        cachedGaussian = f * x1
        return f * x2
    }

    /// A normal value with the given mean and standard deviation (`numpy.random.normal`).
    public func normal(mean: Double = 0, standardDeviation: Double = 1) -> Double {
        mean + standardDeviation * standardNormal()
    }

    /// An integer uniform in 0...max by masked rejection sampling (numpy's `rk_interval`).
    public func integer(upTo max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        mask |= mask >> 32
        if max <= 0xFFFF_FFFF {
            while true {
                let value = UInt64(nextUInt32()) & mask
                if value <= max { return value }
            }
        }
        while true {
            let value = next() & mask
            if value <= max { return value }
        }
    }

    /// An integer uniform in low..<high (`numpy.random.randint(low, high)`).
    public func randint(low: Int, high: Int) -> Int {
        require(low < high, "randint: low \(low) must be less than high \(high)")
        return low + Int(integer(upTo: UInt64(high - low - 1)))
    }

    /// Shuffles the elements in place by Fisher–Yates from the top (`numpy.random.shuffle`).
    public func shuffle<T>(_ elements: inout [T]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, through: 1, by: -1) {
            let j = Int(integer(upTo: UInt64(i)))
            elements.swapAt(i, j)
        }
    }

    /// A random ordering of 0..<count (`numpy.random.permutation(count)`).
    public func permutation(_ count: Int) -> [Int] {
        var indices = Array(0..<count)
        shuffle(&indices)
        return indices
    }
}

extension Tensor {
    /// `count` values of `draw`, in order; inlined into each caller so that its draw is inlined too.
    @inline(__always)
    package static func drawn(_ shape: [Int], _ draw: () -> Double) -> Tensor {
        let count = shape.reduce(1, *)
        let scalars = [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Scalar(draw()) }
            initialized = count
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// Standard normal values drawn in row-major order (`numpy.random.randn(*shape)`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func randn(_ shape: [Int], generator: RandomGenerator) -> Tensor {
        drawn(shape) { generator.standardNormal() }
    }

    /// Normal values with the given mean and standard deviation (`numpy.random.normal`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func normal(
        _ shape: [Int], mean: Double = 0, standardDeviation: Double = 1,
        generator: RandomGenerator
    ) -> Tensor {
        drawn(shape) { generator.normal(mean: mean, standardDeviation: standardDeviation) }
    }

    /// Values uniform in [low, high) (`numpy.random.uniform`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func uniform(_ shape: [Int], low: Double = 0, high: Double = 1, generator: RandomGenerator) -> Tensor
    {
        drawn(shape) { generator.uniform(low: low, high: high) }
    }

    /// The rows of this tensor in a random order, drawn as `numpy.random.shuffle` on the array would.
    public func shuffledRows(generator: RandomGenerator) -> Tensor {
        gatheringRows(generator.permutation(shape.first ?? 0))
    }
}

extension RandomGenerator {
    /// The process-wide generator that layers draw their default initialization from when no generator
    /// is given (like PyTorch's global RNG). Seed it with `RandomGenerator.global.reseed(_:)`. It is not
    /// synchronized: pass your own generator when constructing models on several threads.
    nonisolated(unsafe) public static let global = RandomGenerator(seed: 0)
}
