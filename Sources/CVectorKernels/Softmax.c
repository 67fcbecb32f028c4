#include "VectorKernels.h"
#include "Exponential.h"
#include "TargetClones.h"

/// The largest of scale x[j] + bias[j] (bias NULL: 0) over the row.
__attribute__((always_inline))
static inline float row_maximum(const float *x, const float *bias, long width, float scale) {
    float maximum = -__builtin_inff();
    if (bias) {
        _Pragma("clang loop vectorize(enable)")
        for (long j = 0; j < width; j++) maximum = __builtin_fmaxf(maximum, x[j] * scale + bias[j]);
    } else {
        _Pragma("clang loop vectorize(enable)")
        for (long j = 0; j < width; j++) maximum = __builtin_fmaxf(maximum, x[j] * scale);
    }
    return maximum;
}

/// y[j] = e^(scale x[j] + bias[j] - shift) over the row; returns their sum. y may be x: iteration j
/// reads only x[j] before writing y[j], which is what assume_safety promises the vectorizer.
__attribute__((always_inline))
static inline float row_exponentials(const float *x, const float *bias, float *y, long width, float scale, float shift) {
    float total = 0;
    if (bias) {
        _Pragma("clang loop vectorize(assume_safety)")
        for (long j = 0; j < width; j++) {
            y[j] = kindling_exp(x[j] * scale + bias[j] - shift);
            total += y[j];
        }
    } else {
        _Pragma("clang loop vectorize(assume_safety)")
        for (long j = 0; j < width; j++) {
            y[j] = kindling_exp(x[j] * scale - shift);
            total += y[j];
        }
    }
    return total;
}

KINDLING_CLONED
void kindling_softmax_rows_f32(const float *x, float *y, long rows, long width, float scale,
                               const float *rowBias, long rowsPerBias) {
    for (long row = 0; row < rows; row++) {
        const float *in = x + row * width;
        float *out = y + row * width;
        const float *bias = rowBias ? rowBias + (row / rowsPerBias) * width : 0;
        float maximum = row_maximum(in, bias, width, scale);
        float inverse = 1.0f / row_exponentials(in, bias, out, width, scale, maximum);
        _Pragma("clang loop vectorize(assume_safety)")
        for (long j = 0; j < width; j++) out[j] *= inverse;
    }
}
