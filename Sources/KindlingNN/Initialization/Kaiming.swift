import KindlingCore
import KindlingPlatform

extension Initializer {
    /// He et al. 2015, "Delving deep into rectifiers": U(-bound, bound) with
    /// bound = sqrt(3) · gain / sqrt(fan), gain = `calculateGain(nonlinearity)` where a leaky ReLU's slope is
    /// its own `negativeSlope` if given, else `a`, and fan is chosen by `mode`
    /// (`torch.nn.init.kaiming_uniform_`; Keras `HeUniform` is mode fanIn, nonlinearity relu).
    /// Defaults are PyTorch's: a = 0, fanIn, leakyReLU, so gain sqrt(2).
    public static func kaimingUniform(
        a: Double = 0, mode: FanMode = .fanIn,
        nonlinearity: Nonlinearity = .leakyReLU()
    ) -> Initializer {
        Initializer("kaimingUniform(a: \(a), mode: \(mode), nonlinearity: \(nonlinearity))") { shape, generator in
            kaimingUniformValues(shape: shape, gain: kaimingGain(a: a, nonlinearity), mode: mode, generator: generator)
        }
    }

    /// He et al. 2015 with the gain given directly: U(±sqrt(3) · gain / sqrt(fan)), the fan chosen by `mode`
    /// (what `kaimingUniform(a:mode:nonlinearity:)` draws once the gain is known).
    public static func kaimingUniform(gain: Double, mode: FanMode = .fanIn) -> Initializer {
        Initializer("kaimingUniform(gain: \(gain), mode: \(mode))") { shape, generator in
            kaimingUniformValues(shape: shape, gain: gain, mode: mode, generator: generator)
        }
    }

    /// He et al. 2015: N(0, std²) with std = gain / sqrt(fan), gain and fan as in `kaimingUniform`
    /// (`torch.nn.init.kaiming_normal_`). Defaults are PyTorch's: a = 0, fanIn, leakyReLU (gain sqrt(2)).
    public static func kaimingNormal(
        a: Double = 0, mode: FanMode = .fanIn,
        nonlinearity: Nonlinearity = .leakyReLU()
    ) -> Initializer {
        Initializer("kaimingNormal(a: \(a), mode: \(mode), nonlinearity: \(nonlinearity))") { shape, generator in
            kaimingNormalValues(shape: shape, gain: kaimingGain(a: a, nonlinearity), mode: mode, generator: generator)
        }
    }

    /// He et al. 2015 with the gain given directly: N(0, (gain / sqrt(fan))²), the fan chosen by `mode`
    /// (what `kaimingNormal(a:mode:nonlinearity:)` draws once the gain is known).
    public static func kaimingNormal(gain: Double, mode: FanMode = .fanIn) -> Initializer {
        Initializer("kaimingNormal(gain: \(gain), mode: \(mode))") { shape, generator in
            kaimingNormalValues(shape: shape, gain: gain, mode: mode, generator: generator)
        }
    }

    /// PyTorch's default for the weight and the bias of Linear and Conv2d (their `reset_parameters`): both
    /// U(-bound, bound) with bound = 1 / sqrt(fan_in) of the weight. For the weight this is
    /// `kaiming_uniform_(a: sqrt(5))`, whose gain sqrt(2 / (1 + 5)) makes sqrt(3) · gain / sqrt(fan_in)
    /// equal 1 / sqrt(fan_in); Kindling computes it in that closed form, so the weight and bias draw from
    /// one bound. The layers' constructors and `InitializationScheme.pytorchDefault` use it.
    public static func pytorchDefaultBound(weightShape: [Int]) -> Double {
        1 / Double(Fans(shape: weightShape).fanIn).squareRoot()
    }

    /// calculateGain for Kaiming: a leaky ReLU without its own slope takes `a` (PyTorch passes `a` as
    /// `calculate_gain`'s parameter).
    static func kaimingGain(a: Double, _ nonlinearity: Nonlinearity) -> Double {
        guard case .leakyReLU(let negativeSlope) = nonlinearity else { return calculateGain(nonlinearity) }
        require(
            negativeSlope == nil || a == 0 || negativeSlope == a,
            "kaiming: a = \(a) and the leaky ReLU's negativeSlope \(negativeSlope!) disagree")
        return calculateGain(.leakyReLU(negativeSlope: negativeSlope ?? a))
    }

    /// U(±sqrt(3) · gain / sqrt(fan)).
    private static func kaimingUniformValues(
        shape: [Int], gain: Double, mode: FanMode,
        generator: RandomGenerator
    ) -> [Double] {
        let count = shape.reduce(1, *)
        guard count > 0 else { return [] }
        let bound = 3.0.squareRoot() * (gain / Fans(shape: shape).fan(mode).squareRoot())
        return uniformValues(count, low: -bound, high: bound, generator: generator)
    }

    /// N(0, (gain / sqrt(fan))²), drawn as `standardNormal() * std`.
    private static func kaimingNormalValues(
        shape: [Int], gain: Double, mode: FanMode,
        generator: RandomGenerator
    ) -> [Double] {
        let count = shape.reduce(1, *)
        guard count > 0 else { return [] }
        let standardDeviation = gain / Fans(shape: shape).fan(mode).squareRoot()
        return centredNormalValues(count, standardDeviation: standardDeviation, generator: generator)
    }
}
