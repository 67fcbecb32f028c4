import Kindling
import KindlingTestSupport
import XCTest

/// `multiHeadAttention`: finite-difference gradients in Double (with a padding mask, and with dropout
/// drawn from a re-seeded generator), and equality with the same attention composed of the separately
/// checked operations (matmul, softmax, dropout, permutes), whose values the tiny-BERT fixtures check
/// against PyTorch.
final class AttentionTests: XCTestCase {
    let generator = RandomGenerator(seed: 11)

    func randn(_ shape: [Int]) -> Tensor<Double> { Tensor.randn(shape, generator: generator) }

    /// The padding mask of rows of 1 (token) and 0 (padding) as additive values.
    func additive(_ mask: [[Int]]) -> Tensor<Double> {
        Tensor(
            shape: [mask.count, mask[0].count],
            scalars: mask.flatMap { $0.map { $0 == 0 ? -Double.greatestFiniteMagnitude : 0 } })
    }

    /// The attention as (batch·heads) batched matmuls on permuted copies, softmax and dropout.
    func composed<S: TensorScalar>(
        _ q: Tensor<S>, _ k: Tensor<S>, _ v: Tensor<S>, heads: Int, mask: Tensor<S>?,
        dropout p: Double = 0, seed: UInt32 = 0
    ) -> Tensor<S> {
        let (batch, length, hidden) = (q.shape[0], q.shape[1], q.shape[2])
        func split(_ x: Tensor<S>) -> Tensor<S> {
            x.reshaped([batch, length, heads, hidden / heads]).permuted([0, 2, 1, 3]).reshaped([
                batch * heads, length, hidden / heads,
            ])
        }
        var scores =
            (Tensor.matmul(split(q), split(k), transposingRight: true) * S(1 / Double(hidden / heads).squareRoot()))
            .reshaped([batch, heads, length, length])
        if let mask { scores = scores + mask.reshaped([batch, 1, 1, length]) }
        let weights = dropout(
            softmax(scores, alongAxis: -1), probability: p, training: true,
            generator: RandomGenerator(seed: seed)
        ).reshaped([batch * heads, length, length])
        return Tensor.matmul(weights, split(v)).reshaped([batch, heads, length, hidden / heads])
            .permuted([0, 2, 1, 3]).reshaped([batch, length, hidden])
    }

    func testGradientsMatchFiniteDifferencesWithAMaskAndWithDropout() {
        let mask = additive([[1, 1, 1], [1, 0, 0]])
        for p in [0, 0.3] {
            let result = gradcheck(
                { t in
                    multiHeadAttention(
                        query: t[0], key: t[1], value: t[2], headCount: 2, additiveMask: mask,
                        dropoutProbability: p, generator: RandomGenerator(seed: 3))
                }, inputs: [randn([2, 3, 4]), randn([2, 3, 4]), randn([2, 3, 4])])
            XCTAssertTrue(result.passed, "dropout \(p): \(result.description)")
        }
    }

    func testValuesAndGradientsEqualTheComposedOperations() {
        let mask = additive([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]])
        for p in [0, 0.25] {
            let (q, k, v) = (randn([3, 5, 6]), randn([3, 5, 6]), randn([3, 5, 6]))
            let g = randn([3, 5, 6])
            let fused = [q, k, v].map { $0.requiringGradient() }
            multiHeadAttention(
                query: fused[0], key: fused[1], value: fused[2], headCount: 3, additiveMask: mask,
                dropoutProbability: p, generator: RandomGenerator(seed: 9)
            ).backward(g)
            let reference = [q, k, v].map { $0.requiringGradient() }
            let expected = composed(reference[0], reference[1], reference[2], heads: 3, mask: mask, dropout: p, seed: 9)
            expected.backward(g)
            let actual = withoutGradient {
                multiHeadAttention(
                    query: q, key: k, value: v, headCount: 3, additiveMask: mask, dropoutProbability: p,
                    generator: RandomGenerator(seed: 9))
            }
            assertClose(actual.scalars, expected.scalars, tolerance: 1e-13, "context, dropout \(p)")
            for (name, (a, e)) in zip(["dQ", "dK", "dV"], zip(fused, reference)) {
                assertClose(a.grad!.scalars, e.grad!.scalars, tolerance: 1e-13, "\(name), dropout \(p)")
            }
        }
    }

    func testFloatMatchesDoubleOnAnEncoderSizedBatch() {
        let (q, k, v) = (randn([4, 64, 96]), randn([4, 64, 96]), randn([4, 64, 96]))
        let mask = additive((0..<4).map { b in (0..<64).map { $0 < 64 - 10 * b ? 1 : 0 } })
        let double = multiHeadAttention(query: q, key: k, value: v, headCount: 3, additiveMask: mask)
        func float(_ x: Tensor<Double>) -> Tensor<Float> {
            Tensor(
                shape: x.shape, scalars: x.scalars.map { Float(Swift.max($0, -Double(Float.greatestFiniteMagnitude))) })
        }
        let float = multiHeadAttention(
            query: float(q), key: float(k), value: float(v), headCount: 3, additiveMask: float(mask))
        assertClose(float.scalars.map(Double.init), double.scalars, tolerance: 1e-5, "Float against Double")
    }

    /// 150 positions of heads of 32: each pair's products are cut into blocks of 54 query rows (and a
    /// last one of 42) spread over the cores; the result is still the composed attention's.
    func testLongSequencesComputedByRowBlocksEqualTheComposedOperations() {
        let (q, k, v) = (randn([2, 150, 64]), randn([2, 150, 64]), randn([2, 150, 64]))
        let mask = additive([[Int](repeating: 1, count: 150), (0..<150).map { $0 < 97 ? 1 : 0 }])
        let expected = composed(q, k, v, heads: 2, mask: mask)
        let actual = multiHeadAttention(query: q, key: k, value: v, headCount: 2, additiveMask: mask)
        assertClose(actual.scalars, expected.scalars, tolerance: 1e-13, "Double")
        func float(_ x: Tensor<Double>) -> Tensor<Float> {
            Tensor(
                shape: x.shape, scalars: x.scalars.map { Float(Swift.max($0, -Double(Float.greatestFiniteMagnitude))) })
        }
        let single = multiHeadAttention(
            query: float(q), key: float(k), value: float(v), headCount: 2, additiveMask: float(mask))
        assertClose(
            single.scalars, composed(float(q), float(k), float(v), heads: 2, mask: float(mask)).scalars,
            tolerance: 1e-5, "Float")
    }

    func testPaddedKeysGetNoWeightAndAFullyPaddedRowIsUniform() {
        let v = Tensor<Double>(shape: [1, 3, 2], scalars: [1, 10, 2, 20, 3, 30])
        let q = randn([1, 3, 2])
        let k = randn([1, 3, 2])
        let masked = multiHeadAttention(query: q, key: k, value: v, headCount: 1, additiveMask: additive([[1, 0, 0]]))
        assertClose(masked.scalars, [1, 10, 1, 10, 1, 10], tolerance: 1e-12, "only the first key is attended")
        let none = multiHeadAttention(query: q, key: k, value: v, headCount: 1, additiveMask: additive([[0, 0, 0]]))
        assertClose(none.scalars, [2, 20, 2, 20, 2, 20], tolerance: 1e-12, "all keys padded: the mean of the values")
    }
}
