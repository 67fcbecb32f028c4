/// Sums over contiguous runs of elements in eight interleaved partial sums, combined pairwise at the
/// end. A single running total is one chain of dependent additions, each waiting for the last; eight
/// independent ones pipeline and vectorize, and pairwise combination rounds no worse than the chain.
/// Float runs the vectorized kernels of CVectorKernels instead (as many partial sums as the widest
/// vectors the CPU has allow).
enum LaneSums {
    /// Σ x[i] for i in 0..<count.
    @inline(__always)
    package static func sum<S: TensorScalar>(_ x: UnsafePointer<S>, count: Int) -> S {
        if FloatKernels.applies(to: S.self) { return FloatKernels.sum(x, count: count) }
        var s0: S = 0, s1: S = 0, s2: S = 0, s3: S = 0, s4: S = 0, s5: S = 0, s6: S = 0, s7: S = 0
        var i = 0
        while i + 8 <= count {
            s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]
            s4 += x[i + 4]; s5 += x[i + 5]; s6 += x[i + 6]; s7 += x[i + 7]
            i += 8
        }
        var tail: S = 0
        while i < count { tail += x[i]; i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + tail
    }

    /// Σ (x[i] - center)² for i in 0..<count.
    @inline(__always)
    static func sumOfSquares<S: TensorScalar>(_ x: UnsafePointer<S>, count: Int, about center: S) -> S {
        if FloatKernels.applies(to: S.self) { return FloatKernels.sumOfSquares(x, count: count, about: center) }
        var s0: S = 0, s1: S = 0, s2: S = 0, s3: S = 0, s4: S = 0, s5: S = 0, s6: S = 0, s7: S = 0
        var i = 0
        while i + 8 <= count {
            let d0 = x[i] - center, d1 = x[i + 1] - center, d2 = x[i + 2] - center, d3 = x[i + 3] - center
            let d4 = x[i + 4] - center, d5 = x[i + 5] - center, d6 = x[i + 6] - center, d7 = x[i + 7] - center
            s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3
            s4 += d4 * d4; s5 += d5 * d5; s6 += d6 * d6; s7 += d7 * d7
            i += 8
        }
        var tail: S = 0
        while i < count { let d = x[i] - center; tail += d * d; i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + tail
    }

    /// Σ a[i] · (b[i] - center) for i in 0..<count.
    @inline(__always)
    static func sumOfProducts<S: TensorScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>, count: Int, about center: S) -> S {
        if FloatKernels.applies(to: S.self) { return FloatKernels.sumOfProducts(a, b, count: count, about: center) }
        var s0: S = 0, s1: S = 0, s2: S = 0, s3: S = 0, s4: S = 0, s5: S = 0, s6: S = 0, s7: S = 0
        var i = 0
        while i + 8 <= count {
            s0 += a[i] * (b[i] - center); s1 += a[i + 1] * (b[i + 1] - center)
            s2 += a[i + 2] * (b[i + 2] - center); s3 += a[i + 3] * (b[i + 3] - center)
            s4 += a[i + 4] * (b[i + 4] - center); s5 += a[i + 5] * (b[i + 5] - center)
            s6 += a[i + 6] * (b[i + 6] - center); s7 += a[i + 7] * (b[i + 7] - center)
            i += 8
        }
        var tail: S = 0
        while i < count { tail += a[i] * (b[i] - center); i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + tail
    }
}
