import KindlingCore
import KindlingNN

/// Data-parallel training of `module` over the ranks of a communicator, as PyTorch's
/// `DistributedDataParallel` does it: every rank holds the whole model and trains on its own share of each
/// batch, and the ranks' gradients are averaged before every optimizer step, so that N ranks with batches of
/// B examples make the same updates as one process with batches of N·B (the loss being a mean over the batch).
///
/// - On creation, the ranks check that they hold the same parameters and buffers (names and shapes), and
///   rank 0's values are broadcast to the others.
/// - Each forward pass through `callAsFunction` first broadcasts the buffers (BatchNorm's running statistics)
///   from rank 0, as `broadcast_buffers=True` does; batch statistics stay local to each rank, unless
///   `synchronizingBatchNorm` makes every BatchNorm in training normalize over the union of the ranks' batches
///   (PyTorch's `SyncBatchNorm`): then N ranks with batches of B make the updates and running statistics of
///   one process with batches of N·B even with BatchNorm.
/// - During `backward()`, gradients are gathered into flat buckets of about `bucketCapacity` bytes, in the
///   reverse order of `module.parameters` (the order in which backward usually finishes them); each bucket's
///   allreduce (`MPI_Iallreduce`, gradients divided by the number of ranks first) starts as soon as the last
///   gradient in it is final, overlapping the rest of the backward pass.
/// - `synchronizeGradients()` waits for every bucket and puts the averaged gradients back; call it between
///   `backward()` and the optimizer's `step()`. A parameter that got no gradient on a rank counts as zeros.
///
/// ```swift
/// let parallel = try DataParallel(model, communicator: world)
/// let loss = crossEntropy(try parallel(batch.features), classIndices: batch.labels)
/// loss.backward()
/// try parallel.synchronizeGradients()
/// optimizer.step()
/// optimizer.zeroGradients()
/// ```
public final class DataParallel<Model: Module> where Model.Scalar: DistributedScalar {
    /// The model that every rank trains.
    public let module: Model
    /// The ranks that train it.
    public let communicator: Communicator
    /// The largest size in bytes of one bucket of gradients (a parameter larger than that has a bucket of
    /// its own).
    public let bucketCapacity: Int
    private let buckets: [GradientBucket<Model.Scalar>]
    private var hookError: (any Error)?

    /// Prepares `module` for data-parallel training on `communicator`'s ranks, with gradient buckets of at
    /// most `bucketCapacity` bytes (PyTorch's default, 25 MB); with `synchronizingBatchNorm`, the statistics of
    /// every BatchNorm in training are the joint batch's (`BatchNorm.summingAcrossProcesses`).
    ///
    /// - Throws: `DistributedError` when the ranks' models differ (naming the ranks whose parameters or
    ///   buffers do not match rank 0's), or when a collective fails.
    public init(
        _ module: Model, communicator: Communicator, bucketCapacity: Int = 25 * 1024 * 1024,
        synchronizingBatchNorm: Bool = false
    ) throws {
        guard bucketCapacity > 0 else {
            throw DistributedError("DataParallel: the bucket capacity must be positive, got \(bucketCapacity)")
        }
        self.module = module
        self.communicator = communicator
        self.bucketCapacity = bucketCapacity
        try DataParallel.requireSameModel(module, on: communicator)
        for parameter in module.parameters {
            parameter.value = try communicator.broadcast(parameter.value, from: 0)
        }
        try DataParallel.broadcastBuffers(of: module, on: communicator)
        if synchronizingBatchNorm {
            for case let normalization as BatchNorm<Model.Scalar> in module.namedModules.map(\.module) {
                normalization.summingAcrossProcesses = { values in
                    do {
                        return try communicator.allreduce(Tensor(values)).scalars
                    } catch {
                        communicator.abort("synchronized batch normalization: \(error)")
                    }
                }
            }
        }
        buckets = DataParallel.buckets(
            for: module.parameters.reversed().filter(\.requiresGradient), capacity: bucketCapacity)
        for bucket in buckets {
            for (slot, parameter) in bucket.parameters.enumerated() {
                parameter.whenGradientReady { [weak self, weak bucket] in
                    guard let self, let bucket else { return }
                    self.gradientReady(slot, in: bucket)
                }
            }
        }
    }

    deinit {
        for case let normalization as BatchNorm<Model.Scalar> in module.namedModules.map(\.module) {
            normalization.summingAcrossProcesses = nil
        }
        for bucket in buckets {
            for parameter in bucket.parameters { parameter.whenGradientReady(nil) }
        }
    }

    /// The module's output for `input`, after rank 0's buffers have been broadcast to every rank.
    public func callAsFunction(_ input: Tensor<Model.Scalar>) throws -> Tensor<Model.Scalar> {
        try broadcastBuffers()
        return module(input)
    }

    /// Gives every rank rank 0's buffers (BatchNorm's running statistics).
    public func broadcastBuffers() throws {
        try DataParallel.broadcastBuffers(of: module, on: communicator)
    }

    /// Waits for every bucket's allreduce (starting those whose parameters the backward pass did not reach)
    /// and gives each parameter the gradient averaged over the ranks.
    public func synchronizeGradients() throws {
        if let hookError {
            self.hookError = nil
            throw hookError
        }
        for bucket in buckets {
            try bucket.startRemaining(ranks: communicator.size, on: communicator)
        }
        var requests = buckets.map(\.request)
        try communicator.wait(for: &requests)
        for bucket in buckets { bucket.finish() }
    }

    /// The buckets in order: consecutive parameters until the next one would pass `capacity` bytes.
    private static func buckets(
        for parameters: [Parameter<Model.Scalar>], capacity: Int
    ) -> [GradientBucket<Model.Scalar>] {
        var groups: [[Parameter<Model.Scalar>]] = []
        var current: [Parameter<Model.Scalar>] = []
        var bytes = 0
        for parameter in parameters {
            let size = parameter.shape.reduce(1, *) * MemoryLayout<Model.Scalar>.stride
            if !current.isEmpty && bytes + size > capacity {
                groups.append(current)
                current = []
                bytes = 0
            }
            current.append(parameter)
            bytes += size
        }
        if !current.isEmpty { groups.append(current) }
        return groups.map(GradientBucket.init)
    }

    /// Copies a finished gradient into its bucket and lets MPI advance the buckets already sent. A failure
    /// is kept for `synchronizeGradients()` to throw (the backward pass cannot).
    private func gradientReady(_ slot: Int, in bucket: GradientBucket<Model.Scalar>) {
        guard hookError == nil else { return }
        do {
            try bucket.gradientReady(slot, ranks: communicator.size, on: communicator)
            for other in buckets where other !== bucket { try other.progress(on: communicator) }
        } catch {
            hookError = error
        }
    }

    /// Throws unless every rank's module has the same parameter and buffer names and shapes as rank 0's.
    private static func requireSameModel(_ module: Model, on communicator: Communicator) throws {
        var description = ""
        for (name, parameter) in module.namedParameters { description += "p \(name) \(parameter.shape);" }
        for (name, buffer) in module.namedBuffers { description += "b \(name) \(buffer.value.shape);" }
        let fingerprints = try communicator.allgather(fingerprint(description))
        let differing = fingerprints.indices.filter { fingerprints[$0] != fingerprints[0] }
        guard differing.isEmpty else {
            throw DistributedError(
                "rank \(communicator.rank): the model on rank\(differing.count == 1 ? "" : "s") \(differing.map(String.init).joined(separator: ", ")) differs from rank 0's (parameter or buffer names or shapes)"
            )
        }
    }

    private static func broadcastBuffers(of module: Model, on communicator: Communicator) throws {
        guard communicator.size > 1 else { return }
        for buffer in module.namedBuffers.map(\.buffer) {
            buffer.value = try communicator.broadcast(buffer.value, from: 0)
        }
    }

    /// FNV-1a, 64 bits, of the UTF-8 bytes of `text`.
    private static func fingerprint(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
