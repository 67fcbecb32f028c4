import KindlingPlatform

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
    public func detached() -> Tensor { Tensor(shape: shape, scalars: scalars, node: nil) }

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
        require(
            !root.isReleased,
            "backward(): the graph through '\(root.operation)' was already released by an earlier backward(); pass retainGraph: true to the first call to backward twice"
        )
        let seed: Tensor
        if let upstream {
            require(
                upstream.shape == shape,
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
                    current.grad = Tensor.accumulating(gradient, into: current.grad.take())
                    current.gradientReady?()
                    continue
                }
                guard let backward = current.backward else {
                    failRequirement(
                        "backward(): the graph through '\(current.operation)' was already released by an earlier backward(); pass retainGraph: true to the first call to backward twice"
                    )
                }
                let gradients = backward(gradient)
                for (input, inputGradient) in zip(current.inputs, gradients) {
                    guard let input, let inputGradient else { continue }
                    input.pending = Tensor.accumulating(inputGradient, into: input.pending.take())
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
        // Room for a small graph from the start: each growth of an array is an allocation.
        var order: [GradientNode<Scalar>] = []
        order.reserveCapacity(64)
        var stack: [(GradientNode<Scalar>, Bool)] = []
        stack.reserveCapacity(64)
        stack.append((root, false))
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

    /// `total + gradient` (or `gradient` when there is no total yet), added in place when the total's
    /// storage is not shared (callers hand the total over with `take()`): the gradient of a tensor that
    /// several operations read is summed without a new array per operation. The sums are the same.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func accumulating(_ gradient: Tensor, into total: consuming Tensor?) -> Tensor {
        guard var sum = total.take() else { return gradient }
        guard sum.shape == gradient.shape else { return sum + gradient }
        sum.node = nil
        gradient.scalars.withUnsafeBufferPointer { addend in
            sum.scalars.withUnsafeMutableBufferPointer { sum in
                for i in 0..<sum.count { sum[i] = sum[i] + addend[i] }
            }
        }
        return sum
    }

    /// Attaches an operation's node to `result` when recording is on and any input requires gradients.
    /// `backward` receives the gradient of `result` and returns one gradient (or nil) per input.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package static func record(
        _ operation: String, _ result: Tensor, inputs: [Tensor],
        backward: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        // The usual one to three inputs listed directly: `map` would allocate through a slower path.
        let nodes: [GradientNode<Scalar>?]
        switch inputs.count {
        case 1: nodes = [inputs[0].node]
        case 2: nodes = [inputs[0].node, inputs[1].node]
        case 3: nodes = [inputs[0].node, inputs[1].node, inputs[2].node]
        default: nodes = inputs.map(\.node)
        }
        return record(operation, result, nodes: nodes, backward: backward)
    }

    /// `record` given the inputs' nodes (nil for an input that does not require gradients), for the
    /// most frequent operations: an array of the input tensors themselves costs retains and releases.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package static func record(
        _ operation: String, _ result: Tensor, nodes: [GradientNode<Scalar>?],
        backward: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        var result = result
        result.node = GradientNode(operation, inputs: nodes, backward: backward)
        return result
    }

    /// Whether an operation on these inputs must record its node.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    @inline(__always)
    package static func recording(_ a: Tensor) -> Bool { a.node != nil && GradientMode.isEnabled }

    /// Whether an operation on these inputs must record its node.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    @inline(__always)
    package static func recording(_ a: Tensor, _ b: Tensor) -> Bool {
        (a.node != nil || b.node != nil) && GradientMode.isEnabled
    }

    /// Whether an operation on these inputs must record its node.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package static func recording(_ inputs: [Tensor]) -> Bool {
        inputs.contains { $0.node != nil } && GradientMode.isEnabled
    }
}
