import KindlingCore
import KindlingPlatform

/// Examples that the training loop cuts into mini-batches: the model's input for every example along the
/// first axis of `features`, and a way to take some of them. `Dataset` and `LabeledExamples` are such
/// examples; a loss reads whatever else a batch holds (labels, targets).
public protocol TrainingExamples {
    /// The element type of the features.
    associatedtype Scalar: TensorScalar
    /// The number of examples.
    var count: Int { get }
    /// The model's input: every example, stacked along the first axis.
    var features: Tensor<Scalar> { get }
    /// The examples at `indices`, in that order (a mini-batch).
    func rows(_ indices: [Int]) -> Self
}

/// The one training loop under `train`, `fit` and the experiments (compare-init, transfer). Each step takes
/// its batch, runs forward and the loss, checks that the loss is finite, runs backward (which releases the
/// graph), clips the gradients' joint 2-norm when asked (`clipGradientNorm(_:maxNorm:)`), steps the
/// optimizer and then the scheduler (PyTorch's order), and forgets the gradients.
///
/// Batches: with `batchSize` nil, every step uses all the examples in order and nothing is drawn from the
/// generator. Otherwise each epoch (ceil(count / batchSize) steps) starts with `generator.permutation(count)`
/// (numpy's `np.random.permutation`) cut into consecutive batches of `batchSize` rows, the last one possibly
/// smaller (PyTorch's `DataLoader(shuffle=True)` with `drop_last=False`).
///
/// Callers run it in pieces with `run(steps:loss:observe:)` (all steps at once, or one epoch at a time with
/// their own work in between) and then read `stepsCompleted` and `divergence`.
package struct TrainingLoop<Model: Module, Update: Optimizer, Examples: TrainingExamples>
where Update.Scalar == Model.Scalar, Examples.Scalar == Model.Scalar {
    private let model: Model
    private let optimizer: Update
    private let examples: Examples
    private let batchSize: Int?
    private let generator: RandomGenerator
    private let maxGradientNorm: Double?
    private let scheduler: LearningRateScheduler<Model.Scalar>?
    private let continueOnNonFinite: Bool
    private let distribution: (any TrainingDistribution)?
    private let firstEpochIndex: Int
    private var progress: ProgressLine
    private var epochOrder: [Int] = []
    /// Optimizer updates per pass over the examples: ceil(count / batchSize), 1 for the full batch.
    package let batchesPerEpoch: Int
    /// The number of updates `length` asked for.
    package let totalSteps: Int
    /// Optimizer updates made so far.
    package private(set) var stepsCompleted = 0
    /// The step whose loss was NaN or infinite and that value, when it stopped the loop.
    package private(set) var divergence: (step: Int, loss: Double)?

    /// A loop of `length` over `examples` (a progress line on a terminal counts toward it); puts `model`
    /// and every module in it in training mode and forgets the optimizer's gradients. With
    /// `continueOnNonFinite`, a NaN or infinite loss does not stop it. With a `distribution`, each epoch's
    /// batches are cut from this process's shard of that epoch instead of a permutation drawn from
    /// `generator`, the epochs counted from `firstEpochIndex` (for the full batch, every step is an epoch: the
    /// batch is the process's whole shard); buffers are synchronized before each forward pass and gradients
    /// after each backward pass, and the loss that `observe` gets and the finite check reads is the joint
    /// batch's, the same on every process.
    package init(
        _ model: Model, on examples: Examples, optimizer: Update, length: TrainingLength,
        batchSize: Int?, generator: RandomGenerator, clipGradientNorm maxGradientNorm: Double? = nil,
        scheduler: LearningRateScheduler<Model.Scalar>? = nil, continueOnNonFinite: Bool = false,
        distribution: (any TrainingDistribution)? = nil, firstEpochIndex: Int = 0, showsProgress: Bool
    ) {
        let epochLength = distribution?.shardLength(count: examples.count) ?? examples.count
        batchesPerEpoch = batchSize.map { (epochLength + $0 - 1) / $0 } ?? 1
        switch length {
        case .iterations(let count):
            require(count >= 0, "train: the number of iterations must not be negative, got \(count)")
            totalSteps = count
        case .epochs(let count):
            require(count >= 0, "train: the number of epochs must not be negative, got \(count)")
            totalSteps = count * batchesPerEpoch
        }
        self.model = model
        self.optimizer = optimizer
        self.examples = examples
        self.batchSize = batchSize
        self.generator = generator
        self.maxGradientNorm = maxGradientNorm
        self.scheduler = scheduler
        self.continueOnNonFinite = continueOnNonFinite
        self.distribution = distribution
        self.firstEpochIndex = firstEpochIndex
        progress = ProgressLine(total: totalSteps, enabled: showsProgress)
        model.train()
        optimizer.zeroGradients()
    }

    /// Makes up to `count` more steps. After each step's forward pass, `observe` gets the step (0-based),
    /// its loss value and its batch, before the finite check (so a non-finite step is observed too).
    /// Returns false when a non-finite loss stopped the loop before that step's update.
    @discardableResult
    package mutating func run(
        steps count: Int, loss: (Tensor<Model.Scalar>, Examples) -> Tensor<Model.Scalar>,
        observe: (_ step: Int, _ loss: Double, _ batch: Examples) -> Void
    ) -> Bool {
        for _ in 0..<count {
            let step = stepsCompleted
            let batch = self.batch(at: step)
            distribution?.synchronizeBuffers()
            let value = loss(model(batch.features), batch)
            require(value.count == 1, "train: the loss must be a single value, got shape \(value.shape)")
            let lossValue =
                distribution.map { meanOverProcesses(Double(value.scalars[0]), batch.count, $0) }
                ?? Double(value.scalars[0])
            observe(step, lossValue, batch)
            if !lossValue.isFinite && !continueOnNonFinite {
                divergence = (step, lossValue)
                return false
            }
            value.backward()
            distribution?.synchronizeGradients()
            if let maxGradientNorm { clipGradientNorm(optimizer.parameters, maxNorm: maxGradientNorm) }
            optimizer.step()
            scheduler?.step()
            optimizer.zeroGradients()
            stepsCompleted = step + 1
            progress.update(step: stepsCompleted, loss: lossValue)
        }
        return true
    }

    /// Clears the progress line, before printing and at the end; it is drawn again by the next step.
    package mutating func clearProgress() { progress.finish() }

    /// The mean of the processes' losses weighted by their batches' sizes: the loss of the step's joint batch,
    /// the same on every process (so that a loss that is not finite on one process stops all of them).
    private func meanOverProcesses(_ loss: Double, _ count: Int, _ distribution: any TrainingDistribution) -> Double {
        let sums = distribution.sum([loss * Double(count), Double(count)])
        return sums[0] / sums[1]
    }

    /// The batch of `step`: every example (this process's shard of the step when distributed), or the step's
    /// slice of its epoch's permutation.
    private mutating func batch(at step: Int) -> Examples {
        guard let batchSize else {
            guard let distribution else { return examples }
            return examples.rows(distribution.shard(epoch: firstEpochIndex + step, count: examples.count))
        }
        let position = step % batchesPerEpoch
        if position == 0 {
            epochOrder =
                distribution?.shard(epoch: firstEpochIndex + step / batchesPerEpoch, count: examples.count)
                ?? generator.permutation(examples.count)
        }
        let start = position * batchSize
        return examples.rows(Array(epochOrder[start..<Swift.min(start + batchSize, epochOrder.count)]))
    }
}
