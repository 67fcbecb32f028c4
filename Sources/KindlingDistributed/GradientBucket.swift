import CMPI
import KindlingCore
import KindlingNN

/// A group of parameters whose gradients travel together in one flat buffer: each gradient is copied in,
/// divided by the number of ranks, as soon as the backward pass has finished it, and the buffer's in-place
/// allreduce starts once the last of them has arrived (PyTorch's `Reducer` buckets).
final class GradientBucket<Scalar: DistributedScalar> {
    let parameters: [Parameter<Scalar>]
    private let offsets: [Int]
    private let buffer: UnsafeMutablePointer<Scalar>
    private let count: Int
    private var isReady: [Bool]
    private var readyCount = 0
    /// The started allreduce, until `finish()`.
    private(set) var request: MPI_Request?
    private var started = false

    /// A bucket for `parameters`, laid out one after the other.
    init(_ parameters: [Parameter<Scalar>]) {
        self.parameters = parameters
        var offsets: [Int] = []
        var total = 0
        for parameter in parameters {
            offsets.append(total)
            total += parameter.shape.reduce(1, *)
        }
        self.offsets = offsets
        count = total
        buffer = .allocate(capacity: max(total, 1))
        isReady = Array(repeating: false, count: parameters.count)
    }

    deinit { buffer.deallocate() }

    /// Copies parameter `slot`'s gradient, divided by `ranks`, into the buffer (zeros when it has none), and
    /// starts the allreduce when it was the last one missing. A second call for the same slot before
    /// `finish` is refused: the bucket would send a gradient that is still changing.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func gradientReady(_ slot: Int, ranks: Int, on communicator: Communicator) throws {
        guard !isReady[slot] else {
            throw DistributedError(
                "rank \(communicator.rank): a parameter's gradient was accumulated twice before synchronizeGradients(); call backward() once per step under DataParallel"
            )
        }
        isReady[slot] = true
        readyCount += 1
        let destination = buffer + offsets[slot]
        let size = parameters[slot].shape.reduce(1, *)
        if let gradient = parameters[slot].grad {
            let divisor = Scalar(ranks)
            gradient.withUnsafeBufferPointer { source in
                for i in 0..<size { destination[i] = source[i] / divisor }
            }
        } else {
            destination.update(repeating: 0, count: size)
        }
        if readyCount == parameters.count {
            request = try communicator.startAllreduce(buffer, count: count)
            started = true
        }
    }

    /// Lets MPI advance a started allreduce.
    func progress(on communicator: Communicator) throws {
        guard started else { return }
        _ = try communicator.test(&request)
    }

    /// Marks every parameter that the backward pass did not reach as ready (its current gradient, or zeros),
    /// which starts the allreduce if it had not started.
    func startRemaining(ranks: Int, on communicator: Communicator) throws {
        for slot in parameters.indices where !isReady[slot] {
            try gradientReady(slot, ranks: ranks, on: communicator)
        }
    }

    /// After the allreduce has completed: gives each parameter the averaged gradient and makes the bucket
    /// ready for the next step.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func finish() {
        for (slot, parameter) in parameters.enumerated() {
            let size = parameter.shape.reduce(1, *)
            let averaged = Array(UnsafeBufferPointer(start: buffer + offsets[slot], count: size))
            parameter.grad = Tensor(shape: parameter.shape, scalars: averaged)
        }
        isReady = Array(repeating: false, count: parameters.count)
        readyCount = 0
        request = nil
        started = false
    }
}
