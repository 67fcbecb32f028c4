import Kindling
import XCTest

/// Delta-orthogonal (Xiao et al. 2018) and Keras's Identity.
final class StructuredInitializerAdditionsTests: XCTestCase {
    func testIdentityIsGainTimesTheRectangularIdentity() {
        let w: Tensor<Double> = Initializer.identity(gain: 2.5).makeTensor(shape: [3, 5])
        XCTAssertEqual(
            w.scalars,
            [
                2.5, 0, 0, 0, 0,
                0, 2.5, 0, 0, 0,
                0, 0, 2.5, 0, 0,
            ])
        let tall: Tensor<Double> = Initializer.identity().makeTensor(shape: [3, 2])
        XCTAssertEqual(tall.scalars, [1, 0, 0, 1, 0, 0])
    }

    /// Only the kernel's centre is nonzero; there the (out, in) matrix has orthonormal columns times the gain,
    /// so a size-keeping convolution preserves every pixel's channel norm times the gain.
    func testDeltaOrthogonalConvolutionIsAnIsometry() {
        let shape = [6, 4, 3, 3]
        let weight: Tensor<Double> = Initializer.deltaOrthogonal(gain: 2).makeTensor(
            shape: shape, generator: RandomGenerator(seed: 5))
        let w = weight.scalars
        var centre = [Double](repeating: 0, count: 24)
        for o in 0..<6 {
            for i in 0..<4 {
                for k in 0..<9 {
                    let value = w[((o * 4 + i) * 9) + k]
                    if k == 4 { centre[o * 4 + i] = value } else { XCTAssertEqual(value, 0, "(\(o), \(i), \(k))") }
                }
            }
        }
        for a in 0..<4 {
            for b in 0..<4 {
                let dot = (0..<6).reduce(0.0) { $0 + centre[$1 * 4 + a] * centre[$1 * 4 + b] }
                XCTAssertEqual(dot, a == b ? 4 : 0, accuracy: 1e-12, "HᵀH at (\(a), \(b))")
            }
        }
        let x = Tensor<Double>.randn([2, 4, 5, 5], generator: RandomGenerator(seed: 6))
        let y = conv2d(x, weight: weight, padding: 1)
        XCTAssertEqual(y.shape, [2, 6, 5, 5])
        for n in 0..<2 {
            for p in 0..<25 {
                let inputNorm = (0..<4).reduce(0.0) { $0 + pow(x.scalars[(n * 4 + $1) * 25 + p], 2) }
                let outputNorm = (0..<6).reduce(0.0) { $0 + pow(y.scalars[(n * 6 + $1) * 25 + p], 2) }
                XCTAssertEqual(outputNorm, 4 * inputNorm, accuracy: 1e-10)
            }
        }
    }
}
