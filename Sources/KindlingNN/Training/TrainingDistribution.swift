/// How one training run shares its work with copies of itself in other processes (data-parallel training;
/// KindlingDistributed's `DataParallelTraining` over MPI). `fit` calls it at fixed points; every process
/// runs the same program and makes the same calls in the same order. The calls cannot fail: an
/// implementation ends every process with a message when communication does.
public protocol TrainingDistribution: AnyObject {
    /// The number of processes that train together.
    var processCount: Int { get }
    /// The number of examples this process trains on per epoch, out of a data set of `count`; the same on
    /// every process.
    func shardLength(count: Int) -> Int
    /// This process's examples in epoch `epoch` (counted from 0) of a data set of `count`, in training order.
    func shard(epoch: Int, count: Int) -> [Int]
    /// Before each forward pass and each evaluation: makes the model's buffers equal on every process.
    func synchronizeBuffers()
    /// After each backward pass, before the update: averages the gradients over the processes.
    func synchronizeGradients()
    /// The element-wise sums of `values` over the processes (every process passes as many).
    func sum(_ values: [Double]) -> [Double]
    /// The first process's `value`, on every process (so that decisions taken from it agree).
    func agree(_ value: Double) -> Double
}

extension TrainingDistribution {
    /// The sum of `value` over the processes.
    public func sum(_ value: Double) -> Double { sum([value])[0] }
}

/// Makes the `TrainingDistribution` of each training run of a program that trains several models one after
/// another (compare-init's initializations, say), every process making the same calls in the same order.
/// KindlingDistributed's `DataParallelDistributor` trains each model data-parallel over MPI.
public protocol TrainingDistributor {
    /// The distribution that trains `model`, every epoch's shard shuffled from `seed`; it makes the model
    /// equal on every process first.
    func distribution<Model: Module>(for model: Model, seed: UInt32) throws -> any TrainingDistribution
}
