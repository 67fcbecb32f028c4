// Element-wise and row-wise Float kernels that Kindling's hottest non-GEMM operations call. Each is
// compiled three times, for AVX-512, for AVX2 with FMA, and for the baseline x86-64 (SSE2), and the
// dynamic loader picks the best one the CPU runs (Clang's target_clones), so one binary uses AVX-512
// where present without -march flags. On other architectures they are compiled once, for the baseline.
#ifndef KINDLING_VECTOR_KERNELS_H
#define KINDLING_VECTOR_KERNELS_H

#include <stdint.h>

/// y[i] = x[i] Φ(x[i]) = 0.5 x (1 + erf(x / √2)) for i in 0..<count (GELU, exact form), with erf from
/// Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7), as PyTorch's vectorized CPU kernel does.
void kindling_gelu_f32(const float *x, float *y, long count);

/// dx[i] = g[i] (Φ(x[i]) + x[i] φ(x[i])), the gradient of the exact GELU, φ the standard normal density.
void kindling_gelu_backward_f32(const float *x, const float *g, float *dx, long count);

/// Softmax of each of `rows` contiguous rows of `width` values: y = e^(x - m) / Σ e^(x - m), m the
/// row's maximum. Before it, every value is multiplied by `scale` and, when `rowBias` is not NULL,
/// row r gets rowBias[(r / rowsPerBias) * width + j] added at column j (an additive attention mask
/// shared by `rowsPerBias` consecutive rows). x and y may be the same buffer.
void kindling_softmax_rows_f32(const float *x, float *y, long rows, long width, float scale,
                               const float *rowBias, long rowsPerBias);

/// Layer normalization of `rows` contiguous rows of `width` values: y = (x - mean) r w + b with
/// r = 1 / sqrt(var + epsilon), the biased variance, mean and variance accumulated in double.
/// Writes r per row into `inverseDeviations` and the normalized (x - mean) r into `normalized`
/// when they are not NULL.
void kindling_layer_norm_f32(const float *x, const float *weight, const float *bias, float *y,
                             float *normalized, float *inverseDeviations, long rows, long width,
                             double epsilon);

/// Σ x[i], Σ (x[i] - center)² and Σ a[i] (b[i] - center) over i in 0..<count, in many partial sums
/// (batch normalization's per-channel statistics and gradient sums).
float kindling_sum_f32(const float *x, long count);
float kindling_sum_of_squares_f32(const float *x, long count, float center);
float kindling_sum_of_products_f32(const float *a, const float *b, long count, float center);

/// y[i] = (x[i] - mean) k w + b: batch normalization's output for one run of a channel; with `rectify`
/// non-zero, followed by ReLU (a value <= 0 becomes 0, NaN stays NaN).
void kindling_batch_norm_f32(const float *x, float *y, long count, float mean, float k, float w, float b,
                             int rectify);

/// out[i] = g[i] where y[i] > 0 (or is NaN), else 0: ReLU's backward given its output y.
void kindling_relu_backward_f32(const float *g, const float *y, float *out, long count);

/// dx[i] = factor (g[i] - meanG - (x[i] - mean) k meanGH): batch normalization's input gradient for one
/// run of a channel (meanG = meanGH = 0 in evaluation).
void kindling_batch_norm_backward_f32(const float *g, const float *x, float *dx, long count, float factor,
                                      float meanG, float mean, float k, float meanGH);

/// The 2 x 2, stride-2 maxima of one plane `width` wide (the first 2 outputHeight rows and 2 outputWidth
/// columns), row-major, and each winner's index in the plane: within a window, in row-major order, a
/// later value wins when it is greater or NaN (PyTorch's rule).
void kindling_max_pool_2x2_f32(const float *x, long width, long outputHeight, long outputWidth, float *out,
                               int32_t *argmax);

/// The input gradient of 2 x 2, stride-2 max pooling of one plane whose windows tile it (height and
/// width even): each window's upstream value at its winner, 0 at its other three places.
void kindling_max_pool_2x2_backward_f32(const float *dy, const int32_t *argmax, long height, long width,
                                        float *dx);

/// The instruction set of the kernels above that this CPU runs: "AVX-512 (x86-64-v4)", "AVX2 (x86-64-v3)",
/// "SSE2 (x86-64)", or "baseline" off x86-64 Linux. The same test as the loader's choice.
const char *kindling_vector_kernel_level(void);

/// Runs `rounds` rounds of ten independent chains of fused multiply-adds on the widest vectors the CPU
/// has (AVX-512, else AVX2 with FMA, else scalar: the levels of kindling_vector_kernel_level) and returns the floating-point operations done (2 per
/// multiply-add); the result goes to `sink`. Timed on every core at once, it gives the CPU's Float
/// multiply-add peak, the ceiling that `Scripts/bench encoder` prints beside the GEMM bound.
double kindling_multiply_add_peak(long rounds, float *sink);

#endif
