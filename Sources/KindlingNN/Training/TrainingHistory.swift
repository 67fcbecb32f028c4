import KindlingCore

/// What a training run recorded: the loss (and any evaluation metrics) every k steps, how many steps
/// ran, and where the loss stopped being finite if it did.
public struct TrainingHistory: Sendable {
    /// The state at one recorded step, taken before that step's update: `loss` is the value computed by
    /// the forward pass of step `step` (as the course prints `cost` at `i % 1000 == 0`), and `metrics` are
    /// the evaluation results for the parameters that forward pass used.
    public struct Record: Sendable, Equatable {
        /// The step (0-based count of optimizer updates before this one).
        public let step: Int
        /// The loss of the batch at this step.
        public let loss: Double
        /// Evaluation metrics by name (empty without an `evaluate` closure).
        public let metrics: [String: Double]

        package init(step: Int, loss: Double, metrics: [String: Double]) {
            self.step = step
            self.loss = loss
            self.metrics = metrics
        }
    }

    /// Where training stopped because the loss was NaN or infinite.
    public struct Divergence: Sendable, Equatable, CustomStringConvertible {
        /// The step whose forward pass gave the non-finite loss (no update was made from it).
        public let step: Int
        /// The loss value (NaN or ±infinity).
        public let loss: Double

        package init(step: Int, loss: Double) {
            self.step = step
            self.loss = loss
        }

        /// "training stopped at step 12: the loss is inf ...".
        public var description: String {
            "training stopped at step \(step): the loss is \(loss) (a learning rate that is too large or a bad "
                + "initialization can cause this; pass continueOnNonFinite: true to go on anyway)"
        }
    }

    /// The recorded steps, in order.
    public package(set) var records: [Record] = []
    /// The number of optimizer updates made.
    public package(set) var stepsCompleted = 0
    /// Set when a non-finite loss stopped training.
    public package(set) var divergence: Divergence?

    package init() {}

    /// The recorded steps.
    public var steps: [Int] { records.map(\.step) }
    /// The recorded losses.
    public var losses: [Double] { records.map(\.loss) }
    /// The values of one metric at the recorded steps (nil where it was not computed).
    public func metric(_ name: String) -> [Double?] { records.map { $0.metrics[name] } }
}
