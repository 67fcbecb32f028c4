#include "VectorKernels.h"
#include "TargetClones.h"

KINDLING_CLONED
void kindling_max_pool_2x2_f32(const float *restrict x, long width, long outputHeight, long outputWidth,
                               float *restrict out, int32_t *restrict argmax) {
    for (long i = 0; i < outputHeight; i++) {
        const float *top = x + 2 * i * width, *bottom = top + width;
        float *values = out + i * outputWidth;
        int32_t *winners = argmax + i * outputWidth;
        int32_t topStart = (int32_t)(2 * i * width), bottomStart = (int32_t)((2 * i + 1) * width);
        for (long j = 0; j < outputWidth; j++) {
            float best = top[2 * j];
            int32_t position = topStart + (int32_t)(2 * j);
            float candidates[3] = {top[2 * j + 1], bottom[2 * j], bottom[2 * j + 1]};
            int32_t places[3] = {topStart + (int32_t)(2 * j + 1), bottomStart + (int32_t)(2 * j),
                                 bottomStart + (int32_t)(2 * j + 1)};
            for (int c = 0; c < 3; c++) {
                int wins = (candidates[c] > best) | (candidates[c] != candidates[c]);
                best = wins ? candidates[c] : best;
                position = wins ? places[c] : position;
            }
            values[j] = best;
            winners[j] = position;
        }
    }
}

KINDLING_CLONED
void kindling_max_pool_2x2_backward_f32(const float *restrict dy, const int32_t *restrict argmax, long height,
                                        long width, float *restrict dx) {
    long outputWidth = width / 2;
    for (long i = 0; i < height / 2; i++) {
        const float *upstream = dy + i * outputWidth;
        const int32_t *winners = argmax + i * outputWidth;
        float *top = dx + 2 * i * width, *bottom = top + width;
        int32_t topStart = (int32_t)(2 * i * width), bottomStart = (int32_t)((2 * i + 1) * width);
        for (long j = 0; j < outputWidth; j++) {
            int32_t winner = winners[j], left = (int32_t)(2 * j);
            float value = upstream[j];
            top[2 * j] = winner == topStart + left ? value : 0.0f;
            top[2 * j + 1] = winner == topStart + left + 1 ? value : 0.0f;
            bottom[2 * j] = winner == bottomStart + left ? value : 0.0f;
            bottom[2 * j + 1] = winner == bottomStart + left + 1 ? value : 0.0f;
        }
    }
}
