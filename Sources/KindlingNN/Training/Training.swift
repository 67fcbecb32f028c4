import KindlingCore
import KindlingPlatform

/// How long `train` runs: a number of optimizer updates, or a number of passes over the data
/// (`epochs(e)` makes e × ceil(count / batchSize) updates; one per epoch for a full batch).
public enum TrainingLength: Sendable, Equatable {
    /// This many optimizer updates.
    case iterations(Int)
    /// This many passes over the data.
    case epochs(Int)
}

/// Trains `model` on `data` by gradient steps of `optimizer` and returns what it recorded; `fit`, compare-init
/// and transfer run on the same loop.
///
/// Each step is lean: take the batch, forward, loss, check that the loss is finite, backward (which
/// releases the graph), `optimizer.step()`, then forget the gradients. Every `recordEvery` steps
/// (steps 0, k, 2k, ...) the history keeps the loss of that step's forward pass, taken before its update
/// (the course's `if i % 1000 == 0: print(cost)`), and the results of `evaluate(model)` run without a
/// graph on the same parameters.
///
/// Batches: with `batchSize` nil, every step uses the whole dataset in order and nothing is drawn from
/// the generator. Otherwise each epoch starts with `generator.permutation(count)` (numpy's
/// `np.random.permutation`) and cuts it into consecutive batches of `batchSize` rows, the last one
/// possibly smaller (PyTorch's `DataLoader(shuffle=True)` with `drop_last=False`).
///
/// Modes: training starts with `model.train()`, which puts the model and every module in it in training
/// mode (as a PyTorch loop that calls `model.train()` does), and leaves them so afterwards; a module put
/// in evaluation mode beforehand (a frozen BatchNorm) trains too. `evaluate` runs without a graph in the
/// modes it chooses; `accuracy(of:on:)` there switches to evaluation mode for the forward pass and then
/// gives every module its own mode back, so the next step trains as before.
///
/// A NaN or infinite loss stops training before the update it would make, and the history's
/// `divergence` gives the step and the value; with `continueOnNonFinite` training goes on. With
/// `clipGradientNorm`, the gradients' joint 2-norm is clipped to it after backward and before the update
/// (`clipGradientNorm(_:maxNorm:)`); a `scheduler` steps after each update (PyTorch's order). When
/// `showsProgress` is true and standard error is a terminal, a progress line there is redrawn as the
/// run advances.
///
/// ```swift
/// let history = train(model, on: circles, loss: { logits, batch in
///     binaryCrossEntropyWithLogits(logits, batch.targets)     // multi-class: crossEntropy(logits, classIndices: batch.labels)
/// }, optimizer: try SGD(model.parameters, learningRate: 0.01), for: .iterations(15000), recordEvery: 1000)
/// history.losses   // 15 values: steps 0, 1000, ..., 14000
/// ```
///
/// - Parameters:
///   - model: the model to train, in place.
///   - data: the examples (a `Dataset`, `LabeledExamples` or any other `TrainingExamples`).
///   - loss: the scalar loss from the model's output on a batch and that batch (whose labels or targets
///     give the expected answers).
///   - optimizer: updates the model's parameters after each backward pass.
///   - length: how many updates or epochs to run.
///   - batchSize: rows per mini-batch; nil for the full batch.
///   - generator: draws the per-epoch orders of mini-batches.
///   - recordEvery: record the loss (and `evaluate`'s results) every this many steps.
///   - evaluate: metrics of the model to record with the loss, computed without a graph.
///   - continueOnNonFinite: keep training after a NaN or infinite loss instead of stopping.
///   - maxGradientNorm: clip the gradients' joint 2-norm to this before each update; nil does not clip.
///   - scheduler: a learning-rate schedule stepped after each update.
///   - showsProgress: redraw a progress line on standard error when it is a terminal.
///   - distribution: train data-parallel with copies of this run in other processes: each step takes this
///     process's share of its batch (`TrainingDistribution.shard(epoch:count:)`; for the full batch, its
///     whole shard), the gradients are averaged over the processes, and the recorded loss is the joint
///     batch's.
public func train<Model: Module, Update: Optimizer, Examples: TrainingExamples>(
    _ model: Model,
    on data: Examples,
    loss: (Tensor<Model.Scalar>, Examples) -> Tensor<Model.Scalar>,
    optimizer: Update,
    for length: TrainingLength,
    batchSize: Int? = nil,
    generator: RandomGenerator = .global,
    recordEvery: Int = 1,
    evaluate: ((Model) -> [String: Double])? = nil,
    continueOnNonFinite: Bool = false,
    clipGradientNorm maxGradientNorm: Double? = nil,
    scheduler: LearningRateScheduler<Model.Scalar>? = nil,
    showsProgress: Bool = true,
    distribution: (any TrainingDistribution)? = nil
) -> TrainingHistory where Update.Scalar == Model.Scalar, Examples.Scalar == Model.Scalar {
    require(recordEvery >= 1, "train: recordEvery must be at least 1, got \(recordEvery)")
    require(data.count > 0, "train: the dataset is empty")
    if let batchSize {
        require(batchSize >= 1, "train: batchSize must be at least 1, got \(batchSize)")
    }
    var loop = TrainingLoop(
        model, on: data, optimizer: optimizer, length: length, batchSize: batchSize,
        generator: generator, clipGradientNorm: maxGradientNorm, scheduler: scheduler,
        continueOnNonFinite: continueOnNonFinite, distribution: distribution, showsProgress: showsProgress)
    var history = TrainingHistory()
    loop.run(steps: loop.totalSteps, loss: loss) { step, lossValue, _ in
        guard step % recordEvery == 0 else { return }
        let metrics = evaluate.map { evaluate in withoutGradient { evaluate(model) } } ?? [:]
        history.records.append(.init(step: step, loss: lossValue, metrics: metrics))
    }
    loop.clearProgress()
    history.stepsCompleted = loop.stepsCompleted
    history.divergence = loop.divergence.map { .init(step: $0.step, loss: $0.loss) }
    return history
}
