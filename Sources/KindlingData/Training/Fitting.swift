import Foundation
import KindlingCore
import KindlingNN
import KindlingPlatform

/// The loss of a model's `output` on a batch for `task`: binary cross-entropy on the logits (output
/// (n, 1)), cross-entropy over the classes (output (n, classes)), or mean squared error (output (n, 1)).
public func taskLoss<Scalar>(_ output: Tensor<Scalar>, _ batch: LabeledExamples<Scalar>, task: Task) -> Tensor<Scalar> {
    switch task {
    case .binary: return binaryCrossEntropyWithLogits(output, batch.targetColumn)
    case .multiclass: return crossEntropy(output, classIndices: batch.classIndices)
    case .regression: return meanSquaredError(output, batch.targetColumn)
    }
}

/// One epoch of `fit`.
public struct EpochRecord: Sendable, Codable, Equatable {
    /// The epoch, counted from 1.
    public let epoch: Int
    /// The mean over the epoch's examples of the loss of their batch (each batch's loss from its forward
    /// pass, before its update, weighted by its size).
    public let trainingLoss: Double
    /// The loss on the validation examples after the epoch, in evaluation mode.
    public let validationLoss: Double?
    /// Validation accuracy (classification) or mean absolute error (regression) after the epoch.
    public let validationMetric: Double?
    /// Wall-clock seconds of the epoch.
    public let seconds: Double
}

/// What `fit` did.
public struct FitResult: Sendable {
    /// Every epoch run, in order.
    public var epochs: [EpochRecord] = []
    /// The epoch whose weights the model holds at the end: the one with the lowest validation loss with
    /// early stopping, else the last.
    public var bestEpoch: Int?
    /// Whether early stopping ended training before the last epoch.
    public var stoppedEarly = false
    /// Set when a non-finite loss stopped training: the epoch and the value.
    public var divergence: (epoch: Int, loss: Double)?
}

/// Trains `model` for `epochs` passes over `training` in mini-batches (the loop of `train`), as a PyTorch
/// loop with `DataLoader(shuffle=True)` does: each epoch starts with `generator.permutation(count)` (numpy's
/// `RandomState.permutation`) cut into consecutive batches of `batchSize` (the last may be smaller); each
/// batch runs forward, `taskLoss`, backward, `optimizer.step()`, then forgets the gradients. With
/// `clipGradientNorm`, the gradients' joint 2-norm is clipped to it after backward and before the update
/// (`clipGradientNorm(_:maxNorm:)`); a `scheduler` steps after each update (PyTorch's order), so its steps
/// are optimizer updates, `epochs` × ceil(count / batchSize) in all.
///
/// After every epoch the model is evaluated on `validation` (evaluation mode, no graph) and
/// `onEpoch` is called with the record. With `earlyStoppingPatience` p, training stops when the validation
/// loss has not improved for p epochs, and the weights (and buffers) of the best epoch are restored.
/// Epochs are numbered from `firstEpoch` (to continue a run). With `showsProgress`, a progress line on
/// standard error (when it is a terminal) is redrawn during each epoch. A NaN or infinite training loss stops
/// training before the update it would make.
///
/// With a `distribution` (data-parallel training over several processes), each process trains on its shard
/// of every epoch in batches of `batchSize` (so one update sees `batchSize` × the number of processes
/// examples), the recorded training loss is the mean over every process's examples, and the validation
/// figures that early stopping reads are the first process's, so that every process stops at the same epoch.
///
/// ```swift
/// let result = fit(model, training: train, validation: valid, task: .multiclass,
///                  optimizer: try Adam(model.parameters, learningRate: 1e-3), epochs: 20, batchSize: 32,
///                  generator: RandomGenerator(seed: 0))
/// result.epochs.last?.validationMetric   // accuracy
/// ```
public func fit<Model: Module, Update: Optimizer>(
    _ model: Model,
    training: LabeledExamples<Model.Scalar>,
    validation: LabeledExamples<Model.Scalar>? = nil,
    task: Task,
    optimizer: Update,
    epochs: Int,
    batchSize: Int,
    generator: RandomGenerator,
    earlyStoppingPatience: Int? = nil,
    firstEpoch: Int = 1,
    showsProgress: Bool = false,
    clipGradientNorm maxGradientNorm: Double? = nil,
    scheduler: LearningRateScheduler<Model.Scalar>? = nil,
    distribution: (any TrainingDistribution)? = nil,
    onEpoch: (EpochRecord) -> Void = { _ in }
) -> FitResult where Update.Scalar == Model.Scalar {
    require(training.count > 0, "fit: no training examples")
    require(batchSize >= 1, "fit: the batch size must be at least 1, got \(batchSize)")
    require(earlyStoppingPatience == nil || validation != nil, "fit: early stopping needs validation examples")
    var result = FitResult()
    var best: (loss: Double, epoch: Int, state: [Tensor<Model.Scalar>])?
    var loop = TrainingLoop(
        model, on: training, optimizer: optimizer, length: .epochs(epochs), batchSize: batchSize,
        generator: generator, clipGradientNorm: maxGradientNorm, scheduler: scheduler,
        distribution: distribution, firstEpochIndex: firstEpoch - 1, showsProgress: showsProgress)
    for epoch in firstEpoch..<(firstEpoch + epochs) {
        let start = ContinuousClock.now
        var lossSum = 0.0
        var examplesSeen = 0
        model.train()
        let finished = loop.run(steps: loop.batchesPerEpoch, loss: { taskLoss($0, $1, task: task) }) { _, loss, batch in
            lossSum += loss * Double(batch.count)
            examplesSeen += batch.count
        }
        loop.clearProgress()
        if !finished, let divergence = loop.divergence {
            result.divergence = (epoch, divergence.loss)
            break
        }
        var validationLoss: Double?
        var validationMetric: Double?
        if let validation {
            distribution?.synchronizeBuffers()
            let evaluation = evaluateLoss(model, on: validation, task: task)
            validationLoss = distribution?.agree(evaluation.loss) ?? evaluation.loss
            validationMetric = distribution?.agree(evaluation.metric) ?? evaluation.metric
        }
        // Under a distribution each step's loss is already the joint batch's, and every process's batches
        // are equally long.
        let trainingLoss = lossSum / Double(examplesSeen)
        let elapsed = ContinuousClock.now - start
        let record = EpochRecord(
            epoch: epoch, trainingLoss: trainingLoss,
            validationLoss: validationLoss, validationMetric: validationMetric,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        result.epochs.append(record)
        onEpoch(record)
        result.bestEpoch = epoch
        guard let patience = earlyStoppingPatience, let validationLoss else { continue }
        if best == nil || validationLoss < best!.loss {
            best = (validationLoss, epoch, model.stateValues)
        } else if epoch - best!.epoch >= patience {
            result.stoppedEarly = epoch < firstEpoch + epochs - 1
            break
        }
    }
    if let best, earlyStoppingPatience != nil {
        model.restoreStateValues(best.state)
        result.bestEpoch = best.epoch
    }
    model.train()
    return result
}

/// The loss of `model` on `examples` and its accuracy (classification) or mean absolute error
/// (regression), in evaluation mode without a graph; the model's modes are restored afterwards.
public func evaluateLoss<Model: Module>(_ model: Model, on examples: LabeledExamples<Model.Scalar>, task: Task)
    -> (loss: Double, metric: Double)
{
    let output = model.evaluationOutput(examples.features)
    let loss = withoutGradient { Double(taskLoss(output, examples, task: task).scalars[0]) }
    switch task {
    case .binary, .multiclass:
        return (loss, accuracy(logits: output, labels: examples.classIndices))
    case .regression:
        let error = zip(output.scalars, examples.targets).reduce(0.0) { $0 + abs(Double($1.0) - $1.1) }
        return (loss, error / Double(examples.count))
    }
}

extension Standardization {
    /// The mean and population standard deviation of regression targets (scale 1 when they are all equal),
    /// for training on (y − mean) / scale, as scikit-learn's `TransformedTargetRegressor(transformer:
    /// StandardScaler())` does.
    public init(fittedToTargets targets: [Double]) {
        self.init(fittedTo: Tensor<Double>(shape: [targets.count, 1], scalars: targets))
    }

    /// Targets standardized by the first statistic: (y − mean) / scale.
    public func standardize(targets: [Double]) -> [Double] { targets.map { ($0 - mean[0]) / scale[0] } }

    /// Makes `layer`, the last layer of a model trained on targets standardized by these statistics (one per
    /// output), give values in the targets' units: y = scale ⊙ ŷ + mean, so row k of the weight is multiplied
    /// by scale[k] and the bias becomes scale ⊙ b + mean (computed in Double, rounded once).
    public func restoreUnits<Scalar>(of layer: Linear<Scalar>) {
        require(
            layer.outFeatures == mean.count,
            "Standardization: \(mean.count) target statistics for a layer of \(layer.outFeatures) outputs")
        let (rows, columns) = (layer.outFeatures, layer.inFeatures)
        let weight = layer.weight.value.scalars
        layer.weight.value = Tensor(
            shape: [rows, columns],
            scalars: weight.indices.map { Scalar(Double(weight[$0]) * scale[$0 / columns]) })
        if let bias = layer.bias {
            let values = bias.value.scalars
            bias.value = Tensor(
                shape: [rows], scalars: values.indices.map { Scalar(Double(values[$0]) * scale[$0] + mean[$0]) })
        }
    }
}

extension EpochRecord {
    /// The record in the targets' units, for a regression model trained on targets divided by `scale`: the
    /// losses (mean squared error) times scale², the metric (mean absolute error) times scale.
    public func inTargetUnits(scale: Double) -> EpochRecord {
        EpochRecord(
            epoch: epoch, trainingLoss: trainingLoss * scale * scale,
            validationLoss: validationLoss.map { $0 * scale * scale },
            validationMetric: validationMetric.map { $0 * scale }, seconds: seconds)
    }
}
