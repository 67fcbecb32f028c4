#include "VectorKernels.h"

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>

// Ten independent chains of fused multiply-adds: enough to cover the FMA latency (4 cycles) on two
// pipes, few enough to stay in registers (ten vectors plus the two constants).
#define KINDLING_CHAINS(STEP) STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7) STEP(8) STEP(9)

#define KINDLING_DECLARE(i) VECTOR_T a##i = SET_1(1.0f + (float)i);
#define KINDLING_STEP(i) a##i = FMA_OP(a##i, b, c);
#define KINDLING_GATHER(i) total = ADD_OP(total, a##i);

#define VECTOR_T __m512
#define SET_1 _mm512_set1_ps
#define FMA_OP _mm512_fmadd_ps
#define ADD_OP _mm512_add_ps
__attribute__((target("avx512f"))) static double peak_avx512(long rounds, float *sink) {
    const __m512 b = SET_1(0.999999f), c = SET_1(1e-7f);
    KINDLING_CHAINS(KINDLING_DECLARE)
    for (long r = 0; r < rounds; r++) { KINDLING_CHAINS(KINDLING_STEP) }
    __m512 total = SET_1(0.0f);
    KINDLING_CHAINS(KINDLING_GATHER)
    *sink = _mm512_reduce_add_ps(total);
    return (double)rounds * 10 * 16 * 2;
}
#undef VECTOR_T
#undef SET_1
#undef FMA_OP
#undef ADD_OP

#define VECTOR_T __m256
#define SET_1 _mm256_set1_ps
#define FMA_OP _mm256_fmadd_ps
#define ADD_OP _mm256_add_ps
__attribute__((target("avx2,fma"))) static double peak_avx2(long rounds, float *sink) {
    const __m256 b = SET_1(0.999999f), c = SET_1(1e-7f);
    KINDLING_CHAINS(KINDLING_DECLARE)
    for (long r = 0; r < rounds; r++) { KINDLING_CHAINS(KINDLING_STEP) }
    __m256 total = SET_1(0.0f);
    KINDLING_CHAINS(KINDLING_GATHER)
    float lanes[8];
    _mm256_storeu_ps(lanes, total);
    *sink = lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
    return (double)rounds * 10 * 8 * 2;
}
#undef VECTOR_T
#undef SET_1
#undef FMA_OP
#undef ADD_OP
#endif

double kindling_multiply_add_peak(long rounds, float *sink) {
#if defined(__x86_64__) && defined(__linux__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return peak_avx512(rounds, sink);
    if (__builtin_cpu_supports("x86-64-v3")) return peak_avx2(rounds, sink);
#endif
    float a[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < 10; i++) a[i] = a[i] * 0.999999f + 1e-7f;
    *sink = a[0] + a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7] + a[8] + a[9];
    return (double)rounds * 10 * 2;
}
