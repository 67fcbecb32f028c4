import KindlingCore
import KindlingNN

/// Trains every model it is given data-parallel over `communicator`'s ranks (`DataParallelTraining`), for
/// programs that train several models one after another, such as `InitializationComparison.run`.
public struct DataParallelDistributor: TrainingDistributor {
    /// The ranks that train together.
    public let communicator: Communicator
    /// The capacity in bytes of each gradient bucket.
    public let bucketCapacity: Int
    /// Whether every BatchNorm normalizes over the union of the ranks' batches (see `DataParallel`).
    public let synchronizesBatchNorm: Bool

    /// A distributor over `communicator`'s ranks with gradient buckets of `bucketCapacity` bytes, and
    /// BatchNorm statistics over the joint batch when `synchronizingBatchNorm`.
    public init(
        communicator: Communicator, bucketCapacity: Int = 25 * 1024 * 1024, synchronizingBatchNorm: Bool = false
    ) {
        self.communicator = communicator
        self.bucketCapacity = bucketCapacity
        synchronizesBatchNorm = synchronizingBatchNorm
    }

    /// `DataParallelTraining` of `model`: rank 0's parameters and buffers are broadcast to the others now.
    ///
    /// - Throws: `DistributedError` when the model computes in another type than Float or Double, when the
    ///   ranks' models differ, or when a collective fails.
    public func distribution<Model: Module>(for model: Model, seed: UInt32) throws -> any TrainingDistribution {
        switch model {
        case let model as any Module<Float>: return try training(model, seed: seed)
        case let model as any Module<Double>: return try training(model, seed: seed)
        default:
            throw DistributedError("data-parallel training supports Float and Double models, not \(Model.Scalar.self)")
        }
    }

    private func training<Trained: Module>(_ model: Trained, seed: UInt32) throws -> any TrainingDistribution
    where Trained.Scalar: DistributedScalar {
        try DataParallelTraining(
            model, communicator: communicator, seed: seed, bucketCapacity: bucketCapacity,
            synchronizingBatchNorm: synchronizesBatchNorm)
    }
}
