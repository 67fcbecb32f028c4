import Foundation
import Kindling
import KindlingDistributed
import Synchronization

/// `kindling train` started by `mpirun -np N` or Slurm's `srun`: one model trained data-parallel by every
/// rank (`DataParallelTraining`), each on its shard of every epoch in batches of `--batch-size`. Rank 0 prints,
/// reports and saves; the other ranks' standard output is discarded and they write no file. OpenBLAS gets
/// the machine's cores divided among the ranks on it unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS is set.
/// An error on any rank ends the whole job with a message naming the rank.
enum DataParallelRun {
    /// The job's communicator when MPI started this process, else nil. The first call joins the job.
    static func communicator() throws -> Communicator? {
        guard Communicator.isLaunchedByMPI else { return nil }
        let world = try Communicator.world()
        let first = prepared.withLock { done in
            defer { done = true }
            return !done
        }
        if first {
            world.shareCoresAmongRanks()
            if world.rank != 0 {
                let discard = open("/dev/null", O_WRONLY)
                dup2(discard, STDOUT_FILENO)
                close(discard)
            }
        }
        return world
    }

    /// Whether this process prints and writes files: the only process, or rank 0 of an MPI job.
    static var isPrimary: Bool { (try? communicator())??.rank ?? 0 == 0 }

    /// Runs `body`; under MPI, an error it throws ends every rank with the error's message and this rank's
    /// number instead of returning.
    static func run(_ body: () throws -> Void) throws {
        guard let world = try communicator() else { return try body() }
        do {
            try body()
        } catch {
            world.abort("\(error)")
        }
    }

    /// Data-parallel training of `network` over `world`'s ranks, every epoch's shard shuffled from `seed`, its
    /// BatchNorm layers normalizing over the joint batch when `synchronizingBatchNorm`.
    static func distribution<Scalar: TensorScalar>(
        for network: Sequential<Scalar>, on world: Communicator, seed: UInt32, synchronizingBatchNorm: Bool
    ) throws -> any TrainingDistribution {
        try DataParallelDistributor(communicator: world, synchronizingBatchNorm: synchronizingBatchNorm)
            .distribution(for: network, seed: seed)
    }

    private static let prepared = Mutex(false)
}
