import Synchronization

/// Counts the graph nodes alive in the process, so that tests and diagnostics can see that a graph is
/// released after `backward()`.
let liveGradientNodes = Atomic<Int>(0)

/// The last mark handed out to a graph traversal; each traversal takes a new one, so that a node is
/// known as visited by carrying the traversal's mark, without a set of visited nodes.
let lastVisitMark = Atomic<UInt64>(0)

/// One vertex of the reverse-mode graph. A leaf belongs to a tensor that requires gradients and
/// accumulates `grad`; an operation's node holds its inputs' nodes and the closure that maps the gradient
/// of its output to the gradients of its inputs.
package final class GradientNode<Scalar: TensorScalar> {
    /// The nodes of the operation's inputs, aligned with what `backward` returns; nil for inputs that
    /// do not require gradients.
    var inputs: [GradientNode?]
    /// Maps the gradient of the output to the gradients of the inputs; nil for leaves and once released.
    var backward: ((Tensor<Scalar>) -> [Tensor<Scalar>?])?
    /// The operation's name, for messages.
    package let operation: String
    /// The accumulated gradient of a leaf.
    package var grad: Tensor<Scalar>?
    /// The gradient flowing into this node during one backward pass.
    var pending: Tensor<Scalar>?
    /// Set once `backward` has run through this node without retaining the graph.
    var isReleased = false
    /// The mark of the last traversal that reached this node.
    var visitMark: UInt64 = 0
    /// Called on a leaf by `backward()` as soon as that pass has accumulated the leaf's whole gradient,
    /// before the pass goes on to the rest of the graph (data-parallel training starts communicating a
    /// gradient there, overlapping the rest of the backward pass).
    package var gradientReady: (() -> Void)?

    /// A leaf node.
    package init() {
        inputs = []
        backward = nil
        operation = "leaf"
        liveGradientNodes.add(1, ordering: .relaxed)
    }

    /// An operation's node.
    package init(
        _ operation: String, inputs: [GradientNode?], backward: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>?]
    ) {
        self.inputs = inputs
        self.backward = backward
        self.operation = operation
        liveGradientNodes.add(1, ordering: .relaxed)
    }

    deinit { liveGradientNodes.subtract(1, ordering: .relaxed) }

    var isLeaf: Bool { operation == "leaf" }
}

/// Facts about the autograd graph, for diagnostics and tests.
public enum Autograd {
    /// The number of graph nodes alive now (leaves of tensors that require gradients included).
    public static var liveNodeCount: Int { liveGradientNodes.load(ordering: .relaxed) }
}
