import KindlingCore

/// Per-parameter optimizer state (a momentum buffer, Adam's moments): memory allocated once, on the
/// parameter's first update, and written in place at every step after that.
final class StateBuffer<Scalar: TensorScalar> {
    /// The elements.
    let elements: UnsafeMutableBufferPointer<Scalar>

    /// A buffer of `count` zeros.
    init(zeros count: Int) {
        elements = .allocate(capacity: count)
        elements.initialize(repeating: 0)
    }

    deinit { elements.deallocate() }
}
