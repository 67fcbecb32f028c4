import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// The choice of OpenBLAS kernels from CPU features (tables of feature sets), the cpuid reading checked
/// against the kernel's /proc/cpuinfo (the `kindling` executable's restart: KernelChoiceCommandTests).
final class LinearAlgebraBackendTests: XCTestCase {
    static let sse: CPUFeatures = [.sse2, .sse3, .ssse3, .sse4_1, .sse4_2]
    static let sandyBridge = sse.union(.avx)
    static let haswell = sandyBridge.union([.fma, .avx2])
    static let skylakeSP = haswell.union(CPUFeatures.avx512Skylake)
    static let cooperLake = skylakeSP.union(.avx512BF16)
    static let sapphireRapids = cooperLake.union(.amxTile)

    func decide(
        _ features: CPUFeatures, running: String, selectable: Set<OpenBLASCore> = OpenBLASCore.selectable,
        user: String? = nil, dynamicArch: Bool = true, disabled: Bool = false
    ) -> OpenBLASCore? {
        KernelDecision.decide(
            features: features, runningCore: running, selectable: selectable, userCoreType: user,
            dynamicArch: dynamicArch, disabled: disabled
        ).core
    }

    func testTheWidestCoreWhoseInstructionsTheCPUHasIsChosenOverNarrowerRunningKernels() {
        let cases: [(String, CPUFeatures, String, OpenBLASCore?)] = [
            ("AVX-512 Xeon unknown to OpenBLAS", Self.cooperLake, "Prescott", .skylakeX),
            ("Sapphire Rapids, AMX", Self.sapphireRapids, "Prescott", .skylakeX),
            ("Skylake-SP detected as Haswell", Self.skylakeSP, "Haswell", .skylakeX),
            ("Haswell-class CPU detected as Prescott", Self.haswell, "Prescott", .haswell),
            ("Zen 2 (AVX2, no AVX-512) on Sandybridge kernels", Self.haswell, "Sandybridge", .haswell),
            ("Sandy Bridge detected as Nehalem", Self.sandyBridge, "Nehalem", .sandybridge),
            ("core names in any case", Self.skylakeSP, "PRESCOTT", .skylakeX),
            // Kernels as wide as the best, or wider, stay.
            ("SkylakeX detected", Self.skylakeSP, "SkylakeX", nil),
            ("Cooperlake detected", Self.cooperLake, "Cooperlake", nil),
            ("Zen on an AVX2 CPU", Self.haswell, "Zen", nil),
            ("Haswell detected", Self.haswell, "Haswell", nil),
            ("Excavator on an AVX CPU", Self.sandyBridge, "Excavator", nil),
            ("SSE-only CPU", Self.sse, "Core2", nil),
            ("no features known (not x86)", [], "armv8", nil),
        ]
        for (name, features, running, expected) in cases {
            XCTAssertEqual(decide(features, running: running), expected, name)
        }
    }

    func testNoCoreNeedingAMissingInstructionIsEverChosen() {
        // AVX-512 is only taken whole: one subset missing (or AVX2 without FMA) means the next narrower core.
        let cases: [(String, CPUFeatures, OpenBLASCore?)] = [
            ("AVX-512 F without VL (Xeon Phi)", Self.haswell.union([.avx512F, .avx512CD]), .haswell),
            ("AVX-512 without BW", Self.skylakeSP.subtracting(.avx512BW), .haswell),
            ("AVX-512 without DQ", Self.skylakeSP.subtracting(.avx512DQ), .haswell),
            ("AVX-512 without CD", Self.skylakeSP.subtracting(.avx512CD), .haswell),
            ("AVX2 without FMA", Self.sandyBridge.union(.avx2), .sandybridge),
            ("FMA without AVX2 (Piledriver)", Self.sandyBridge.union(.fma), .sandybridge),
            ("no AVX at all", Self.sse, nil),
        ]
        for (name, features, expected) in cases {
            XCTAssertEqual(decide(features, running: "Prescott"), expected, name)
        }
        // Cooperlake and SapphireRapids need BF16 and AMX, when a build offers them.
        let all = Set(OpenBLASCore.allCases)
        XCTAssertEqual(decide(Self.sapphireRapids, running: "Prescott", selectable: all), .sapphireRapids)
        XCTAssertEqual(decide(Self.cooperLake, running: "Prescott", selectable: all), .cooperlake)
        XCTAssertEqual(decide(Self.skylakeSP, running: "Prescott", selectable: all), .skylakeX)
        XCTAssertEqual(decide(Self.cooperLake, running: "Prescott", selectable: [.haswell]), .haswell)
        for core in OpenBLASCore.allCases {
            XCTAssertTrue(Self.sapphireRapids.isSuperset(of: core.requiredFeatures), "\(core)")
            XCTAssertFalse(Self.sse.isSuperset(of: core.requiredFeatures), "\(core)")
        }
    }

    func testTheUsersSettingAndBuildsWithoutDynamicArchAreLeftAlone() {
        XCTAssertNil(decide(Self.skylakeSP, running: "Prescott", user: "Prescott"))
        XCTAssertNil(decide(Self.skylakeSP, running: "Haswell", user: "Haswell"))
        XCTAssertEqual(decide(Self.skylakeSP, running: "Prescott", user: ""), .skylakeX, "an empty value is no setting")
        XCTAssertNil(decide(Self.skylakeSP, running: "Prescott", disabled: true))
        XCTAssertNil(decide(Self.skylakeSP, running: "Prescott", dynamicArch: false))
        XCTAssertEqual(
            KernelDecision.decide(
                features: Self.skylakeSP, runningCore: "Prescott", selectable: OpenBLASCore.selectable,
                userCoreType: "Haswell", dynamicArch: true, disabled: false),
            .keep(reason: "OPENBLAS_CORETYPE=Haswell is set"))
    }

    func testInstructionSetNames() {
        XCTAssertEqual(Self.cooperLake.bestInstructionSet, "AVX-512 (F, CD, BW, DQ, VL) + BF16")
        XCTAssertEqual(Self.sapphireRapids.bestInstructionSet, "AVX-512 (F, CD, BW, DQ, VL) + BF16 + AMX")
        XCTAssertEqual(Self.haswell.bestInstructionSet, "AVX2 + FMA")
        XCTAssertEqual(Self.sandyBridge.bestInstructionSet, "AVX")
        XCTAssertEqual(Self.sse.bestInstructionSet, "SSE4.2")
        XCTAssertEqual(CPUFeatures([.sse2]).bestInstructionSet, "SSE2")
        XCTAssertEqual(Self.haswell.description, "SSE2, SSE3, SSSE3, SSE4.1, SSE4.2, AVX, FMA, AVX2")
    }

    func testCPUFeaturesAgreeWithProcCPUInfo() throws {
        let flags = try procCPUInfoFlags()
        let pairs: [(CPUFeatures, String)] = [
            (.sse2, "sse2"), (.sse3, "pni"), (.ssse3, "ssse3"), (.sse4_1, "sse4_1"), (.sse4_2, "sse4_2"),
            (.avx, "avx"), (.fma, "fma"), (.avx2, "avx2"), (.avx512F, "avx512f"), (.avx512CD, "avx512cd"),
            (.avx512BW, "avx512bw"), (.avx512DQ, "avx512dq"), (.avx512VL, "avx512vl"),
            (.avx512BF16, "avx512_bf16"), (.amxTile, "amx_tile"),
        ]
        for (feature, flag) in pairs {
            XCTAssertEqual(CPUFeatures.current.contains(feature), flags.contains(flag), flag)
        }
    }

    /// The loader's choice among the Float kernels' builds (CVectorKernels) is the widest x86-64 level
    /// whose features /proc/cpuinfo lists.
    func testFloatKernelsRunTheWidestLevelTheCPUHas() throws {
        let flags = try procCPUInfoFlags()
        let v2: Set = ["cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"]
        let v3 = v2.union(["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"])
        let v4 = v3.union(["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"])
        let expected =
            v4.isSubset(of: flags)
            ? "AVX-512 (x86-64-v4)" : v3.isSubset(of: flags) ? "AVX2 (x86-64-v3)" : "SSE2 (x86-64)"
        XCTAssertEqual(LinearAlgebraBackend.current.vectorKernels, expected)
        XCTAssertTrue(LinearAlgebraBackend.current.description.hasSuffix("Kindling's Float kernels: \(expected)"))
    }
}
