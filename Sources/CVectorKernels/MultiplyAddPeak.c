#include "VectorKernels.h"

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>

// Ten independent chains of fused multiply-adds: enough to cover the FMA latency (4 cycles) on two pipes,
// few enough to stay in registers (ten vectors and the two constants), for one instruction set.
#define KINDLING_MULTIPLY_ADD_PEAK(NAME, TARGET, VECTOR, LANES, SET, FMA, ADD, STORE)                    \
    __attribute__((target(TARGET))) static double NAME(long rounds, float *sink) {                      \
        const VECTOR b = SET(0.999999f), c = SET(1e-7f);                                                \
        VECTOR a[10];                                                                                   \
        for (int i = 0; i < 10; i++) a[i] = SET(1.0f + (float)i);                                       \
        for (long r = 0; r < rounds; r++)                                                               \
            for (int i = 0; i < 10; i++) a[i] = FMA(a[i], b, c);                                         \
        VECTOR total = a[0];                                                                            \
        for (int i = 1; i < 10; i++) total = ADD(total, a[i]);                                          \
        float lanes[LANES], sum = 0;                                                                    \
        STORE(lanes, total);                                                                            \
        for (int i = 0; i < LANES; i++) sum += lanes[i];                                                \
        *sink = sum;                                                                                    \
        return (double)rounds * 10 * LANES * 2;                                                         \
    }

KINDLING_MULTIPLY_ADD_PEAK(peak_avx512, "avx512f", __m512, 16, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps,
                           _mm512_storeu_ps)
KINDLING_MULTIPLY_ADD_PEAK(peak_avx2, "avx2,fma", __m256, 8, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps,
                           _mm256_storeu_ps)
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
