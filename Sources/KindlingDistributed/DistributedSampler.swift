import KindlingCore

/// Which examples each rank trains on in an epoch, with the semantics of PyTorch's
/// `torch.utils.data.DistributedSampler`: every epoch, the same ordering of the examples on every rank
/// (shuffled or not), extended by repeating its first indices until it divides evenly among the ranks (or cut
/// to a multiple of the number of ranks with `dropLast`), and rank r taking the positions r, r + R, r + 2R, …
/// So the ranks' shares are disjoint apart from the padding, and equally long.
///
/// The shuffle is `numpy.random.RandomState(seed + epoch).permutation(count)` (Kindling's generator), where
/// PyTorch draws `torch.randperm` from a generator seeded with `seed + epoch`: the same rule with numpy's
/// random numbers.
public struct DistributedSampler: Sendable {
    /// The number of examples in the data set.
    public let count: Int
    /// This process's rank.
    public let rank: Int
    /// The number of ranks sharing the examples.
    public let replicas: Int
    /// Whether each epoch's order is a seeded shuffle (else 0, 1, 2, …).
    public let shuffle: Bool
    /// The seed of the shuffle, the same on every rank; epoch e shuffles with seed + e.
    public let seed: UInt32
    /// Whether the examples that do not divide evenly are left out instead of padded.
    public let dropLast: Bool

    /// A sampler of `count` examples for `rank` of `replicas` ranks.
    public init(
        count: Int, rank: Int, replicas: Int, shuffle: Bool = true, seed: UInt32 = 0, dropLast: Bool = false
    ) throws {
        guard count >= 0, replicas > 0, (0..<replicas).contains(rank) else {
            throw DistributedError(
                "DistributedSampler: needs 0 <= rank < replicas and count >= 0, got rank \(rank), \(replicas) replicas, \(count) examples"
            )
        }
        self.count = count
        self.rank = rank
        self.replicas = replicas
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
    }

    /// The number of examples each rank gets per epoch: ⌈count / replicas⌉, or ⌊count / replicas⌋ with
    /// `dropLast`.
    public var samplesPerReplica: Int { dropLast ? count / replicas : (count + replicas - 1) / replicas }

    /// This rank's examples in epoch `epoch`, in the order it trains on them.
    public func indices(epoch: Int) -> [Int] {
        var order: [Int]
        if shuffle {
            order = RandomGenerator(seed: seed &+ UInt32(truncatingIfNeeded: epoch)).permutation(count)
        } else {
            order = Array(0..<count)
        }
        let total = samplesPerReplica * replicas
        if total > order.count, !order.isEmpty {
            let original = order
            while order.count < total { order += original.prefix(total - order.count) }
        } else {
            order = Array(order.prefix(total))
        }
        return Swift.stride(from: rank, to: total, by: replicas).map { order[$0] }
    }
}
