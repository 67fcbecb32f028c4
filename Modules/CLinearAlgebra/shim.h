// CBLAS (OpenBLAS) and LAPACKE, found through pkg-config (openblas, lapacke); glibc's mallopt, with which
// LinearAlgebra/HeapRetention.swift keeps freed matrix buffers for reuse; and the CPU's feature bits, with
// which LinearAlgebra/CPUFeatures.swift tells which OpenBLAS kernels the CPU can run.
#include <cblas.h>
#include <lapacke.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdint.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

// Bits of kindling_cpu_features()'s result; CPUFeatures in Swift uses the same values.
enum {
    KINDLING_CPU_SSE2 = 1 << 0, KINDLING_CPU_SSE3 = 1 << 1, KINDLING_CPU_SSSE3 = 1 << 2,
    KINDLING_CPU_SSE4_1 = 1 << 3, KINDLING_CPU_SSE4_2 = 1 << 4, KINDLING_CPU_AVX = 1 << 5,
    KINDLING_CPU_FMA = 1 << 6, KINDLING_CPU_AVX2 = 1 << 7, KINDLING_CPU_AVX512F = 1 << 8,
    KINDLING_CPU_AVX512CD = 1 << 9, KINDLING_CPU_AVX512BW = 1 << 10, KINDLING_CPU_AVX512DQ = 1 << 11,
    KINDLING_CPU_AVX512VL = 1 << 12, KINDLING_CPU_AVX512BF16 = 1 << 13, KINDLING_CPU_AMXTILE = 1 << 14,
};

// The instruction-set extensions that the CPU has (cpuid leaves 1 and 7) and the operating system saves
// across context switches (XCR0 read with xgetbv): an AVX bit is set only when the OS saves the YMM state,
// an AVX-512 bit only when it saves the opmask and ZMM state, AMX only with the tile state. 0 off x86.
static inline uint64_t kindling_cpu_features(void) {
    uint64_t features = 0;
#if defined(__x86_64__) || defined(__i386__)
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (edx & (1u << 26)) features |= KINDLING_CPU_SSE2;
    if (ecx & (1u << 0)) features |= KINDLING_CPU_SSE3;
    if (ecx & (1u << 9)) features |= KINDLING_CPU_SSSE3;
    if (ecx & (1u << 19)) features |= KINDLING_CPU_SSE4_1;
    if (ecx & (1u << 20)) features |= KINDLING_CPU_SSE4_2;
    const int has_fma = (ecx & (1u << 12)) != 0, has_avx = (ecx & (1u << 28)) != 0;
    uint64_t xcr0 = 0;
    if (ecx & (1u << 27)) {  // OSXSAVE: xgetbv may be executed
        unsigned int low, high;
        __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(low), "=d"(high) : "c"(0));
        xcr0 = ((uint64_t)high << 32) | low;
    }
    const int os_saves_ymm = (xcr0 & 0x6) == 0x6;
    const int os_saves_zmm = os_saves_ymm && (xcr0 & 0xe0) == 0xe0;
    const int os_saves_tiles = (xcr0 & 0x60000) == 0x60000;
    if (!os_saves_ymm) return features;
    if (has_avx) features |= KINDLING_CPU_AVX;
    if (has_fma) features |= KINDLING_CPU_FMA;
    if (__get_cpuid_max(0, 0) < 7) return features;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const unsigned int leaf7_max_subleaf = eax;
    if (ebx & (1u << 5)) features |= KINDLING_CPU_AVX2;
    if (os_saves_tiles && (edx & (1u << 24))) features |= KINDLING_CPU_AMXTILE;
    if (!os_saves_zmm) return features;
    if (ebx & (1u << 16)) features |= KINDLING_CPU_AVX512F;
    if (ebx & (1u << 17)) features |= KINDLING_CPU_AVX512DQ;
    if (ebx & (1u << 28)) features |= KINDLING_CPU_AVX512CD;
    if (ebx & (1u << 30)) features |= KINDLING_CPU_AVX512BW;
    if (ebx & (1u << 31)) features |= KINDLING_CPU_AVX512VL;
    if (leaf7_max_subleaf >= 1) {
        __cpuid_count(7, 1, eax, ebx, ecx, edx);
        if (eax & (1u << 5)) features |= KINDLING_CPU_AVX512BF16;
    }
#endif
    return features;
}
