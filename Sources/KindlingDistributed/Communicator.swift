import CLinearAlgebra
import CMPI
import Foundation
import KindlingCore
import Synchronization

/// The processes of one MPI job (`MPI_COMM_WORLD`): each process's rank, their number, and the collective
/// operations on tensors that data-parallel training needs.
///
/// MPI is initialized once per process, by the first `Communicator.world()`, with `MPI_Init_thread` at
/// `MPI_THREAD_FUNNELED`: only the thread that created the communicator may call it. Errors come back as
/// return codes (`MPI_ERRORS_RETURN`) and are thrown as `DistributedError` naming this rank; `abort(_:)` ends
/// every rank of the job. MPI is finalized when the process exits.
///
/// ```swift
/// let world = try Communicator.world()
/// let total = try world.allreduce(Tensor<Double>([Double(world.rank)]))  // 0 + 1 + ... + (size - 1)
/// ```
public final class Communicator {
    /// This process's rank, 0..<size.
    public let rank: Int
    /// The number of processes in the job.
    public let size: Int
    /// The number of ranks of this job on this process's machine (`MPI_COMM_TYPE_SHARED`).
    public let ranksOnThisMachine: Int
    private let communicator: MPI_Comm

    private static let world = Mutex<Result<Communicator, DistributedError>?>(nil)

    /// True when this process was started by an MPI launcher (`mpirun`/`mpiexec` of Open MPI, or Slurm's
    /// `srun` with PMI or PMIx), read from the environment variables they set.
    public static var isLaunchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// The communicator of every process of the job, initializing MPI on the first call. The first call also
    /// waits for every rank at a barrier, for at most `firstContact` seconds: a rank that never arrives (its
    /// machine failed, it stopped before reaching this point) ends the job with an error instead of a hang.
    public static func world(firstContact timeout: Double = 60) throws -> Communicator {
        try world.withLock { state in
            if let state { return try state.get() }
            let result = Result { try Communicator(firstContactTimeout: timeout) }.mapError {
                $0 as? DistributedError ?? DistributedError("\($0)")
            }
            state = result
            return try result.get()
        }
    }

    private init(firstContactTimeout: Double) throws {
        var provided: Int32 = 0
        let initialized = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        guard initialized == MPI_SUCCESS else {
            throw DistributedError("MPI_Init_thread failed: \(Communicator.message(for: initialized))")
        }
        atexit {
            var finalized: Int32 = 0
            MPI_Finalized(&finalized)
            if finalized == 0 { MPI_Finalize() }
        }
        communicator = kindling_mpi_comm_world()
        MPI_Comm_set_errhandler(communicator, kindling_mpi_errors_return())
        var rank: Int32 = 0
        var size: Int32 = 0
        MPI_Comm_rank(communicator, &rank)
        MPI_Comm_size(communicator, &size)
        self.rank = Int(rank)
        self.size = Int(size)
        var local = kindling_mpi_comm_world()
        var localSize: Int32 = 1
        if MPI_Comm_split_type(communicator, Int32(MPI_COMM_TYPE_SHARED), rank, kindling_mpi_info_null(), &local)
            == MPI_SUCCESS
        {
            MPI_Comm_size(local, &localSize)
            MPI_Comm_free(&local)
        }
        ranksOnThisMachine = Int(localSize)
        guard provided >= Int32(MPI_THREAD_FUNNELED) else {
            throw DistributedError("rank \(rank): this MPI library does not support MPI_THREAD_FUNNELED")
        }
        try barrier(timeout: firstContactTimeout)
    }

    /// Waits until every rank has reached this barrier.
    public func barrier() throws {
        try check(MPI_Barrier(communicator), "barrier")
    }

    /// Waits until every rank has reached this barrier, for at most `timeout` seconds; throws when some rank
    /// has not arrived by then.
    public func barrier(timeout: Double) throws {
        var request: MPI_Request? = kindling_mpi_request_null()
        try check(MPI_Ibarrier(communicator, &request), "barrier")
        let deadline = Date().addingTimeInterval(timeout)
        var done: Int32 = 0
        while true {
            try check(MPI_Test(&request, &done, kindling_mpi_status_ignore()), "barrier")
            if done != 0 { return }
            guard Date() < deadline else {
                throw DistributedError(
                    "rank \(rank): the other ranks did not reach the first barrier within \(timeout) s (one of them failed or never started)"
                )
            }
            usleep(1000)
        }
    }

    /// `tensor` as rank `root` holds it, on every rank (`MPI_Bcast`). Every rank passes a tensor of the same
    /// shape; only the root's values are read.
    public func broadcast<Scalar: DistributedScalar>(
        _ tensor: Tensor<Scalar>, from root: Int = 0
    ) throws -> Tensor<Scalar> {
        try requireRank(root, "broadcast")
        var result = tensor.detached()
        try result.withUnsafeMutableBufferPointer { buffer in
            try check(
                MPI_Bcast(
                    buffer.baseAddress, try messageCount(buffer.count), Scalar.messageType, Int32(root), communicator),
                "broadcast")
        }
        return result
    }

    /// The elementwise sum (or `operation`) of `tensor` over every rank, on every rank (`MPI_Allreduce`).
    /// Every rank passes a tensor of the same shape.
    public func allreduce<Scalar: DistributedScalar>(
        _ tensor: Tensor<Scalar>, _ operation: ReductionOperation = .sum
    ) throws -> Tensor<Scalar> {
        var result = tensor.detached()
        try result.withUnsafeMutableBufferPointer { buffer in
            try check(
                MPI_Allreduce(
                    kindling_mpi_in_place(), buffer.baseAddress, try messageCount(buffer.count), Scalar.messageType,
                    operation.handle, communicator),
                "allreduce")
        }
        return result
    }

    /// Every rank's `tensor`, stacked along a new first axis in rank order (`MPI_Allgather`), on every rank.
    /// Every rank passes a tensor of the same shape.
    public func allgather<Scalar: DistributedScalar>(_ tensor: Tensor<Scalar>) throws -> Tensor<Scalar> {
        var gathered = [Scalar](repeating: 0, count: tensor.count * size)
        let count = try messageCount(tensor.count)
        try tensor.withUnsafeBufferPointer { sent in
            try gathered.withUnsafeMutableBufferPointer { received in
                try check(
                    MPI_Allgather(
                        sent.baseAddress, count, Scalar.messageType, received.baseAddress, count, Scalar.messageType,
                        communicator),
                    "allgather")
            }
        }
        return Tensor(shape: [size] + tensor.shape, scalars: gathered)
    }

    /// Every rank's `value`, in rank order, on every rank.
    package func allgather(_ value: UInt64) throws -> [UInt64] {
        var sent = value
        var gathered = [UInt64](repeating: 0, count: size)
        try gathered.withUnsafeMutableBufferPointer { received in
            try check(
                MPI_Allgather(
                    &sent, 1, kindling_mpi_uint64(), received.baseAddress, 1, kindling_mpi_uint64(), communicator),
                "allgather")
        }
        return gathered
    }

    /// Starts summing `count` elements at `buffer` over every rank in place (`MPI_Iallreduce` with
    /// `MPI_IN_PLACE`); `wait(for:)` completes it. The buffer must stay allocated until then.
    package func startAllreduce<Scalar: DistributedScalar>(
        _ buffer: UnsafeMutablePointer<Scalar>, count: Int
    ) throws -> MPI_Request? {
        var request: MPI_Request? = kindling_mpi_request_null()
        try check(
            MPI_Iallreduce(
                kindling_mpi_in_place(), buffer, try messageCount(count), Scalar.messageType, kindling_mpi_sum(),
                communicator, &request),
            "allreduce")
        return request
    }

    /// Lets MPI advance `request` without waiting; true when it has completed.
    package func test(_ request: inout MPI_Request?) throws -> Bool {
        var done: Int32 = 0
        try check(MPI_Test(&request, &done, kindling_mpi_status_ignore()), "allreduce")
        return done != 0
    }

    /// Waits until every request has completed.
    package func wait(for requests: inout [MPI_Request?]) throws {
        guard !requests.isEmpty else { return }
        try check(MPI_Waitall(Int32(requests.count), &requests, kindling_mpi_statuses_ignore()), "allreduce")
    }

    /// Prints `rank R: message` on standard error and ends every rank of the job with exit status `status`
    /// (`MPI_Abort`).
    /// A message that already starts with `rank R: ` (as `DistributedError`s do) keeps only one such prefix.
    public func abort(_ message: String, status: Int32 = 1) -> Never {
        let ownPrefix = "rank \(rank): "
        let text = message.hasPrefix(ownPrefix) ? String(message.dropFirst(ownPrefix.count)) : message
        FileHandle.standardError.write(Data("kindling: rank \(rank) of \(size): \(text)\n".utf8))
        MPI_Abort(communicator, status)
        exit(status)
    }

    /// Sets OpenBLAS's threads to this machine's cores divided among the ranks on it (at least one), unless
    /// the user chose a number with `OPENBLAS_NUM_THREADS` or `OMP_NUM_THREADS`. Returns the number in use.
    @discardableResult
    public func shareCoresAmongRanks() -> Int {
        let environment = ProcessInfo.processInfo.environment
        if environment["OPENBLAS_NUM_THREADS"] == nil && environment["OMP_NUM_THREADS"] == nil {
            let cores = ProcessInfo.processInfo.activeProcessorCount
            openblas_set_num_threads(Int32(max(1, cores / max(1, ranksOnThisMachine))))
        }
        return Int(openblas_get_num_threads())
    }

    private func check(_ code: Int32, _ operation: String) throws {
        guard code != MPI_SUCCESS else { return }
        throw DistributedError("rank \(rank): \(operation) failed: \(Communicator.message(for: code))")
    }

    private func requireRank(_ root: Int, _ operation: String) throws {
        guard (0..<size).contains(root) else {
            throw DistributedError("\(operation): rank \(root) does not exist in a job of \(size) ranks")
        }
    }

    private func messageCount(_ count: Int) throws -> Int32 {
        guard let small = Int32(exactly: count) else {
            throw DistributedError("rank \(rank): \(count) elements exceed what one MPI message counts (2³¹ - 1)")
        }
        return small
    }

    private static func message(for code: Int32) -> String {
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        return String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// How `Communicator.allreduce` combines the ranks' elements.
public enum ReductionOperation: Sendable {
    /// The sum (`MPI_SUM`).
    case sum
    /// The largest (`MPI_MAX`).
    case maximum
    /// The smallest (`MPI_MIN`).
    case minimum

    var handle: MPI_Op {
        switch self {
        case .sum: kindling_mpi_sum()
        case .maximum: kindling_mpi_max()
        case .minimum: kindling_mpi_min()
        }
    }
}
