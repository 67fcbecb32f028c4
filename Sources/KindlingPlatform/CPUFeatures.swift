import CLinearAlgebra

/// The instruction-set extensions of an x86 CPU that decide which OpenBLAS kernels it can run, read from
/// cpuid's feature bits (leaves 1 and 7), never from the model number. An AVX, AVX-512 or AMX feature counts
/// only when the operating system also saves its registers (XCR0), as OpenBLAS's own checks require.
///
/// ```swift
/// CPUFeatures.current.contains(.avx2)   // true on a Haswell or newer x86 CPU
/// CPUFeatures.current.bestInstructionSet  // "AVX-512 (F, CD, BW, DQ, VL) + BF16" on a Cooper Lake Xeon
/// ```
public struct CPUFeatures: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt64
    /// Features from their bits, as `kindling_cpu_features` in Modules/CLinearAlgebra/shim.h sets them.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// SSE2 (cpuid 1, EDX bit 26).
    public static let sse2 = CPUFeatures(rawValue: UInt64(KINDLING_CPU_SSE2))
    /// SSE3 (cpuid 1, ECX bit 0).
    public static let sse3 = CPUFeatures(rawValue: UInt64(KINDLING_CPU_SSE3))
    /// SSSE3 (cpuid 1, ECX bit 9).
    public static let ssse3 = CPUFeatures(rawValue: UInt64(KINDLING_CPU_SSSE3))
    /// SSE4.1 (cpuid 1, ECX bit 19).
    public static let sse4_1 = CPUFeatures(rawValue: UInt64(KINDLING_CPU_SSE4_1))
    /// SSE4.2 (cpuid 1, ECX bit 20).
    public static let sse4_2 = CPUFeatures(rawValue: UInt64(KINDLING_CPU_SSE4_2))
    /// AVX (cpuid 1, ECX bit 28, with the YMM state saved by the OS).
    public static let avx = CPUFeatures(rawValue: UInt64(KINDLING_CPU_AVX))
    /// FMA3 (cpuid 1, ECX bit 12, with the YMM state saved by the OS).
    public static let fma = CPUFeatures(rawValue: UInt64(KINDLING_CPU_FMA))
    /// AVX2 (cpuid 7, EBX bit 5).
    public static let avx2 = CPUFeatures(rawValue: UInt64(KINDLING_CPU_AVX2))
    /// AVX-512 Foundation (cpuid 7, EBX bit 16, with the opmask and ZMM state saved by the OS).
    public static let avx512F = CPUFeatures(rawValue: UInt64(KINDLING_CPU_AVX512F))
    /// AVX-512 Conflict Detection (cpuid 7, EBX bit 28).
    public static let avx512CD = CPUFeatures(rawValue: UInt64(KINDLING_CPU_AVX512CD))
    /// AVX-512 Byte and Word (cpuid 7, EBX bit 30).
    public static let avx512BW = CPUFeatures(rawValue: UInt64(KINDLING_CPU_AVX512BW))
    /// AVX-512 Doubleword and Quadword (cpuid 7, EBX bit 17).
    public static let avx512DQ = CPUFeatures(rawValue: UInt64(KINDLING_CPU_AVX512DQ))
    /// AVX-512 Vector Length extensions (cpuid 7, EBX bit 31).
    public static let avx512VL = CPUFeatures(rawValue: UInt64(KINDLING_CPU_AVX512VL))
    /// AVX-512 BFloat16 (cpuid 7 subleaf 1, EAX bit 5).
    public static let avx512BF16 = CPUFeatures(rawValue: UInt64(KINDLING_CPU_AVX512BF16))
    /// AMX tiles (cpuid 7, EDX bit 24, with the tile state saved by the OS).
    public static let amxTile = CPUFeatures(rawValue: UInt64(KINDLING_CPU_AMXTILE))

    /// The AVX-512 subsets that Skylake-SP and later server CPUs have, and OpenBLAS's SkylakeX kernels use.
    public static let avx512Skylake: CPUFeatures = [.avx512F, .avx512CD, .avx512BW, .avx512DQ, .avx512VL]

    /// The features of the CPU this process runs on (empty off x86).
    public static let current = CPUFeatures(rawValue: kindling_cpu_features())

    private static let names: [(CPUFeatures, String)] = [
        (.sse2, "SSE2"), (.sse3, "SSE3"), (.ssse3, "SSSE3"), (.sse4_1, "SSE4.1"), (.sse4_2, "SSE4.2"),
        (.avx, "AVX"), (.fma, "FMA"), (.avx2, "AVX2"), (.avx512F, "AVX-512F"), (.avx512CD, "AVX-512CD"),
        (.avx512BW, "AVX-512BW"), (.avx512DQ, "AVX-512DQ"), (.avx512VL, "AVX-512VL"),
        (.avx512BF16, "AVX-512 BF16"), (.amxTile, "AMX"),
    ]

    /// The features' names, comma-separated ("SSE2, SSE3, ..., AVX2").
    public var description: String {
        let present = Self.names.filter { contains($0.0) }.map(\.1)
        return present.isEmpty ? "none known" : present.joined(separator: ", ")
    }

    /// The widest vector instruction set that is complete, as a short phrase: "AVX-512 (F, CD, BW, DQ, VL)",
    /// "AVX2 + FMA", "AVX", "SSE4.2", ... with " + BF16" and " + AMX" when present.
    public var bestInstructionSet: String {
        var best: String
        if isSuperset(of: Self.avx512Skylake) {
            best = "AVX-512 (F, CD, BW, DQ, VL)"
        } else if isSuperset(of: [.avx2, .fma]) {
            best = "AVX2 + FMA"
        } else if contains(.avx) {
            best = "AVX"
        } else {
            best = Self.names.prefix(5).last { contains($0.0) }?.1 ?? "no SIMD extension known to Kindling"
        }
        if contains(.avx512BF16) { best += " + BF16" }
        if contains(.amxTile) { best += " + AMX" }
        return best
    }
}
