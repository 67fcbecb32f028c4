import KindlingCore
import KindlingPlatform

/// A trainable tensor owned by a module. It is a class because it has identity: the optimizer updates
/// the very parameter that the model holds, and `grad` accumulates on it across `backward()` calls.
public final class Parameter<Scalar: TensorScalar> {
    private var storage: Tensor<Scalar>
    private var leaf: GradientNode<Scalar>?

    /// A parameter holding `value` (its gradient tracking is this parameter's own).
    public init(_ value: Tensor<Scalar>, requiresGradient: Bool = true) {
        storage = value.detached()
        leaf = requiresGradient ? GradientNode() : nil
    }

    /// The current value, as a leaf of the graph when the parameter requires gradients. Assigning keeps
    /// the parameter's identity and gradient; the shape may not change.
    public var value: Tensor<Scalar> {
        get { Tensor(shape: storage.shape, scalars: storage.scalars, node: leaf) }
        set {
            require(
                newValue.shape == storage.shape,
                "Parameter: cannot assign a value of shape \(newValue.shape) to a parameter of shape \(storage.shape)")
            storage = newValue.detached()
        }
    }

    /// The shape of the value.
    public var shape: [Int] { storage.shape }

    /// The gradient accumulated by `backward()`; nil until the first one, and after `zeroGradient()`.
    public var grad: Tensor<Scalar>? {
        get { leaf?.grad }
        set { leaf?.grad = newValue }
    }

    /// False for a frozen parameter: it records no graph, gets no gradient, and optimizers skip it.
    public var requiresGradient: Bool {
        get { leaf != nil }
        set { leaf = newValue ? (leaf ?? GradientNode()) : nil }
    }

    /// Calls `action` whenever a `backward()` pass has accumulated this parameter's gradient for that pass
    /// (nil removes it); a parameter that does not require gradients never calls it.
    package func whenGradientReady(_ action: (() -> Void)?) { leaf?.gradientReady = action }

    /// Forgets the accumulated gradient.
    public func zeroGradient() { leaf?.grad = nil }

    /// Writes the value's elements in place (for optimizers and initializers; not recorded).
    public func updateInPlace(_ body: (inout UnsafeMutableBufferPointer<Scalar>) -> Void) {
        storage.withUnsafeMutableBufferPointer(body)
    }
}

/// A non-trainable tensor that belongs to a module's state, such as BatchNorm's running statistics.
public final class Buffer<Scalar: TensorScalar> {
    /// The current value.
    public var value: Tensor<Scalar>
    /// True for a counter (BatchNorm's `num_batches_tracked`): its values are whole numbers, saved as
    /// 64-bit integers (I64) as PyTorch stores them.
    public let isInteger: Bool

    /// A buffer holding `value`; `isInteger` marks a counter that files store as I64.
    public init(_ value: Tensor<Scalar>, isInteger: Bool = false) {
        self.value = value.detached()
        self.isInteger = isInteger
    }
}
