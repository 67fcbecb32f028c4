import KindlingCore
import KindlingNN
import KindlingPlatform

/// How long `train` runs: a number of optimizer updates, or a number of passes over the data
/// (`epochs(e)` makes e × ceil(count / batchSize) updates; one per epoch for a full batch).
public enum TrainingLength: Sendable, Equatable {
    /// This many optimizer updates.
    case iterations(Int)
    /// This many passes over the data.
    case epochs(Int)
}

/// Trains `model` on `data` by gradient steps of `optimizer` and returns what it recorded.
///
/// Each step is lean: draw the batch, forward, loss, check that the loss is finite, backward (which
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
///   - data: the training examples.
///   - loss: the scalar loss from the model's output on a batch and that batch (whose `targets` and
///     `labels` give the expected answers).
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
public func train<Model: Module, Update: Optimizer>(
    _ model: Model,
    on data: Dataset<Model.Scalar>,
    loss: (Tensor<Model.Scalar>, Dataset<Model.Scalar>) -> Tensor<Model.Scalar>,
    optimizer: Update,
    for length: TrainingLength,
    batchSize: Int? = nil,
    generator: RandomGenerator = .global,
    recordEvery: Int = 1,
    evaluate: ((Model) -> [String: Double])? = nil,
    continueOnNonFinite: Bool = false,
    clipGradientNorm maxGradientNorm: Double? = nil,
    scheduler: LearningRateScheduler<Model.Scalar>? = nil,
    showsProgress: Bool = true
) -> TrainingHistory where Update.Scalar == Model.Scalar {
    require(recordEvery >= 1, "train: recordEvery must be at least 1, got \(recordEvery)")
    require(data.count > 0, "train: the dataset is empty")
    if let batchSize {
        require(batchSize >= 1, "train: batchSize must be at least 1, got \(batchSize)")
    }
    let batchesPerEpoch = batchSize.map { (data.count + $0 - 1) / $0 } ?? 1
    let totalSteps: Int
    switch length {
    case .iterations(let count):
        require(count >= 0, "train: the number of iterations must not be negative, got \(count)")
        totalSteps = count
    case .epochs(let count):
        require(count >= 0, "train: the number of epochs must not be negative, got \(count)")
        totalSteps = count * batchesPerEpoch
    }

    var history = TrainingHistory()
    var progress = ProgressLine(total: totalSteps, enabled: showsProgress)
    var epochOrder: [Int] = []
    model.train()
    optimizer.zeroGradients()
    for step in 0..<totalSteps {
        let batch: Dataset<Model.Scalar>
        if let batchSize {
            let position = step % batchesPerEpoch
            if position == 0 { epochOrder = generator.permutation(data.count) }
            let start = position * batchSize
            batch = data.rows(Array(epochOrder[start..<Swift.min(start + batchSize, data.count)]))
        } else {
            batch = data
        }

        let value = loss(model(batch.features), batch)
        require(value.count == 1, "train: the loss must be a single value, got shape \(value.shape)")
        let lossValue = Double(value.scalars[0])
        if step % recordEvery == 0 {
            let metrics = evaluate.map { evaluate in withoutGradient { evaluate(model) } } ?? [:]
            history.records.append(.init(step: step, loss: lossValue, metrics: metrics))
        }
        if !lossValue.isFinite && !continueOnNonFinite {
            history.divergence = .init(step: step, loss: lossValue)
            break
        }
        value.backward()
        if let maxGradientNorm { clipGradientNorm(optimizer.parameters, maxNorm: maxGradientNorm) }
        optimizer.step()
        scheduler?.step()
        optimizer.zeroGradients()
        history.stepsCompleted = step + 1
        progress.update(step: step + 1, loss: lossValue)
    }
    progress.finish()
    return history
}
