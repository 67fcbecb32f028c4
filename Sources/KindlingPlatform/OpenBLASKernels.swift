/// A kernel set ("core") of a DYNAMIC_ARCH OpenBLAS build for x86-64, as `openblas_get_corename` names it
/// and as OPENBLAS_CORETYPE selects it, with the instructions its kernels need.
///
/// Only the cores that Kindling may choose are listed by case; every other core name (Prescott, Core2,
/// Nehalem, Atom, Barcelona, Bulldozer, ...) counts as SSE-level through `level(ofCoreNamed:)`.
public enum OpenBLASCore: String, CaseIterable, Sendable {
    /// AVX kernels (Sandy Bridge): AVX.
    case sandybridge = "Sandybridge"
    /// AVX2 kernels (Haswell): AVX2 and FMA.
    case haswell = "Haswell"
    /// AVX-512 kernels (Skylake-SP): AVX-512 F, CD, BW, DQ and VL.
    case skylakeX = "SkylakeX"
    /// SkylakeX's kernels plus BFloat16 ones (Cooper Lake): AVX-512 as SkylakeX, and AVX-512 BF16.
    case cooperlake = "Cooperlake"
    /// Cooperlake's kernels plus AMX ones (Sapphire Rapids): as Cooperlake, and AMX tiles.
    case sapphireRapids = "SapphireRapids"

    /// The instructions without which this core's kernels fault.
    public var requiredFeatures: CPUFeatures {
        switch self {
        case .sandybridge: return [.avx]
        case .haswell: return [.avx, .avx2, .fma]
        case .skylakeX: return CPUFeatures.avx512Skylake.union([.avx, .avx2, .fma])
        case .cooperlake: return CPUFeatures.avx512Skylake.union([.avx, .avx2, .fma, .avx512BF16])
        case .sapphireRapids: return CPUFeatures.avx512Skylake.union([.avx, .avx2, .fma, .avx512BF16, .amxTile])
        }
    }

    /// How wide the core's kernels are, for comparing cores: 1 AVX, 2 AVX2, 3 AVX-512, 4 and 5 AVX-512 with
    /// BF16 and AMX. Every other x86 core (SSE-level) is 0.
    public var level: Int {
        switch self {
        case .sandybridge: return 1
        case .haswell: return 2
        case .skylakeX: return 3
        case .cooperlake: return 4
        case .sapphireRapids: return 5
        }
    }

    /// The level of a core as `openblas_get_corename` names it (any letter case). The AMD cores count with
    /// the Intel ones of the same instructions: Bulldozer to Excavator as AVX, Zen as AVX2. Names not known
    /// here count as 0, the SSE level.
    public static func level(ofCoreNamed name: String) -> Int {
        let lowercased = name.lowercased()
        if let core = allCases.first(where: { $0.rawValue.lowercased() == lowercased }) { return core.level }
        switch lowercased {
        case "bulldozer", "piledriver", "steamroller", "excavator": return 1
        case "zen": return 2
        default: return 0
        }
    }

    /// The cores that Kindling sets in OPENBLAS_CORETYPE.
    ///
    /// Sandybridge, Haswell and SkylakeX are accepted by every release since 0.3.0 built with DYNAMIC_ARCH.
    /// Cooperlake and SapphireRapids are left out: 0.3.21 (Debian 12's) has Cooperlake's kernels but does
    /// not accept its name (`OPENBLAS_CORETYPE=Cooperlake OPENBLAS_VERBOSE=2` prints "Core not found:
    /// Cooperlake"), other releases have not been checked, and for Float and Double both use SkylakeX's
    /// sgemm and dgemm kernels: they add BFloat16 and AMX kernels, which Kindling does not call.
    public static let selectable: Set<OpenBLASCore> = [.sandybridge, .haswell, .skylakeX]
}

/// What Kindling does about OpenBLAS's kernels: keep the ones it runs, or have it use another core.
public enum KernelDecision: Equatable, Sendable {
    /// Keep the running kernels, for the reason given.
    case keep(reason: String)
    /// Set OPENBLAS_CORETYPE to this core before OpenBLAS loads.
    case use(OpenBLASCore)

    /// The core to set, or nil when the running kernels stay.
    public var core: OpenBLASCore? {
        if case .use(let core) = self { return core }
        return nil
    }

    /// Decides which kernels OpenBLAS should run: the widest selectable core whose instructions the CPU
    /// has, when it is wider than the running one and neither the user nor a setting says otherwise.
    ///
    /// - Parameters:
    ///   - features: the CPU's features (`CPUFeatures.current`).
    ///   - runningCore: what `openblas_get_corename` reports now.
    ///   - selectable: the cores this OpenBLAS accepts in OPENBLAS_CORETYPE
    ///     (`OpenBLASCore.selectable`).
    ///   - userCoreType: the value of OPENBLAS_CORETYPE in the environment, if any: the user's choice always
    ///     wins, even when it names narrower kernels.
    ///   - dynamicArch: whether the library was built with DYNAMIC_ARCH (otherwise OPENBLAS_CORETYPE is
    ///     ignored and there is nothing to choose).
    ///   - disabled: whether KINDLING_KEEP_OPENBLAS_CORE is set (the user's way to turn this off).
    public static func decide(
        features: CPUFeatures, runningCore: String, selectable: Set<OpenBLASCore>, userCoreType: String?,
        dynamicArch: Bool, disabled: Bool
    ) -> KernelDecision {
        if let userCoreType, !userCoreType.isEmpty {
            return .keep(reason: "OPENBLAS_CORETYPE=\(userCoreType) is set")
        }
        if disabled { return .keep(reason: "KINDLING_KEEP_OPENBLAS_CORE is set") }
        if !dynamicArch { return .keep(reason: "this OpenBLAS is built for one CPU (no DYNAMIC_ARCH)") }
        let usable = selectable.filter { features.isSuperset(of: $0.requiredFeatures) }
        guard let best = usable.max(by: { $0.level < $1.level }) else {
            return .keep(reason: "the CPU has no instructions for a wider core")
        }
        let running = OpenBLASCore.level(ofCoreNamed: runningCore)
        if running >= best.level { return .keep(reason: "\(runningCore) is the widest core OpenBLAS has for this CPU") }
        return .use(best)
    }
}
