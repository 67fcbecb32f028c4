import KindlingCore
import KindlingNN
import KindlingPlatform

/// Labelled examples for classification: a feature matrix of shape (count, featureCount), one integer
/// label per row in 0..<classCount, and the same labels as an (count, 1) column `targets` for losses on
/// binary logits.
///
/// ```swift
/// let generator = RandomGenerator(seed: 1)
/// let train: Dataset<Double> = .circles(count: 300, noise: 0.05, generator: generator)
/// train.features.shape   // [300, 2]
/// train.targets.shape    // [300, 1], 0 (outer circle) or 1 (inner circle)
/// ```
public struct Dataset<Scalar: TensorScalar> {
    /// The examples, one per row: shape (count, featureCount).
    public let features: Tensor<Scalar>
    /// The class of each row, in 0..<classCount.
    public let labels: [Int]
    /// The number of classes (at least 1 + the largest label).
    public let classCount: Int
    /// The labels as a column of shape (count, 1) holding 0, 1, ... (the targets of a binary
    /// cross-entropy on logits of shape (count, 1)); made once, since a training loss reads it every step.
    public let targets: Tensor<Scalar>

    /// A dataset from a feature matrix and one label per row. `classCount` defaults to 1 + the largest
    /// label (2 when every label is 0, so that an all-negative binary subset stays binary).
    public init(features: Tensor<Scalar>, labels: [Int], classCount: Int? = nil) {
        require(features.rank == 2, "Dataset: features must have shape (count, featureCount), got \(features.shape)")
        require(
            features.shape[0] == labels.count,
            "Dataset: \(features.shape[0]) feature rows but \(labels.count) labels")
        require(labels.allSatisfy { $0 >= 0 }, "Dataset: labels must be non-negative, got \(labels.min() ?? 0)")
        let count = classCount ?? Swift.max(2, (labels.max() ?? 0) + 1)
        require(
            labels.allSatisfy { $0 < count },
            "Dataset: label \(labels.max() ?? 0) is out of range for \(count) classes")
        self.features = features.detached()
        self.labels = labels
        self.classCount = count
        targets = Tensor(shape: [labels.count, 1], scalars: labels.map { Scalar($0) })
    }

    /// The number of examples (rows).
    public var count: Int { labels.count }

    /// The number of features per example (columns).
    public var featureCount: Int { features.shape[1] }

    /// The rows at `indices`, in that order (a mini-batch).
    public func rows(_ indices: [Int]) -> Dataset {
        Dataset(features: features.gatheringRows(indices), labels: indices.map { labels[$0] }, classCount: classCount)
    }

    /// The same examples in another precision.
    public func converted<Other: TensorScalar>(to _: Other.Type = Other.self) -> Dataset<Other> {
        Dataset<Other>(
            features: Tensor<Other>(shape: features.shape, scalars: features.scalars.map { Other($0) }),
            labels: labels, classCount: classCount)
    }
}

extension Dataset: TrainingExamples {}

/// The accuracy of `model` (which outputs logits) on `data`, computed in evaluation mode without
/// recording a graph; afterwards every module has its own mode back (see `withEvaluationMode`).
public func accuracy<Model: Module>(of model: Model, on data: Dataset<Model.Scalar>) -> Double {
    let logits = model.withEvaluationMode { withoutGradient { model(data.features) } }
    return accuracy(logits: logits, labels: data.labels)
}
