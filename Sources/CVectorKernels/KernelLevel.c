#include "VectorKernels.h"

const char *kindling_vector_kernel_level(void) {
#if defined(__x86_64__) && defined(__linux__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return "AVX-512 (x86-64-v4)";
    if (__builtin_cpu_supports("x86-64-v3")) return "AVX2 (x86-64-v3)";
    return "SSE2 (x86-64)";
#else
    return "baseline";
#endif
}
