// e^x in float for vectorized loops: branch-free, no calls, within 2 ulp of expf on [-87.3, 88.7].
#ifndef KINDLING_EXPONENTIAL_H
#define KINDLING_EXPONENTIAL_H
#include <stdint.h>
#include <string.h>

/// e^x by Cody & Waite's reduction x = n ln 2 + r, |r| ≤ ln 2 / 2, Cephes' degree-6 polynomial for
/// e^r and 2^n put into the exponent bits; 0 below -87.3 (where expf would return a subnormal),
/// +inf above 88.72, NaN for NaN.
static inline float kindling_exp(float x) {
    // fmaxf and fminf return the number when x is NaN: n stays finite (converting NaN is undefined).
    float clamped = __builtin_fminf(__builtin_fmaxf(x, -87.33654f), 88.72283f);
    // Rounding to the nearest integer by adding and subtracting 1.5 * 2^23, which SSE2 vectorizes too.
    float n = (clamped * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = clamped - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    // 2^n for n up to 128: 2^min(n, 127), times 2 when n is 128.
    float top = n > 127.0f ? 127.0f : n;
    int32_t bits = ((int32_t)top + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    float result = p * scale * (n > top ? 2.0f : 1.0f);
    result = x < -87.33654f ? 0.0f : result;
    result = x > 88.72283f ? __builtin_inff() : result;
    return x != x ? x : result;
}
#endif
