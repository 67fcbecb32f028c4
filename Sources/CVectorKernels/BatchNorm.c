#include "VectorKernels.h"
#include "TargetClones.h"

KINDLING_CLONED
float kindling_sum_f32(const float *x, long count) {
    float total = 0;
    _Pragma("clang loop vectorize(enable) interleave(enable)")
    for (long i = 0; i < count; i++) total += x[i];
    return total;
}

KINDLING_CLONED
float kindling_sum_of_squares_f32(const float *x, long count, float center) {
    float total = 0;
    _Pragma("clang loop vectorize(enable) interleave(enable)")
    for (long i = 0; i < count; i++) {
        float d = x[i] - center;
        total += d * d;
    }
    return total;
}

KINDLING_CLONED
float kindling_sum_of_products_f32(const float *a, const float *b, long count, float center) {
    float total = 0;
    _Pragma("clang loop vectorize(enable) interleave(enable)")
    for (long i = 0; i < count; i++) total += a[i] * (b[i] - center);
    return total;
}

KINDLING_CLONED
void kindling_batch_norm_f32(const float *restrict x, float *restrict y, long count, float mean, float k, float w,
                             float b, int rectify) {
    if (rectify) {
        for (long i = 0; i < count; i++) {
            float value = (x[i] - mean) * k * w + b;
            y[i] = value <= 0 ? 0.0f : value;
        }
    } else {
        for (long i = 0; i < count; i++) y[i] = (x[i] - mean) * k * w + b;
    }
}

KINDLING_CLONED
void kindling_batch_norm_backward_f32(const float *restrict g, const float *restrict x, float *restrict dx, long count,
                                      float factor, float meanG, float mean, float k, float meanGH) {
    for (long i = 0; i < count; i++) dx[i] = factor * (g[i] - meanG - (x[i] - mean) * k * meanGH);
}

KINDLING_CLONED
void kindling_relu_backward_f32(const float *restrict g, const float *restrict y, float *restrict out, long count) {
    for (long i = 0; i < count; i++) out[i] = y[i] <= 0 ? 0.0f : g[i];
}
