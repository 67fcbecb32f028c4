extension Module {
    /// Stops training every parameter of this subtree (PyTorch's `requires_grad_(False)`): its
    /// parameters record no graph, get no gradient (any accumulated one is dropped) and optimizers skip
    /// them. Buffers are unaffected (BatchNorm in training mode still updates its running statistics;
    /// call `eval()` on the subtree to keep them too).
    ///
    /// ```swift
    /// model.backbone.freeze()
    /// let optimizer = try SGD(model.trainableParameters, learningRate: 0.01)
    /// ```
    public func freeze() { for parameter in parameters { parameter.requiresGradient = false } }

    /// Makes every parameter of this subtree trainable again (`requires_grad_(True)`).
    public func unfreeze() { for parameter in parameters { parameter.requiresGradient = true } }

    /// The parameters that require gradients, in `parameters` order: the list to give an optimizer
    /// when part of the model is frozen.
    public var trainableParameters: [Parameter<Scalar>] { parameters.filter(\.requiresGradient) }
}
