import KindlingCore
import KindlingPlatform

/// What a named initialization may be tuned by: the experiments set these, the registry's entries read them.
public struct InitializationSettings: Sendable, Hashable {
    /// The gain of the entries that take one (xavier, xavier-normal, he, kaiming-uniform, orthogonal);
    /// nil: each entry's own default (1 for Xavier and orthogonal, the course's sqrt(2) for He).
    public var gain: Double?
    /// The `random` entry's scale: N(0, 1) times this (the docs' "too large" start is 10).
    public var randomScale: Double

    /// Settings with the given gain (nil: each entry's default) and random scale.
    public init(gain: Double? = nil, randomScale: Double = 10) {
        self.gain = gain
        self.randomScale = randomScale
    }
}

/// Every whole-model initialization that has a name, in one list: `kindling train --init`,
/// `compare-init --inits`, `propagate --init/--compare`, `transfer --inits`, their help texts and the
/// experiments all read it. A new initializer is one file in this folder (its `Initializer` factory) and
/// one line here.
public enum InitializerRegistry {
    /// One named initialization.
    public struct Entry: Sendable {
        /// The name the command line takes (lower case, words joined by "-").
        public let name: String
        /// Other spellings accepted for the same entry (kept as typed in outputs).
        public let aliases: [String]
        /// One line: the formula, the paper or framework it comes from.
        public let summary: String
        /// Whether LSUV then fits the weights to a batch of data (Mishkin & Matas 2015).
        public let fitsToData: Bool
        let scheme: @Sendable (InitializationSettings) -> InitializationScheme

        init(
            _ name: String, aliases: [String] = [], _ summary: String, fitsToData: Bool = false,
            scheme: @escaping @Sendable (InitializationSettings) -> InitializationScheme
        ) {
            self.name = name
            self.aliases = aliases
            self.summary = summary
            self.fitsToData = fitsToData
            self.scheme = scheme
        }
    }

    /// The entries, in the order help texts list them. Every one sets biases to 0 except pytorch-default.
    public static let entries: [Entry] = [
        Entry("zeros", "every weight 0: the symmetric start that cannot learn distinct units") { _ in .zeros },
        Entry("random", "N(0, 1) · scale (10 unless set): the too-large start") { .random(scale: $0.randomScale) },
        Entry("he", aliases: ["kaiming"], "He et al. 2015: N(0, gain²/fan_in), gain sqrt(2) unless set") {
            $0.gain.map { .initializer(.kaimingNormal(gain: $0)) } ?? .he
        },
        Entry("xavier", "Glorot & Bengio 2010: U(±gain·sqrt(6/(fan_in+fan_out))), gain 1 unless set") {
            $0.gain.map { .initializer(.xavierUniform(gain: $0)) } ?? .xavier
        },
        Entry("lecun", aliases: ["scaled"], "LeCun et al. 1998: N(0, 1/fan_in)") { _ in .lecun },
        Entry("orthogonal", "Saxe et al. 2013: orthonormal rows or columns times gain (1 unless set)") {
            $0.gain.map { .initializer(.orthogonal(gain: $0)) } ?? .orthogonal
        },
        Entry("pytorch-default", aliases: ["default"], "PyTorch's Linear/Conv2d: weight and bias U(±1/sqrt(fan_in))") {
            _ in .pytorchDefault
        },
        Entry("automatic", "per layer by the activation after it: ReLU He, tanh Xavier·5/3, SELU LeCun, else Xavier") {
            _ in .automatic
        },
        Entry(
            "lsuv", "Mishkin & Matas 2015: orthogonal, then each layer scaled to output std 1 ± 0.1 on the data",
            fitsToData: true
        ) { _ in .orthogonal },
        Entry("random-uniform", "Keras RandomUniform(): U(-0.05, 0.05)") {
            _ in .initializer(.uniform(low: -0.05, high: 0.05))
        },
        Entry("glorot-uniform", "Keras GlorotUniform(): U(±sqrt(6/(fan_in+fan_out)))") {
            _ in .initializer(.xavierUniform())
        },
        Entry("he-normal", "Keras HeNormal(): N(0, 2/fan_in) truncated at 2 std") {
            _ in .initializer(.varianceScaling(scale: 2, mode: .fanIn, distribution: .truncatedNormal))
        },
        Entry("lecun-uniform", "Keras LecunUniform(): U(±sqrt(3/fan_in))") { _ in .initializer(.lecunUniform) },
        Entry("normal", "N(0, 1), unscaled: the signal explodes by sqrt(fan_in) per layer") {
            _ in .initializer(.normal())
        },
        Entry("xavier-normal", "Glorot & Bengio 2010: N(0, gain²·2/(fan_in+fan_out)), gain 1 unless set") {
            .initializer(.xavierNormal(gain: $0.gain ?? 1))
        },
        Entry("kaiming-uniform", "He et al. 2015: U(±gain·sqrt(3/fan_in)), gain sqrt(2) unless set") {
            .initializer($0.gain.map { .kaimingUniform(gain: $0) } ?? .kaimingUniform())
        },
    ]

    /// The entry named (or aliased) `name`, nil when there is none.
    public static func entry(named name: String) -> Entry? {
        entries.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// The names, each with its aliases in parentheses, joined by ", " (for help texts).
    public static var nameList: String {
        entries.map { $0.aliases.isEmpty ? $0.name : "\($0.name) (\($0.aliases.joined(separator: ", ")))" }
            .joined(separator: ", ")
    }
}

/// A registry name as typed: compared, stored and printed as spelled, resolved to its `InitializerRegistry`
/// entry. `InitializationName(rawValue: "he")` is nil for names the registry does not hold; a string
/// literal (`"he"`) must be a registry name.
public struct InitializationName: RawRepresentable, Sendable, Hashable, Codable, CaseIterable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    /// The name as typed (a registry name or alias).
    public let rawValue: String
    /// The registry entry it names.
    public var entry: InitializerRegistry.Entry { InitializerRegistry.entry(named: rawValue)! }

    /// The name if the registry holds it (as a name or an alias).
    public init?(rawValue: String) {
        guard InitializerRegistry.entry(named: rawValue) != nil else { return nil }
        self.rawValue = rawValue
    }

    /// A registry name written in code; anything else stops with the list of names.
    public init(stringLiteral name: String) {
        guard let known = Self(rawValue: name) else {
            failRequirement("'\(name)' is not an initialization; the registry holds \(InitializerRegistry.nameList)")
        }
        self = known
    }

    /// Decodes the name from a string, failing on names the registry does not hold.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let known = Self(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(name)' is not one of \(InitializerRegistry.nameList)")
        }
        self = known
    }

    /// Encodes the name as a string.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Every registry entry by its name (aliases are not repeated), in the registry's order.
    public static var allCases: [InitializationName] { InitializerRegistry.entries.map { Self(rawValue: $0.name)! } }

    /// The name as typed.
    public var description: String { rawValue }

    /// The scheme the entry applies with `settings` (for `lsuv`, its pre-initialization before fitting).
    public func scheme(_ settings: InitializationSettings = InitializationSettings()) -> InitializationScheme {
        entry.scheme(settings)
    }

    /// Initializes `model`, drawing from `generator`: its scheme with `settings`, then, for an entry that
    /// fits itself to the data, LSUV on `batch` from those weights (`batch` is evaluated only then).
    public func initialize<Model: Module>(
        _ model: Model, batch: @autoclosure () -> Tensor<Model.Scalar>,
        settings: InitializationSettings = InitializationSettings(),
        generator: RandomGenerator
    ) {
        model.initializeWeights(scheme(settings), generator: generator)
        if entry.fitsToData {
            model.initializeWeights(.lsuv(batch: batch(), orthonormalPreinitialization: false), generator: generator)
        }
    }
}
