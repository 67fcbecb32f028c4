import CVectorKernels
import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// The vectorized Float kernels (CVectorKernels: GELU, softmax rows, layer norm) against the Double
/// paths computed with libm, over dense ranges and the edge values (NaN, infinities, masked scores).
final class VectorKernelTests: XCTestCase {
    func testFloatGELUAndItsGradientAreWithinTheErfApproximationOfDouble() {
        let xs = stride(from: -12.0, through: 12.0, by: 0.0007).map { $0 }
        let float = Tensor<Float>(shape: [xs.count], scalars: xs.map { Float($0) }).requiringGradient()
        let double = Tensor<Double>(shape: [xs.count], scalars: xs.map { Double(Float($0)) }).requiringGradient()
        let (yf, yd) = (gelu(float), gelu(double))
        yf.backward(.ones([xs.count]))
        yd.backward(.ones([xs.count]))
        // erf to 1.5e-7 (Abramowitz & Stegun 7.1.26) gives GELU to 0.5 |x| 1.5e-7, plus the rounding of the
        // Float polynomial and exponential.
        for i in xs.indices {
            let x = abs(Double(float.scalars[i]))
            XCTAssertEqual(Double(yf.scalars[i]), yd.scalars[i], accuracy: 2e-7 * max(1, x), "gelu(\(xs[i]))")
            XCTAssertEqual(
                Double(float.grad!.scalars[i]), double.grad!.scalars[i], accuracy: 5e-7 * max(1, x), "gelu'(\(xs[i]))")
        }
        let special = gelu(Tensor<Float>([.nan, .infinity, 0, -0.0]))
        XCTAssertTrue(special.scalars[0].isNaN)
        XCTAssertEqual(Array(special.scalars[1...]), [.infinity, 0, 0])
    }

    /// The multiply-add peak that `Scripts/bench encoder` prints counts the work it does: ten chains
    /// a ← 0.999999 a + 1e-7 from 1, ..., 10 on every lane of the widest vectors of the level the kernels run
    /// at, 2 FLOPs per multiply-add.
    func testTheMultiplyAddPeakCountsTheWorkItDoes() {
        var sink: Float = 0
        let flops = kindling_multiply_add_peak(1000, &sink)
        let level = String(cString: kindling_vector_kernel_level())
        let lanes = level.hasPrefix("AVX-512") ? 16 : level.hasPrefix("AVX2") ? 8 : 1
        XCTAssertEqual(flops, Double(1000 * 10 * lanes * 2), level)
        var chains = (1...10).map(Double.init)
        for _ in 0..<1000 { chains = chains.map { $0 * 0.999999 + 1e-7 } }
        let expected = Double(lanes) * chains.reduce(0, +)
        XCTAssertEqual(Double(sink), expected, accuracy: 1e-4 * expected, level)
    }

    func testFloatSoftmaxRowsMatchDoubleIncludingHugeAndMaskedValues() {
        let generator = RandomGenerator(seed: 4)
        var rows = Tensor<Double>.randn([50, 77], generator: generator).scalars.map { $0 * 30 }
        rows.replaceSubrange(0..<77, with: (0..<77).map { $0 < 5 ? 1e3 : -Double(Float.greatestFiniteMagnitude) })
        rows.replaceSubrange(77..<154, with: (0..<77).map { _ in -Double(Float.greatestFiniteMagnitude) })
        let float = softmax(Tensor<Float>(shape: [50, 77], scalars: rows.map { Float($0) }))
        let double = softmax(Tensor<Double>(shape: [50, 77], scalars: rows.map { Double(Float($0)) }))
        assertClose(float.scalars.map(Double.init), double.scalars, tolerance: 2e-7, "softmax rows")
        assertClose(Array(float.scalars[0..<5]), [Float](repeating: 0.2, count: 5), tolerance: 1e-7, "ties")
        assertClose(
            Array(float.scalars[77..<154]), [Float](repeating: 1 / 77, count: 77), tolerance: 1e-8, "all masked")
        XCTAssertTrue(softmax(Tensor<Float>([1, .nan, 2])).scalars.allSatisfy(\.isNaN), "NaN spreads over its row")
    }

    func testFloatLayerNormMatchesDoubleWithAndWithoutARecordedGraph() {
        let generator = RandomGenerator(seed: 8)
        let x = Tensor<Double>.randn([37, 384], generator: generator) * 5 + 3
        let (w, b) = (
            Tensor<Double>.randn([384], generator: generator), Tensor<Double>.randn([384], generator: generator)
        )
        func float(_ t: Tensor<Double>) -> Tensor<Float> {
            Tensor(shape: t.shape, scalars: t.scalars.map { Float($0) })
        }
        func double(_ t: Tensor<Float>) -> Tensor<Double> {
            Tensor(shape: t.shape, scalars: t.scalars.map { Double($0) })
        }
        let expected = layerNorm(double(float(x)), weight: double(float(w)), bias: double(float(b)), epsilon: 1e-12)
        let plain = layerNorm(float(x), weight: float(w), bias: float(b), epsilon: 1e-12)
        let recorded = layerNorm(float(x).requiringGradient(), weight: float(w), bias: float(b), epsilon: 1e-12)
        assertClose(plain.scalars.map(Double.init), expected.scalars, tolerance: 5e-6, "without a graph")
        XCTAssertEqual(plain.scalars, recorded.scalars, "the same values with a graph")
    }

    func testFloatMaxPoolPicksTheSameWinnersAsDoubleWithTiesAndNaN() {
        let generator = RandomGenerator(seed: 6)
        for (height, width) in [(32, 32), (7, 9), (4, 6)] {
            let shape = [2, 3, height, width]
            // Small whole numbers: many ties inside windows; a few NaNs.
            var values = (0..<shape.reduce(1, *)).map { _ in Double(generator.randint(low: -2, high: 3)) }
            for i in stride(from: 5, to: values.count, by: 37) { values[i] = .nan }
            let double = Tensor<Double>(shape: shape, scalars: values).requiringGradient()
            let float = Tensor<Float>(shape: shape, scalars: values.map { Float($0) }).requiringGradient()
            let (pooledDouble, pooledFloat) = (
                maxPool2d(double, kernelSize: (2, 2)), maxPool2d(float, kernelSize: (2, 2))
            )
            XCTAssertEqual(
                pooledFloat.scalars.map { $0.isNaN }, pooledDouble.scalars.map { $0.isNaN }, "\(shape) NaN places")
            XCTAssertEqual(
                pooledFloat.scalars.filter { !$0.isNaN }.map(Double.init), pooledDouble.scalars.filter { !$0.isNaN },
                "\(shape)")
            let upstream = (0..<pooledDouble.count).map { Double($0 + 1) }
            pooledDouble.backward(Tensor(shape: pooledDouble.shape, scalars: upstream))
            pooledFloat.backward(Tensor(shape: pooledFloat.shape, scalars: upstream.map { Float($0) }))
            XCTAssertEqual(float.grad!.scalars.map(Double.init), double.grad!.scalars, "\(shape): the same winners")
        }
    }
}
