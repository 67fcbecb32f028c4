extension Tensor {
    /// True when this tensor is a leaf that requires gradients or was computed from one.
    public var requiresGradient: Bool { node != nil }

    /// A copy of this tensor that is a new leaf of the graph: operations on it are recorded and
    /// `backward()` accumulates into its `grad`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func requiringGradient() -> Tensor {
        Tensor(shape: shape, scalars: scalars, node: GradientNode())
    }

    /// The same values, cut from the graph (`tensor.detach()`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func detached() -> Tensor { Tensor(shape: shape, scalars: scalars) }

    /// The gradient accumulated into this leaf by `backward()` calls; nil before the first one and for
    /// tensors that are not leaves.
    public var grad: Tensor? {
        get { node?.grad }
        nonmutating set {
            require(node?.isLeaf == true, "grad: can be set only on a leaf tensor that requires gradients")
            node?.grad = newValue
        }
    }

    /// Whether this tensor is a leaf (created by the user, not computed by an operation).
    public var isLeaf: Bool { node?.isLeaf ?? true }

    /// Computes the gradient of this tensor with respect to every leaf it was computed from, and adds it
    /// to the leaves' `grad` (as `torch.Tensor.backward`: gradients accumulate; zeroing is explicit).
    ///
    /// - Parameters:
    ///   - upstream: the gradient of some final value with respect to this tensor; may be omitted only
    ///     for a tensor with one element (it is then 1).
    ///   - retainGraph: keep the graph so that `backward` can run through it again; by default the graph
    ///     is released, and a second pass through it stops with a message.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ upstream: Tensor? = nil, retainGraph: Bool = false) {
        guard let root = node else {
            failRequirement("backward(): this tensor does not require gradients (no leaf it depends on requires them)")
        }
        require(!root.isReleased,
                     "backward(): the graph through '\(root.operation)' was already released by an earlier backward(); pass retainGraph: true to the first call to backward twice")
        let seed: Tensor
        if let upstream {
            require(upstream.shape == shape,
                         "backward(): the upstream gradient has shape \(upstream.shape), the tensor \(shape)")
            seed = upstream.detached()
        } else {
            require(count == 1, "backward(): a tensor of shape \(shape) needs an explicit upstream gradient")
            seed = Tensor(repeating: 1, shape: shape)
        }
        withoutGradient {
            let order = Tensor.topologicalOrder(from: root)
            root.pending = seed
            for current in order.reversed() {
                guard let gradient = current.pending else { continue }
                current.pending = nil
                if current.isLeaf {
                    current.grad = current.grad.map { $0 + gradient } ?? gradient
                    continue
                }
                guard let backward = current.backward else {
                    failRequirement("backward(): the graph through '\(current.operation)' was already released by an earlier backward(); pass retainGraph: true to the first call to backward twice")
                }
                let gradients = backward(gradient)
                for (input, inputGradient) in zip(current.inputs, gradients) {
                    guard let input, let inputGradient else { continue }
                    input.pending = input.pending.map { $0 + inputGradient } ?? inputGradient
                }
                if !retainGraph {
                    current.backward = nil
                    current.inputs = []
                    current.isReleased = true
                }
            }
        }
    }

    /// Nodes reachable from `root`, each after all the nodes it depends on (inputs first).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func topologicalOrder(from root: GradientNode<Scalar>) -> [GradientNode<Scalar>] {
        let mark = lastVisitMark.wrappingAdd(1, ordering: .relaxed).newValue
        var order: [GradientNode<Scalar>] = []
        var stack: [(GradientNode<Scalar>, Bool)] = [(root, false)]
        while let (current, expanded) = stack.popLast() {
            if expanded {
                order.append(current)
                continue
            }
            guard current.visitMark != mark else { continue }
            current.visitMark = mark
            stack.append((current, true))
            for case let input? in current.inputs where input.visitMark != mark {
                stack.append((input, false))
            }
        }
        return order
    }

    /// Attaches an operation's node to `result` when recording is on and any input requires gradients.
    /// `backward` receives the gradient of `result` and returns one gradient (or nil) per input.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func record(
        _ operation: String, _ result: Tensor, inputs: [Tensor],
        backward: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        var result = result
        result.node = GradientNode(operation, inputs: inputs.map(\.node), backward: backward)
        return result
    }

    /// Whether an operation on these inputs must record its node.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    @inline(__always)
    static func recording(_ a: Tensor) -> Bool { a.node != nil && GradientMode.isEnabled }

    /// Whether an operation on these inputs must record its node.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    @inline(__always)
    static func recording(_ a: Tensor, _ b: Tensor) -> Bool {
        (a.node != nil || b.node != nil) && GradientMode.isEnabled
    }

    /// Whether an operation on these inputs must record its node.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func recording(_ inputs: [Tensor]) -> Bool {
        inputs.contains { $0.node != nil } && GradientMode.isEnabled
    }
}
