import XCTest
import Kindling

final class RandomGeneratorTests: XCTestCase {
    func testRandnAfterSeed3MatchesNumpyPublishedValues() {
        // numpy.random.seed(3); numpy.random.randn(12), as quoted in the foundation issue.
        let expected = [1.78862847, 0.43650985, 0.09649747, -1.8634927, -0.2773882, -0.35475898,
                        -0.08274148, -0.62700068, -0.04381817, -0.47721803, -1.31386475, 0.88462238]
        let generator = RandomGenerator(seed: 3)
        assertClose((0..<12).map { _ in generator.standardNormal() }, expected, tolerance: 5e-9)
    }
}
