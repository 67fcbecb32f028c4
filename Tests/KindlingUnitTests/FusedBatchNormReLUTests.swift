import Kindling
import XCTest

/// batchNormalization(applyingReLU: true), and Sequential's fusion of a BatchNorm followed by a ReLU:
/// the same values, gradients and running statistics as the two operations one after the other.
final class FusedBatchNormReLUTests: XCTestCase {
    let generator = RandomGenerator(seed: 21)

    /// (output, dx, dweight, dbias, running mean, running variance) of BN then ReLU, fused or not.
    func run<S: TensorScalar>(
        _ x: Tensor<S>, _ w: Tensor<S>, _ b: Tensor<S>, _ g: Tensor<S>, training: Bool,
        fused: Bool
    ) -> [[S]] {
        let (x, w, b) = (x.requiringGradient(), w.requiringGradient(), b.requiringGradient())
        var mean = Tensor<S>(shape: [w.count], scalars: (0..<w.count).map { S($0) / 10 })
        var variance = Tensor<S>(shape: [w.count], scalars: (0..<w.count).map { 1 + S($0) / 10 })
        let y =
            fused
            ? batchNormalization(
                x, weight: w, bias: b, runningMean: &mean, runningVariance: &variance,
                training: training, applyingReLU: true)
            : relu(
                batchNormalization(
                    x, weight: w, bias: b, runningMean: &mean, runningVariance: &variance,
                    training: training))
        y.backward(g)
        return [y.scalars, x.grad!.scalars, w.grad!.scalars, b.grad!.scalars, mean.scalars, variance.scalars]
    }

    func testFusedEqualsBatchNormThenReLUInBothPrecisionsAndModes() {
        for shape in [[8, 3, 5, 5], [16, 4], [2, 3, 7]] {
            let x = Tensor<Double>.randn(shape, generator: generator)
            let (w, b) = (
                Tensor<Double>.randn([shape[1]], generator: generator),
                Tensor<Double>.randn([shape[1]], generator: generator)
            )
            let g = Tensor<Double>.randn(shape, generator: generator)
            func float(_ t: Tensor<Double>) -> Tensor<Float> {
                Tensor(shape: t.shape, scalars: t.scalars.map { Float($0) })
            }
            for training in [true, false] {
                XCTAssertEqual(
                    run(x, w, b, g, training: training, fused: true), run(x, w, b, g, training: training, fused: false),
                    "Double \(shape) training \(training)")
                XCTAssertEqual(
                    run(float(x), float(w), float(b), float(g), training: training, fused: true),
                    run(float(x), float(w), float(b), float(g), training: training, fused: false),
                    "Float \(shape) training \(training)")
            }
        }
    }

    func testFusedPassesGradcheck() {
        let result = gradcheck(
            { t in
                var mean = Tensor<Double>.zeros([3])
                var variance = Tensor<Double>.ones([3])
                return batchNormalization(
                    t[0], weight: t[1], bias: t[2], runningMean: &mean, runningVariance: &variance,
                    training: true, applyingReLU: true)
            },
            inputs: [
                Tensor.randn([4, 3, 2], generator: generator), Tensor.randn([3], generator: generator),
                Tensor.randn([3], generator: generator),
            ])
        XCTAssertTrue(result.passed, result.description)
    }

    func testSequentialFusesOnlyWhenNoHookCouldSeeBetweenTheTwo() {
        func model() -> Sequential<Float> {
            Sequential(
                Conv2d(2, 4, kernelSize: 3, padding: 1, generator: RandomGenerator(seed: 1)), BatchNorm2d(4), ReLU(),
                MaxPool2d(kernelSize: (2, 2)), Flatten(), Linear(64, 3, generator: RandomGenerator(seed: 2)))
        }
        let x = Tensor<Float>.randn([5, 2, 8, 8], generator: generator)
        func step(_ model: Sequential<Float>, layerByLayer: Bool) -> [[Float]] {
            let y = layerByLayer ? model.layers.reduce(x) { $1($0) } : model(x)
            y.sum().backward()
            let norm = model.layers[1] as! BatchNorm2d<Float>
            return [y.scalars, norm.runningMean.value.scalars, norm.runningVariance.value.scalars]
                + model.parameters.map { $0.grad!.scalars }
        }
        let expected = step(model(), layerByLayer: true)
        XCTAssertEqual(step(model(), layerByLayer: false), expected, "fused")
        let hooked = model()
        var seen: [Int] = []
        let hook = hooked.layers[2].registerForwardHook { _, _, output in seen.append(output.count) }
        defer { hook.remove() }
        XCTAssertEqual(step(hooked, layerByLayer: false), expected, "with a hook on the ReLU")
        XCTAssertEqual(seen, [5 * 4 * 8 * 8], "the ReLU's hook fired: no fusion while a hook is registered")
    }
}
