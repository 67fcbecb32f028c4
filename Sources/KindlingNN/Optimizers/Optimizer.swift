import KindlingCore
import KindlingPlatform

/// An optimizer updates the very parameters a model holds, in place, from their accumulated gradients.
///
/// Its parameters come in groups (`torch.optim`'s `param_groups`), each of which may override the
/// optimizer's learning rate and weight decay; a plain parameter list is one group without overrides.
///
/// ```swift
/// let optimizer = try SGD(model.parameters, learningRate: 0.01, momentum: 0.9)
/// for _ in 0..<100 {
///     optimizer.zeroGradients()
///     let loss = ((model(x) - y) * (model(x) - y)).mean()
///     loss.backward()
///     optimizer.step()
/// }
/// ```
public protocol Optimizer<Scalar>: AnyObject {
    /// The element type of the parameters.
    associatedtype Scalar: TensorScalar
    /// The parameters it updates, group after group (frozen ones are skipped at each step).
    var parameters: [Parameter<Scalar>] { get }
    /// The groups of parameters with their overrides. Their learning rates and weight decays may be
    /// changed (schedules do); their parameters may not. An optimizer without groups of its own gets
    /// one group of all its parameters (see the extension).
    var parameterGroups: [ParameterGroup<Scalar>] { get set }
    /// The step size of every group that does not set its own; assigning it takes effect at the next step.
    var learningRate: Double { get set }
    /// The weight decay of every group that does not set its own (0 unless the optimizer has one).
    var weightDecay: Double { get }
    /// One update of every parameter that requires gradients and has one; the others are left alone
    /// and their optimizer state does not advance.
    func step()
}

/// Parameters that an optimizer updates with their own learning rate and weight decay (one entry of
/// `torch.optim`'s `param_groups`); a nil setting is the optimizer's.
///
/// ```swift
/// let optimizer = try AdamW([ParameterGroup(model.conv1.parameters, learningRate: 1e-4),
///                            ParameterGroup(model.fc.parameters)], learningRate: 1e-3)
/// ```
public struct ParameterGroup<Scalar: TensorScalar> {
    /// The parameters of the group.
    public let parameters: [Parameter<Scalar>]
    /// The group's learning rate, or nil for the optimizer's (checked when the optimizer is made; a
    /// schedule may set any value, as PyTorch's do).
    public var learningRate: Double?
    /// The group's weight decay, or nil for the optimizer's.
    public var weightDecay: Double?

    /// A group of `parameters` with optional overrides of the optimizer's settings.
    public init(_ parameters: [Parameter<Scalar>], learningRate: Double? = nil, weightDecay: Double? = nil) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}

extension Optimizer {
    /// One group of every parameter, without overrides; a learning rate assigned to it becomes the
    /// optimizer's `learningRate` (so that schedules drive optimizers written without groups).
    public var parameterGroups: [ParameterGroup<Scalar>] {
        get { [ParameterGroup(parameters)] }
        set {
            require(
                newValue.count == 1 && newValue[0].weightDecay == nil,
                "optimizer: \(Self.self) has one parameter group, without a weight decay of its own")
            if let rate = newValue[0].learningRate { learningRate = rate }
        }
    }

    /// No weight decay, for optimizers without one.
    public var weightDecay: Double { 0 }

    /// Forgets every parameter's gradient (`optimizer.zero_grad(set_to_none=True)`).
    public func zeroGradients() { for parameter in parameters { parameter.zeroGradient() } }

    /// The learning rate that group `index` steps with: its own, else the optimizer's.
    public func learningRate(ofGroup index: Int) -> Double { parameterGroups[index].learningRate ?? learningRate }

    /// The weight decay that group `index` steps with: its own, else the optimizer's.
    public func weightDecay(ofGroup index: Int) -> Double { parameterGroups[index].weightDecay ?? weightDecay }
}

extension Module {
    /// The model's parameters in two groups for weight decay as it is usually applied: the weights of
    /// two or more dimensions (Linear, Conv2d) decay by `weightDecay`; biases and every one-dimensional
    /// parameter (BatchNorm and other normalization weights) do not decay (timm's
    /// `param_groups_weight_decay`: `ndim <= 1 or name.endswith(".bias")`). Either group may be empty.
    ///
    /// ```swift
    /// let optimizer = try AdamW(model.weightDecayGroups(weightDecay: 0.05), learningRate: 1e-3)
    /// ```
    public func weightDecayGroups(weightDecay: Double) -> [ParameterGroup<Scalar>] {
        var decaying: [Parameter<Scalar>] = []
        var notDecaying: [Parameter<Scalar>] = []
        for (name, parameter) in namedParameters {
            if parameter.shape.count <= 1 || name == "bias" || name.hasSuffix(".bias") {
                notDecaying.append(parameter)
            } else {
                decaying.append(parameter)
            }
        }
        return [ParameterGroup(decaying, weightDecay: weightDecay), ParameterGroup(notDecaying, weightDecay: 0)]
    }
}

extension Parameter {
    /// The gradient to step with, nil when the parameter is frozen or has none; stops if its shape
    /// differs from the value's.
    var gradientForStep: Tensor<Scalar>? {
        guard requiresGradient, let grad else { return nil }
        require(
            grad.shape == shape,
            "optimizer: the gradient of shape \(grad.shape) does not match its parameter of shape \(shape)")
        return grad
    }
}

/// The groups of an optimizer and the flat list of their parameters, with the checks every optimizer makes.
struct ParameterGroups<Scalar: TensorScalar> {
    /// The groups, as given.
    var groups: [ParameterGroup<Scalar>] {
        didSet {
            require(
                groups.map { $0.parameters.map(ObjectIdentifier.init) }
                    == oldValue.map { $0.parameters.map(ObjectIdentifier.init) },
                "optimizer: the parameter groups may change their settings, not their parameters")
        }
    }
    /// Every group's parameters, group after group.
    package let parameters: [Parameter<Scalar>]
    /// For each group, the range of its parameters in `parameters`.
    package let ranges: [Range<Int>]

    /// Checks the groups: at least one parameter in all, none twice, and valid overrides.
    init(_ groups: [ParameterGroup<Scalar>]) throws {
        self.groups = groups
        parameters = groups.flatMap(\.parameters)
        var start = 0
        ranges = groups.map { group in
            defer { start += group.parameters.count }
            return start..<(start + group.parameters.count)
        }
        try OptimizerError.requireDistinct(parameters)
        for (index, group) in groups.enumerated() {
            if let rate = group.learningRate {
                try OptimizerError.requireNonNegative(rate, "learning rate of group \(index)")
            }
            if let decay = group.weightDecay {
                try OptimizerError.requireNonNegative(decay, "weight decay of group \(index)")
            }
        }
    }

    /// The prologue of every optimizer's step: calls `update` for each parameter that has a gradient to step
    /// with (`gradientForStep`), group after group, with that gradient, the parameter's index in `parameters`
    /// (which indexes the optimizer's state) and its group's learning rate and weight decay: the group's own,
    /// else `learningRate` and `weightDecay` (the optimizer's).
    func forEachUpdate(
        learningRate: Double, weightDecay: Double,
        _ update: (
            _ parameter: Parameter<Scalar>, _ gradient: Tensor<Scalar>, _ index: Int, _ learningRate: Double,
            _ weightDecay: Double
        ) -> Void
    ) {
        for (group, range) in zip(groups, ranges) {
            let learningRate = group.learningRate ?? learningRate
            let weightDecay = group.weightDecay ?? weightDecay
            for index in range {
                guard let gradient = parameters[index].gradientForStep else { continue }
                update(parameters[index], gradient, index, learningRate, weightDecay)
            }
        }
    }
}
