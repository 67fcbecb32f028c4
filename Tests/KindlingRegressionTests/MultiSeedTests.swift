import Kindling
import XCTest

/// compare-init over several weight seeds: concurrent runs equal sequential ones, and each seed's run is
/// the single-seed run with that seed.
final class MultiSeedTests: XCTestCase {
    func testConcurrentRunsEqualSequentialRunsAndSingleSeedRuns() throws {
        var configuration = InitializationComparison.Configuration()
        configuration.iterations = 400
        configuration.recordEvery = 100
        configuration.seedCount = 3
        configuration.initializations = ["random", "he"]
        let concurrent = try InitializationComparison.run(configuration)
        configuration.runsConcurrently = false
        let sequential = try InitializationComparison.run(configuration)
        XCTAssertEqual(concurrent.map(\.initialization), ["random", "random", "random", "he", "he", "he"])
        XCTAssertEqual(concurrent.map(\.seed), [3, 4, 5, 3, 4, 5])
        for (a, b) in zip(concurrent, sequential) {
            XCTAssertEqual(a.history.losses, b.history.losses, "\(a.initialization) seed \(a.seed)")
            XCTAssertEqual(a.trainAccuracy, b.trainAccuracy)
            XCTAssertEqual(a.testAccuracy, b.testAccuracy)
        }
        XCTAssertNotEqual(concurrent[3].history.losses, concurrent[4].history.losses, "seeds differ")

        var single = configuration
        single.seedCount = 1
        single.seed = 4
        let alone = try XCTUnwrap(InitializationComparison.run(single).last)
        XCTAssertEqual(alone.history.losses, concurrent[4].history.losses)
    }
}
