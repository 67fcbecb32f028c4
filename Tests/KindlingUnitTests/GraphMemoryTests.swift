import Kindling
import XCTest

/// Training for thousands of steps must not accumulate graph nodes: after each step (forward, backward,
/// update) the number of live nodes returns to the same level, the parameters' leaves.
final class GraphMemoryTests: XCTestCase {
    /// Plain gradient descent, p -= lr * grad, then the gradients zeroed (written here because the
    /// optimizers live elsewhere).
    func descend(_ parameters: [Parameter<Double>], learningRate: Double) {
        withoutGradient {
            for parameter in parameters {
                guard let grad = parameter.grad else { continue }
                parameter.updateInPlace { values in
                    for i in 0..<values.count { values[i] -= learningRate * grad.scalars[i] }
                }
                parameter.zeroGradient()
            }
        }
    }

    /// Points in the plane labeled by the sign of x0 * x1 (XOR quadrants).
    func quadrants(_ count: Int) -> (Tensor<Double>, Tensor<Double>) {
        let x = Tensor<Double>.uniform([count, 2], low: -1, high: 1, generator: RandomGenerator(seed: 21))
        let labels = (0..<count).map { x.scalars[2 * $0] * x.scalars[2 * $0 + 1] > 0 ? 1.0 : 0.0 }
        return (x, Tensor(shape: [count, 1], scalars: labels))
    }

    func train(_ model: some Module<Double>, steps: Int, learningRate: Double) -> (first: Double, last: Double) {
        let (x, y) = quadrants(64)
        let parameters = model.parameters
        let baseline = Autograd.liveNodeCount
        var first = 0.0
        var last = 0.0
        for step in 0..<steps {
            // The loss tensor lives only inside this scope: afterwards nothing holds the graph.
            do {
                let loss = binaryCrossEntropyWithLogits(model(x), y)
                if step == 0 {
                    first = loss.scalar
                    XCTAssertGreaterThan(Autograd.liveNodeCount, baseline, "the counter must see the step's graph")
                }
                last = loss.scalar
                loss.backward()
            }
            descend(parameters, learningRate: learningRate)
            let live = Autograd.liveNodeCount
            if live != baseline {
                XCTFail("step \(step): \(live) live graph nodes, \(baseline) before training")
                break
            }
        }
        return (first, last)
    }

    func testLiveNodesReturnToTheSameLevelAfterEveryStep() {
        let generator = RandomGenerator(seed: 3)
        let model = Sequential<Double>(Linear(2, 16, generator: generator), ReLU(), Linear(16, 1, generator: generator))
        let before = Autograd.liveNodeCount
        let loss = train(model, steps: 2500, learningRate: 0.5)
        XCTAssertEqual(Autograd.liveNodeCount, before)
        XCTAssertLessThan(loss.last, 0.5 * loss.first, "the model should learn the quadrants")
    }

    func testLiveNodesStayLevelWithBatchNormDropoutAndSoftmax() {
        let generator = RandomGenerator(seed: 4)
        let model = Sequential<Double>(
            Linear(2, 16, generator: generator), BatchNorm1d(16), LeakyReLU(),
            Dropout(probability: 0.1, generator: generator),
            Linear(16, 8, generator: generator), ELU(), Linear(8, 1, generator: generator))
        let before = Autograd.liveNodeCount
        let loss = train(model, steps: 2000, learningRate: 0.2)
        XCTAssertEqual(Autograd.liveNodeCount, before)
        XCTAssertLessThan(loss.last, loss.first)
        // Cross-entropy over a softmax head, through the same loop.
        let (x, y) = quadrants(32)
        let labels = y.scalars.map { Int($0) }
        let classifier = Sequential<Double>(
            Linear(2, 8, generator: generator), SELU(), Linear(8, 2, generator: generator))
        let parameters = classifier.parameters
        let baseline = Autograd.liveNodeCount
        for step in 0..<2000 {
            crossEntropy(classifier(x), classIndices: labels).backward()
            descend(parameters, learningRate: 0.1)
            if Autograd.liveNodeCount != baseline {
                XCTFail("step \(step): \(Autograd.liveNodeCount) live graph nodes, \(baseline) before training")
                break
            }
        }
    }
}
