import KindlingTestSupport
import XCTest

/// `compare-init --schedule` and `--clip-grad-norm` against PyTorch (the library's side:
/// ScheduledComparisonTests).
extension CommandLineTests {
    /// The command line spells the fixture's schedules (see its `schedule` fields) and prints PyTorch's
    /// first and last recorded costs.
    func testCompareInitScheduleAndClippingFollowPyTorch() throws {
        for name in ["warm_up_cosine_clipped", "one_cycle_momentum_clipped", "step_unclipped"] {
            let reference = try ScheduledRun.load(name)
            var arguments = [
                "compare-init", "--inits", "he", "--iterations", "2000", "--record-every", "100",
                "--lr", "\(reference.learningRate)", "--optimizer", reference.momentum == 0 ? "sgd" : "momentum",
                "--schedule", reference.schedule,
            ]
            if let clip = reference.clipGradientNorm { arguments += ["--clip-grad-norm", "\(clip)"] }
            let outcome = try kindling(arguments: arguments)
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            let row = try XCTUnwrap(outcome.output.split(separator: "\n").first { $0.hasPrefix("he ") }, outcome.output)
            let costs = row.split(separator: " ").dropFirst().prefix(2).compactMap { Double($0) }
            XCTAssertEqual(costs.count, 2, outcome.output)
            XCTAssertEqual(costs[0], reference.losses[0], accuracy: 1e-9 * reference.losses[0], name)
            XCTAssertEqual(costs[1], reference.losses[19], accuracy: 1e-9 * reference.losses[19], name)
        }
    }

    func testBadSchedulesAndClipsAreNamed() throws {
        let cases: [([String], String)] = [
            (["--schedule", "cosin"], "--schedule: 'cosin' is not a schedule: one of constant, step"),
            (["--schedule", "step:x"], "--schedule: 'step:x' has 'x' where a positive integer belongs"),
            (["--schedule", "step"], "gives 'step' 0 arguments, it takes 1 to 2"),
            (["--schedule", "warmup:20000+cosine"], "warms up for 20000 of only 15000 iterations"),
            (["--schedule", "ramp:5+cosine"], "must start with 'warmup:STEPS[:START_FACTOR]+'"),
            (["--schedule", "multistep:9/3"], "MultiStepLR: the milestones must be increasing, got [9, 3]"),
            (["--clip-grad-norm", "-1"], "the gradient norm to clip to must be a positive number, got -1.0"),
        ]
        for (arguments, message) in cases {
            let outcome = try kindling(arguments: ["compare-init"] + arguments)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.errors.contains(message), "\(arguments): \(outcome.errors)")
            XCTAssertTrue(outcome.output.isEmpty, "\(arguments): nothing trained: \(outcome.output)")
        }
    }
}
