#include "VectorKernels.h"
#include "Exponential.h"
#include "TargetClones.h"

static const float inverseSquareRootOfTwo = 0.70710678118654752440f;
static const float inverseSquareRootOfTwoPi = 0.39894228040143267794f;

/// Φ(x) = (1 + erf(x / √2)) / 2 with erf(z) = 1 - t (a₁ + t (a₂ + t (a₃ + t (a₄ + t a₅)))) e^(-z²),
/// t = 1 / (1 + p |z|), for z ≥ 0 and erf(-z) = -erf(z) (Abramowitz & Stegun 7.1.26).
static inline float normal_cdf(float x) {
    float z = x * inverseSquareRootOfTwo;
    float magnitude = z < 0 ? -z : z;
    float t = 1.0f / (1.0f + 0.3275911f * magnitude);
    float polynomial = 1.061405429f;
    polynomial = polynomial * t - 1.453152027f;
    polynomial = polynomial * t + 1.421413741f;
    polynomial = polynomial * t - 0.284496736f;
    polynomial = polynomial * t + 0.254829592f;
    float erfMagnitude = 1.0f - polynomial * t * kindling_exp(-magnitude * magnitude);
    float erf = z < 0 ? -erfMagnitude : erfMagnitude;
    return 0.5f * (1.0f + erf);
}

KINDLING_CLONED
void kindling_gelu_f32(const float *restrict x, float *restrict y, long count) {
    for (long i = 0; i < count; i++) y[i] = x[i] * normal_cdf(x[i]);
}

KINDLING_CLONED
void kindling_gelu_backward_f32(const float *restrict x, const float *restrict g, float *restrict dx, long count) {
    for (long i = 0; i < count; i++) {
        float density = inverseSquareRootOfTwoPi * kindling_exp(-0.5f * x[i] * x[i]);
        dx[i] = g[i] * (normal_cdf(x[i]) + x[i] * density);
    }
}
