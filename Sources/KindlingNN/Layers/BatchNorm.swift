import KindlingCore
import KindlingPlatform

/// Batch normalization over the channel axis 1 (Ioffe & Szegedy 2015), the shared implementation of
/// `BatchNorm1d` and `BatchNorm2d`; see `batchNormalization` for the formula.
///
/// Constructed as PyTorch does: weight 1, bias 0, running mean 0, running variance 1, no batch tracked.
/// In training mode (the default) it normalizes with the batch's statistics and updates the running ones
/// (momentum 0.1, unbiased variance) and counts the batch; in evaluation mode it uses the running ones.
/// With `momentum: nil` the running statistics are the cumulative average of every batch's (the newest
/// weighs 1 / batches tracked). With `trackRunningStatistics: false` it keeps no running statistics and
/// normalizes with the batch's statistics in both modes (the buffers stay at their initial values and
/// are left out of the state dictionary, where PyTorch has None).
///
/// Its state-dictionary keys are PyTorch's: `weight`, `bias`, `running_mean`, `running_var`,
/// `num_batches_tracked`.
public class BatchNorm<Scalar: TensorScalar>: ModuleBase, Module {
    /// The per-channel scale γ, shape (C); nil without affine parameters.
    public let weight: Parameter<Scalar>?
    /// The per-channel shift β, shape (C); nil without affine parameters.
    public let bias: Parameter<Scalar>?
    /// The running mean, shape (C) (`running_mean`).
    public let runningMean: Buffer<Scalar>
    /// The running unbiased variance, shape (C) (`running_var`).
    public let runningVariance: Buffer<Scalar>
    /// The number of batches normalized in training mode, as a 0-dimensional tensor
    /// (`num_batches_tracked`). It is held in the layer's scalar type (exact up to 2²⁴ batches in Float,
    /// 2⁵³ in Double) and marked as an integer buffer, so that files store it as I64 as PyTorch does.
    public let batchesTracked: Buffer<Scalar>
    /// The number of channels C.
    public let features: Int
    /// Added to the variance before the square root.
    public let epsilon: Double
    /// The weight of the newest batch in the running statistics; nil for the cumulative moving average.
    public let momentum: Double?
    /// Whether the layer keeps running statistics (and uses them in evaluation mode).
    public let tracksRunningStatistics: Bool

    /// In training mode, sums over the processes of a data-parallel run the per-channel sums that define
    /// the batch's statistics, so that the layer normalizes over the union of every process's batch
    /// (synchronized batch normalization, PyTorch's `SyncBatchNorm`; see `batchNormalization`'s `sum`).
    /// KindlingDistributed's `DataParallel(_:communicator:synchronizingBatchNorm:)` sets it; nil (the
    /// default) normalizes over this process's batch alone.
    public var summingAcrossProcesses: (([Scalar]) -> [Scalar])?

    /// The ranks of input this layer accepts, for its requirement message.
    let acceptedRanks: Set<Int>

    init(
        features: Int, epsilon: Double, momentum: Double?, affine: Bool, trackRunningStatistics: Bool,
        acceptedRanks: Set<Int>
    ) {
        require(features > 0, "BatchNorm: the number of features must be positive, got \(features)")
        require(
            epsilon >= 0 && (momentum.map { $0 >= 0 && $0 <= 1 } ?? true),
            "BatchNorm: needs epsilon >= 0 and momentum in [0, 1] or nil, got \(epsilon) and \(String(describing: momentum))"
        )
        self.features = features
        self.epsilon = epsilon
        self.momentum = momentum
        self.tracksRunningStatistics = trackRunningStatistics
        self.acceptedRanks = acceptedRanks
        weight = affine ? Parameter(.ones([features])) : nil
        bias = affine ? Parameter(.zeros([features])) : nil
        runningMean = Buffer(.zeros([features]))
        runningVariance = Buffer(.ones([features]))
        batchesTracked = Buffer(Tensor(0), isInteger: true)
    }

    /// The buffers under PyTorch's names, in PyTorch's order.
    public var namedOwnBuffers: [(name: String, buffer: Buffer<Scalar>)] {
        guard tracksRunningStatistics else { return [] }
        return [
            ("running_mean", runningMean), ("running_var", runningVariance), ("num_batches_tracked", batchesTracked),
        ]
    }

    /// The input normalized per channel (batch statistics in training mode, which also updates the
    /// running statistics and the batch count; running statistics in evaluation mode).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { self(input, applyingReLU: false) }

    /// The normalized input, followed by ReLU when `applyingReLU` (one pass over the data each way; see
    /// `batchNormalization`): what `Sequential` runs for a BatchNorm followed by a ReLU.
    public func callAsFunction(_ input: Tensor<Scalar>, applyingReLU: Bool) -> Tensor<Scalar> {
        require(
            acceptedRanks.contains(input.rank) && input.shape[1] == features,
            "\(type(of: self))(\(features)): expects an input of rank \(acceptedRanks.sorted()) with \(features) channels on axis 1, got \(input.shape)"
        )
        var mean = runningMean.value
        var variance = runningVariance.value
        let updates = isTraining && tracksRunningStatistics
        let batchesTracked = updates ? self.batchesTracked.value.scalar + 1 : self.batchesTracked.value.scalar
        // PyTorch's exponential_average_factor: the momentum, or 1 / batches tracked for a cumulative average.
        let factor = momentum.map { Scalar($0) } ?? (updates ? 1 / batchesTracked : 0)
        let output = batchNormalization(
            input, weight: weight?.value, bias: bias?.value,
            runningMean: &mean, runningVariance: &variance,
            training: isTraining || !tracksRunningStatistics,
            momentum: factor, epsilon: Scalar(epsilon), applyingReLU: applyingReLU,
            summingAcrossProcesses: isTraining ? summingAcrossProcesses : nil)
        if updates {
            runningMean.value = mean
            runningVariance.value = variance
            self.batchesTracked.value = Tensor(batchesTracked)
        }
        return output
    }
}

/// Batch normalization of inputs (N, C) or (N, C, L) over every axis but C (`torch.nn.BatchNorm1d`).
public final class BatchNorm1d<Scalar: TensorScalar>: BatchNorm<Scalar> {
    /// A layer for `features` channels: weight 1, bias 0 (when `affine`), running mean 0 and variance 1.
    /// `momentum: nil` keeps a cumulative average; `trackRunningStatistics: false` keeps none (see `BatchNorm`).
    public init(
        _ features: Int, epsilon: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
        trackRunningStatistics: Bool = true
    ) {
        super.init(
            features: features, epsilon: epsilon, momentum: momentum, affine: affine,
            trackRunningStatistics: trackRunningStatistics, acceptedRanks: [2, 3])
    }
}

/// Batch normalization of images (N, C, H, W) over N, H and W for each channel (`torch.nn.BatchNorm2d`).
public final class BatchNorm2d<Scalar: TensorScalar>: BatchNorm<Scalar> {
    /// A layer for `channels` channels: weight 1, bias 0 (when `affine`), running mean 0 and variance 1.
    /// `momentum: nil` keeps a cumulative average; `trackRunningStatistics: false` keeps none (see `BatchNorm`).
    public init(
        _ channels: Int, epsilon: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
        trackRunningStatistics: Bool = true
    ) {
        super.init(
            features: channels, epsilon: epsilon, momentum: momentum, affine: affine,
            trackRunningStatistics: trackRunningStatistics, acceptedRanks: [4])
    }
}
