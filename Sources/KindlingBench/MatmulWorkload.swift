import CLinearAlgebra
import Kindling

extension Workload {
    /// See `MatmulWorkload`.
    static let matmul = Workload(
        name: MatmulWorkload.name,
        summary: "Tensor.matmul vs raw cblas_?gemm, n x n (--sizes 64,256,... --precisions float,double --repeats 11)",
        run: MatmulWorkload.run)
}

/// Tensor.matmul of two n x n matrices against a raw `cblas_sgemm` / `cblas_dgemm` call on the very same
/// input buffers. Tensor.matmul allocates its output on every call, as users call it; the raw call writes
/// into a buffer allocated once. ratio = reference seconds / Kindling seconds (the median over alternating
/// pairs of samples): Kindling's throughput as a fraction of raw BLAS (1.0 is equal speed).
enum MatmulWorkload {
    static let name = "matmul"

    static func run(options: BenchmarkOptions) throws {
        try options.rejectUnknown(["sizes", "precisions", "repeats"])
        let sizes = try options.integers("sizes", default: [64, 256, 512, 1024, 2048])
        let precisions = try options.words("precisions", allowed: ["float", "double"], default: ["float", "double"])
        let repeats = try options.integer("repeats", default: 11)
        for n in sizes {
            if precisions.contains("float") { measure(Float.self, n: n, repeats: repeats) }
            if precisions.contains("double") { measure(Double.self, n: n, repeats: repeats) }
        }
    }

    private static func measure<S: TensorScalar & RawGEMM>(_: S.Type, n: Int, repeats: Int) {
        let generator = RandomGenerator(seed: 0)
        let a = Tensor<S>.uniform([n, n], low: -1, high: 1, generator: generator)
        let b = Tensor<S>.uniform([n, n], low: -1, high: 1, generator: generator)
        var c = [S](repeating: 0, count: n * n)
        let (aScalars, bScalars) = (a.scalars, b.scalars)  // the storage Tensor.matmul reads, shared, not copied
        let times = aScalars.withUnsafeBufferPointer { aPointer in
            bScalars.withUnsafeBufferPointer { bPointer in
                c.withUnsafeMutableBufferPointer { cPointer in
                    compareMedians(
                        repeats: repeats, minimumSampleSeconds: 0.05,
                        kindling: { consume(Tensor.matmul(a, b)) },
                        reference: {
                            S.rawGEMM(
                                n: n, a: aPointer.baseAddress!, b: bPointer.baseAddress!, c: cPointer.baseAddress!)
                        })
                }
            }
        }
        printJSONLine([
            "workload": name, "precision": "\(S.self)", "n": n,
            "kindling_seconds": times.kindling, "reference_seconds": times.reference,
            "ratio": times.ratio,
            "same_result": Tensor.matmul(a, b).scalars == c,
        ])
    }
}

/// The raw CBLAS call the matmul workload compares with: C = A B for row-major n x n matrices.
protocol RawGEMM {
    static func rawGEMM(n: Int, a: UnsafePointer<Self>, b: UnsafePointer<Self>, c: UnsafeMutablePointer<Self>)
}

extension Float: RawGEMM {
    static func rawGEMM(n: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
        let size = blasint(n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1, a, size, b, size, 0, c, size)
    }
}

extension Double: RawGEMM {
    static func rawGEMM(n: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>) {
        let size = blasint(n)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1, a, size, b, size, 0, c, size)
    }
}
