import CVectorKernels

/// Float's kernels are the C kernels of CVectorKernels, compiled for AVX-512, AVX2 and SSE2, one of which
/// the dynamic loader chooses for the CPU when the program loads (`LinearAlgebraBackend.vectorKernels`
/// names it).
extension Float: VectorKernelScalar {
    /// `kindling_gelu_f32`.
    @inline(__always)
    public static func applyGELU(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        kindling_gelu_f32(x, y, count)
    }

    /// `kindling_gelu_backward_f32`.
    @inline(__always)
    public static func geluBackward(
        _ x: UnsafePointer<Float>, upstream g: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        kindling_gelu_backward_f32(x, g, dx, count)
    }

    /// `kindling_softmax_rows_f32`.
    @inline(__always)
    public static func softmaxRows(
        _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int,
        width: Int, scale: Float, bias: UnsafePointer<Float>?, rowsPerBias: Int
    ) {
        kindling_softmax_rows_f32(x, y, rows, width, scale, bias, rowsPerBias)
    }

    /// `kindling_layer_norm_f32`.
    @inline(__always)
    public static func layerNormRows(
        _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
        normalized: UnsafeMutablePointer<Float>?,
        inverseDeviations: UnsafeMutablePointer<Float>?, rows: Int, width: Int,
        epsilon: Double
    ) {
        kindling_layer_norm_f32(x, weight, bias, y, normalized, inverseDeviations, rows, width, epsilon)
    }

    /// `kindling_sum_f32`.
    @inline(__always)
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        kindling_sum_f32(x, count)
    }

    /// `kindling_sum_of_squares_f32`.
    @inline(__always)
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int, about center: Float) -> Float {
        kindling_sum_of_squares_f32(x, count, center)
    }

    /// `kindling_sum_of_products_f32`.
    @inline(__always)
    public static func sumOfProducts(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int,
        about center: Float
    ) -> Float {
        kindling_sum_of_products_f32(a, b, count, center)
    }

    /// `kindling_batch_norm_f32`.
    @inline(__always)
    public static func batchNormRun(
        _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int,
        mean: Float, k: Float, weight: Float, bias: Float, rectified: Bool
    ) {
        kindling_batch_norm_f32(x, y, count, mean, k, weight, bias, rectified ? 1 : 0)
    }

    /// `kindling_batch_norm_backward_f32`.
    @inline(__always)
    public static func batchNormRunBackward(
        _ g: UnsafePointer<Float>, input x: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, count: Int, factor: Float,
        meanG: Float, mean: Float, k: Float, meanGH: Float
    ) {
        kindling_batch_norm_backward_f32(g, x, dx, count, factor, meanG, mean, k, meanGH)
    }

    /// `kindling_relu_backward_f32`.
    @inline(__always)
    public static func reluBackward(
        _ g: UnsafePointer<Float>, output y: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        kindling_relu_backward_f32(g, y, out, count)
    }

    /// `kindling_max_pool_2x2_f32`.
    @inline(__always)
    public static func maxPool2x2(
        _ x: UnsafePointer<Float>, width: Int, outputHeight: Int, outputWidth: Int,
        into out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>
    ) {
        kindling_max_pool_2x2_f32(x, width, outputHeight, outputWidth, out, argmax)
    }

    /// `kindling_max_pool_2x2_backward_f32`.
    @inline(__always)
    public static func maxPool2x2Backward(
        _ dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, height: Int,
        width: Int, into dx: UnsafeMutablePointer<Float>
    ) {
        kindling_max_pool_2x2_backward_f32(dy, argmax, height, width, dx)
    }
}
