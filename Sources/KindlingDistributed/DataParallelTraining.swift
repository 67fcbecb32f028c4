import KindlingCore
import KindlingNN

/// `fit`'s data-parallel training over MPI: each rank trains on its `DistributedSampler` shard of every epoch
/// (shuffled with `seed`), with the model under `DataParallel`. A failed collective ends every rank of the job
/// with a message naming the rank that saw it (`Communicator.abort`).
///
/// ```swift
/// let world = try Communicator.world()
/// let parallel = try DataParallelTraining(model, communicator: world, seed: 0)
/// let result = fit(model, training: shardable, task: .multiclass, optimizer: optimizer, epochs: 10,
///                  batchSize: 32, generator: RandomGenerator(seed: 0), distribution: parallel)
/// ```
public final class DataParallelTraining<Model: Module>: TrainingDistribution where Model.Scalar: DistributedScalar {
    /// The model and its gradient buckets.
    public let parallel: DataParallel<Model>
    /// The seed of every epoch's shuffle (epoch e shuffles with seed + e), the same on every rank.
    public let seed: UInt32

    /// Data-parallel training of `module` on `communicator`'s ranks; rank 0's parameters and buffers are
    /// broadcast to the others now. `synchronizingBatchNorm`: see `DataParallel`.
    ///
    /// - Throws: `DistributedError` when the ranks' models differ or a collective fails.
    public init(
        _ module: Model, communicator: Communicator, seed: UInt32, bucketCapacity: Int = 25 * 1024 * 1024,
        synchronizingBatchNorm: Bool = false
    ) throws {
        parallel = try DataParallel(
            module, communicator: communicator, bucketCapacity: bucketCapacity,
            synchronizingBatchNorm: synchronizingBatchNorm)
        self.seed = seed
    }

    /// The number of ranks.
    public var processCount: Int { parallel.communicator.size }

    /// ⌈count / ranks⌉: `DistributedSampler`'s share with padding.
    public func shardLength(count: Int) -> Int { sampler(count: count).samplesPerReplica }

    /// This rank's `DistributedSampler` share of epoch `epoch`.
    public func shard(epoch: Int, count: Int) -> [Int] { sampler(count: count).indices(epoch: epoch) }

    /// Broadcasts the buffers from rank 0.
    public func synchronizeBuffers() {
        ending { try parallel.broadcastBuffers() }
    }

    /// Averages the gradients over the ranks.
    public func synchronizeGradients() {
        ending { try parallel.synchronizeGradients() }
    }

    /// The element-wise sums of `values` over the ranks.
    public func sum(_ values: [Double]) -> [Double] {
        ending { try parallel.communicator.allreduce(Tensor<Double>(values)).scalars }
    }

    /// Rank 0's `value`.
    public func agree(_ value: Double) -> Double {
        ending { try parallel.communicator.broadcast(Tensor<Double>([value]), from: 0).scalars[0] }
    }

    private func sampler(count: Int) -> DistributedSampler {
        ending {
            try DistributedSampler(
                count: count, rank: parallel.communicator.rank, replicas: parallel.communicator.size, seed: seed)
        }
    }

    private func ending<Result>(_ body: () throws -> Result) -> Result {
        do {
            return try body()
        } catch {
            parallel.communicator.abort("\(error)")
        }
    }
}
