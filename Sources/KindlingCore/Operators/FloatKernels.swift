import CVectorKernels

/// Generic code's door to the vectorized Float kernels of CVectorKernels (AVX-512, AVX2 or SSE2, chosen
/// when the program loads). Callers check `applies(to:)` first: the kernels read and write their
/// buffers as Float. Double keeps its callers' Swift loops (libm's precision, which the Double checks
/// against PyTorch's float64 need).
enum FloatKernels {
    /// Whether the kernels serve tensors of `S` (Float only).
    @inline(__always)
    static func applies<S>(to: S.Type) -> Bool { S.self == Float.self }

    /// `pointer` as a pointer to Float (only called when S is Float).
    @inline(__always)
    private static func floats<S>(_ pointer: UnsafePointer<S>) -> UnsafePointer<Float> {
        UnsafeRawPointer(pointer).assumingMemoryBound(to: Float.self)
    }

    @inline(__always)
    private static func floats<S>(_ pointer: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: Float.self)
    }

    /// y = x Φ(x) (the exact GELU, erf to 1.5e-7) over `count` values.
    @inline(__always)
    package static func gelu<S: TensorScalar>(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, count: Int) {
        kindling_gelu_f32(floats(x), floats(y), count)
    }

    /// dx = g (Φ(x) + x φ(x)) over `count` values.
    @inline(__always)
    static func geluBackward<S: TensorScalar>(_ x: UnsafePointer<S>, _ g: UnsafePointer<S>,
                                              _ dx: UnsafeMutablePointer<S>, count: Int) {
        kindling_gelu_backward_f32(floats(x), floats(g), floats(dx), count)
    }

    /// Softmax of `rows` contiguous rows of `width` values of scale x + bias, where `bias` (nil: none)
    /// holds one row of `width` values for every `rowsPerBias` consecutive rows.
    @inline(__always)
    static func softmaxRows<S: TensorScalar>(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, rows: Int, width: Int,
                                             scale: S = 1, bias: UnsafePointer<S>? = nil, rowsPerBias: Int = 1) {
        kindling_softmax_rows_f32(floats(x), floats(y), rows, width, Float(scale), bias.map { floats($0) }, rowsPerBias)
    }

    /// Layer normalization of `rows` rows of `width` values (see kindling_layer_norm_f32); `normalized`
    /// and `inverseDeviations` are written when not nil.
    @inline(__always)
    package static func layerNorm<S: TensorScalar>(_ x: UnsafePointer<S>, weight: UnsafePointer<S>, bias: UnsafePointer<S>,
                                           _ y: UnsafeMutablePointer<S>, normalized: UnsafeMutablePointer<S>?,
                                           inverseDeviations: UnsafeMutablePointer<S>?, rows: Int, width: Int,
                                           epsilon: Double) {
        kindling_layer_norm_f32(floats(x), floats(weight), floats(bias), floats(y), normalized.map { floats($0) },
                                inverseDeviations.map { floats($0) }, rows, width, epsilon)
    }

    /// Σ x over `count` values.
    @inline(__always)
    package static func sum<S: TensorScalar>(_ x: UnsafePointer<S>, count: Int) -> S {
        S(kindling_sum_f32(floats(x), count))
    }

    /// Σ (x - center)² over `count` values.
    @inline(__always)
    static func sumOfSquares<S: TensorScalar>(_ x: UnsafePointer<S>, count: Int, about center: S) -> S {
        S(kindling_sum_of_squares_f32(floats(x), count, Float(center)))
    }

    /// Σ a (b - center) over `count` values.
    @inline(__always)
    static func sumOfProducts<S: TensorScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>, count: Int, about center: S) -> S {
        S(kindling_sum_of_products_f32(floats(a), floats(b), count, Float(center)))
    }

    /// y = (x - mean) k w + b over `count` values, then ReLU when `rectified`.
    @inline(__always)
    package static func batchNorm<S: TensorScalar>(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, count: Int,
                                           mean: S, k: S, w: S, b: S, rectified: Bool) {
        kindling_batch_norm_f32(floats(x), floats(y), count, Float(mean), Float(k), Float(w), Float(b), rectified ? 1 : 0)
    }

    /// dx = factor (g - meanG - (x - mean) k meanGH) over `count` values.
    @inline(__always)
    static func batchNormBackward<S: TensorScalar>(_ g: UnsafePointer<S>, _ x: UnsafePointer<S>, _ dx: UnsafeMutablePointer<S>,
                                                   count: Int, factor: S, meanG: S, mean: S, k: S, meanGH: S) {
        kindling_batch_norm_backward_f32(floats(g), floats(x), floats(dx), count, Float(factor), Float(meanG),
                                         Float(mean), Float(k), Float(meanGH))
    }

    /// One plane's 2 x 2, stride-2 maxima and their places (see kindling_max_pool_2x2_f32).
    @inline(__always)
    static func maxPool2x2<S: TensorScalar>(_ x: UnsafePointer<S>, width: Int, outputHeight: Int, outputWidth: Int,
                                            into out: UnsafeMutablePointer<S>, argmax: UnsafeMutablePointer<Int32>) {
        kindling_max_pool_2x2_f32(floats(x), width, outputHeight, outputWidth, floats(out), argmax)
    }

    /// The input gradient of one plane tiled by 2 x 2 windows (see kindling_max_pool_2x2_backward_f32).
    @inline(__always)
    static func maxPool2x2Backward<S: TensorScalar>(_ dy: UnsafePointer<S>, argmax: UnsafePointer<Int32>, height: Int,
                                                    width: Int, into dx: UnsafeMutablePointer<S>) {
        kindling_max_pool_2x2_backward_f32(floats(dy), argmax, height, width, floats(dx))
    }

    /// out = g where y > 0 (or NaN), else 0, over `count` values: ReLU's backward from its output.
    @inline(__always)
    static func reluBackward<S: TensorScalar>(_ g: UnsafePointer<S>, output y: UnsafePointer<S>,
                                              into out: UnsafeMutablePointer<S>, count: Int) {
        kindling_relu_backward_f32(floats(g), floats(y), floats(out), count)
    }
}
