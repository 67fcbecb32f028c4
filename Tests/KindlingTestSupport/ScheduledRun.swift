import XCTest

/// One run of Fixtures/torch_scheduled_comparison.json (Scripts/reference/torch_scheduled_comparison.py): the
/// docs' He run (circles, 2-10-5-1, full-batch SGD) in PyTorch float64 with a learning-rate schedule and
/// clip_grad_norm_, the loss recorded every 100 steps.
public struct ScheduledRun {
    /// The learning rate.
    public let learningRate: Double
    /// The SGD momentum (0: plain SGD).
    public let momentum: Double
    /// The schedule as `--schedule` spells it.
    public let schedule: String
    /// The norm gradients are clipped to, if any.
    public let clipGradientNorm: Double?
    /// The loss every 100 steps.
    public let losses: [Double]
    /// How many steps clip_grad_norm_ scaled down.
    public let clippedSteps: Int
    /// The accuracy on the training set after the run.
    public let trainAccuracy: Double

    /// The run called `name` in the fixture.
    public static func load(_ name: String) throws -> ScheduledRun {
        let root = try XCTUnwrap(fixture("torch_scheduled_comparison.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_scheduled_comparison.py")
        let run = try XCTUnwrap((root["runs"] as? [String: [String: Any]])?[name])
        return ScheduledRun(
            learningRate: try XCTUnwrap(run["learning_rate"] as? Double),
            momentum: try XCTUnwrap(run["momentum"] as? Double),
            schedule: try XCTUnwrap(run["schedule"] as? String), clipGradientNorm: run["clip_grad_norm"] as? Double,
            losses: try XCTUnwrap(run["losses"] as? [Double]),
            clippedSteps: try XCTUnwrap(run["clipped_steps"] as? Int),
            trainAccuracy: try XCTUnwrap(run["train_accuracy"] as? Double))
    }
}
