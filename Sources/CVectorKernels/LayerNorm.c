#include <math.h>
#include "VectorKernels.h"
#include "TargetClones.h"

KINDLING_CLONED
void kindling_layer_norm_f32(const float *restrict x, const float *restrict weight, const float *restrict bias,
                             float *restrict y, float *restrict normalized, float *restrict inverseDeviations,
                             long rows, long width, double epsilon) {
    for (long row = 0; row < rows; row++) {
        const float *in = x + row * width;
        double sum = 0;
        _Pragma("clang loop vectorize(enable)")
        for (long j = 0; j < width; j++) sum += in[j];
        double mean = sum / (double)width;
        double squares = 0;
        _Pragma("clang loop vectorize(enable)")
        for (long j = 0; j < width; j++) {
            double d = in[j] - mean;
            squares += d * d;
        }
        double inverse = 1.0 / sqrt(squares / (double)width + epsilon);
        if (inverseDeviations) inverseDeviations[row] = (float)inverse;
        float *out = y + row * width;
        if (normalized) {
            float *xhat = normalized + row * width;
            for (long j = 0; j < width; j++) {
                float value = (float)((in[j] - mean) * inverse);
                xhat[j] = value;
                out[j] = value * weight[j] + bias[j];
            }
        } else {
            for (long j = 0; j < width; j++) out[j] = (float)((in[j] - mean) * inverse) * weight[j] + bias[j];
        }
    }
}
