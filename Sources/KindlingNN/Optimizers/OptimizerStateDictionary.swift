import Foundation
import KindlingCore

/// An optimizer's state as named values, in the manner of PyTorch's `optimizer.state_dict()`: per-
/// parameter tensors (`state.3.momentum_buffer`, `state.0.exp_avg`) and counts (`state.0.step`) keyed by
/// the parameter's index in the optimizer's list, the learning rate (`lr`), and the fixed settings as
/// text (`type`, `momentum`, `betas`, ...), which a load checks. New optimizers and schedules add keys.
public struct OptimizerStateDictionary<Scalar: TensorScalar>: Equatable {
    /// Per-parameter tensors, each of its parameter's shape.
    public var tensors: [String: Tensor<Scalar>] = [:]
    /// Counts (stored as I64).
    public var integers: [String: Int] = [:]
    /// Real numbers that change during training, such as `lr` (stored as F64, exactly).
    public var numbers: [String: Double] = [:]
    /// Settings fixed at construction, as text; a load requires them to be equal.
    public var settings: [String: String] = [:]

    /// An empty state.
    public init() {}

    /// The state as safetensors contents: tensors in the scalar's dtype, integers as I64 scalars,
    /// numbers as F64 scalars, settings as metadata; every key (and metadata key) prefixed with `prefix`
    /// so that a model and its optimizer can share one file.
    public func safeTensors(prefix: String = "") -> SafeTensors {
        var file = SafeTensors()
        for (key, tensor) in tensors { file.tensors[prefix + key] = .init(tensor) }
        for (key, value) in integers { file.tensors[prefix + key] = .init(integers: [Int64(value)], shape: []) }
        for (key, value) in numbers { file.tensors[prefix + key] = .init(Tensor<Double>(value)) }
        for (key, value) in settings { file.metadata[prefix + key] = value }
        return file
    }

    /// The state held in `file` under `prefix` (the inverse of `safeTensors(prefix:)`): I64 scalars are
    /// counts, F64 scalars named `lr` (or ending in `.lr` or `.initial_lr`) numbers, everything else tensors.
    ///
    /// - Throws: `SafeTensorsError` for an element type that cannot be converted.
    public init(_ file: SafeTensors, prefix: String = "") throws {
        for (key, entry) in file.tensors where key.hasPrefix(prefix) {
            let name = String(key.dropFirst(prefix.count))
            if entry.dtype.isInteger && entry.shape.isEmpty {
                integers[name] = Int(try file.integers(named: key)[0])
            } else if entry.shape.isEmpty && (name == "lr" || name.hasSuffix(".lr") || name.hasSuffix(".initial_lr")) {
                numbers[name] = try file.tensor(named: key, as: Double.self).scalar
            } else {
                tensors[name] = try file.tensor(named: key, as: Scalar.self)
            }
        }
        for (key, value) in file.metadata where key.hasPrefix(prefix) {
            settings[String(key.dropFirst(prefix.count))] = value
        }
    }
}

/// An optimizer whose state can be saved and restored, so that training resumed from a checkpoint
/// follows the uninterrupted run exactly.
///
/// ```swift
/// try model.save(to: modelURL)
/// try optimizer.save(to: optimizerURL)
/// // later, with new objects built the same way:
/// try model.load(from: modelURL)
/// try optimizer.load(from: optimizerURL)
/// ```
public protocol CheckpointableOptimizer<Scalar>: Optimizer {
    /// The optimizer's state (per-parameter buffers and counts, learning rate, settings).
    var stateDictionary: OptimizerStateDictionary<Scalar> { get }
    /// Replaces the optimizer's state with `state`, which must come from an optimizer of the same kind,
    /// settings and parameter shapes.
    ///
    /// - Throws: `OptimizerError` naming the setting, key or shape that differs; nothing is changed then.
    func loadStateDictionary(_ state: OptimizerStateDictionary<Scalar>) throws
}

extension CheckpointableOptimizer {
    /// Saves `stateDictionary` as a safetensors file, atomically.
    ///
    /// - Throws: `SafeTensorsError.cannotWrite`.
    public func save(to url: URL) throws { try stateDictionary.safeTensors().write(to: url) }

    /// Restores the state saved by `save(to:)`.
    ///
    /// - Throws: `SafeTensorsError` for an unreadable or malformed file, `OptimizerError` for a state
    ///   that does not fit this optimizer.
    public func load(from url: URL) throws {
        try loadStateDictionary(OptimizerStateDictionary(SafeTensors.read(from: url)))
    }

    /// Checks the settings, the keys and the shapes of per-parameter tensors; returns the tensors by
    /// parameter index and state name.
    func validated(
        _ state: OptimizerStateDictionary<Scalar>, settings: [String: String], tensorNames: Set<String>,
        integerNames: Set<String>
    ) throws -> (tensors: [Int: [String: Tensor<Scalar>]], integers: [Int: [String: Int]], learningRate: Double) {
        for key in Set(settings.keys).union(state.settings.keys).sorted() where settings[key] != state.settings[key] {
            throw OptimizerError(
                "the saved optimizer state has \(key) \(state.settings[key] ?? "(none)"), this optimizer \(settings[key] ?? "(none)")"
            )
        }
        guard let learningRate = state.numbers["lr"] else {
            throw OptimizerError("the saved optimizer state has no lr")
        }
        let groupRates = groupLearningRates
        if let key = state.numbers.keys.sorted().first(where: { $0 != "lr" && groupRates[$0] == nil }) {
            throw OptimizerError("the saved optimizer state has an unknown value \(key)")
        }
        if let key = groupRates.keys.sorted().first(where: { state.numbers[$0] == nil }) {
            throw OptimizerError("the saved optimizer state has no \(key)")
        }
        func parse(_ key: String, names: Set<String>) throws -> (index: Int, name: String) {
            let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == "state", let index = Int(parts[1]), names.contains(parts[2]) else {
                throw OptimizerError("the saved optimizer state has an unknown key \(key)")
            }
            guard parameters.indices.contains(index) else {
                throw OptimizerError(
                    "the saved optimizer state has \(key) for parameter \(index), but there are \(parameters.count)")
            }
            return (index, parts[2])
        }
        var tensors: [Int: [String: Tensor<Scalar>]] = [:]
        for (key, tensor) in state.tensors {
            let (index, name) = try parse(key, names: tensorNames)
            guard tensor.shape == parameters[index].shape else {
                throw OptimizerError(
                    "the saved \(key) has shape \(tensor.shape), parameter \(index) has shape \(parameters[index].shape)"
                )
            }
            tensors[index, default: [:]][name] = tensor
        }
        var integers: [Int: [String: Int]] = [:]
        for (key, value) in state.integers {
            let (index, name) = try parse(key, names: integerNames)
            integers[index, default: [:]][name] = value
        }
        return (tensors, integers, learningRate)
    }
}

extension Optimizer {
    /// The groups' layout and weight decays as settings, when there is more than one group or a group
    /// overrides a setting (PyTorch's `param_groups`); nothing for a plain parameter list.
    var groupSettings: [String: String] {
        let groups = parameterGroups
        guard groups.count > 1 || groups.contains(where: { $0.learningRate != nil || $0.weightDecay != nil }) else {
            return [:]
        }
        var settings = ["param_groups": groups.map { "\($0.parameters.count)" }.joined(separator: ",")]
        for (index, group) in groups.enumerated() {
            if let decay = group.weightDecay { settings["param_groups.\(index).weight_decay"] = "\(decay)" }
            if group.learningRate != nil { settings["param_groups.\(index).has_lr"] = "true" }
        }
        return settings
    }

    /// `param_groups.<i>.lr` for every group with a learning rate of its own (schedules change them).
    var groupLearningRates: [String: Double] {
        var rates: [String: Double] = [:]
        for (index, group) in parameterGroups.enumerated() {
            if let rate = group.learningRate { rates["param_groups.\(index).lr"] = rate }
        }
        return rates
    }

    /// Sets the learning rate of every group that has one of its own from `numbers` (checked by `validated`).
    func restoreGroupLearningRates(_ numbers: [String: Double]) {
        var groups = parameterGroups
        for index in groups.indices where groups[index].learningRate != nil {
            groups[index].learningRate = numbers["param_groups.\(index).lr"]
        }
        if groups.contains(where: { $0.learningRate != nil }) { parameterGroups = groups }
    }
}

/// Copies a tensor's elements into a new optimizer buffer.
private func stateBuffer<Scalar>(_ tensor: Tensor<Scalar>) -> StateBuffer<Scalar> {
    let buffer = StateBuffer<Scalar>(zeros: tensor.count)
    tensor.withUnsafeBufferPointer { _ = buffer.elements.update(fromContentsOf: $0) }
    return buffer
}

/// A buffer's elements as a tensor of `shape`.
private func tensor<Scalar>(_ buffer: StateBuffer<Scalar>, shape: [Int]) -> Tensor<Scalar> {
    Tensor(shape: shape, scalars: Array(buffer.elements))
}

extension SGD: CheckpointableOptimizer {
    private var settings: [String: String] {
        var settings = [
            "type": "SGD", "momentum": "\(momentum)", "dampening": "\(dampening)", "nesterov": "\(nesterov)",
            "weight_decay": "\(weightDecay)",
        ]
        if maximize { settings["maximize"] = "true" }
        return settings.merging(groupSettings) { $1 }
    }

    /// `state.<i>.momentum_buffer` for every parameter that has taken a step with momentum, `lr`, and
    /// `param_groups.<g>.lr` for each group with a rate of its own.
    public var stateDictionary: OptimizerStateDictionary<Scalar> {
        var state = OptimizerStateDictionary<Scalar>()
        state.settings = settings
        state.numbers["lr"] = learningRate
        state.numbers.merge(groupLearningRates) { $1 }
        for (index, buffer) in momentumBuffers.enumerated() {
            if let buffer {
                state.tensors["state.\(index).momentum_buffer"] = tensor(buffer, shape: parameters[index].shape)
            }
        }
        return state
    }

    /// Restores the momentum buffers and the learning rate (a parameter without a saved buffer starts
    /// afresh, as at its first step).
    public func loadStateDictionary(_ state: OptimizerStateDictionary<Scalar>) throws {
        let (tensors, _, learningRate) = try validated(
            state, settings: settings, tensorNames: ["momentum_buffer"], integerNames: [])
        momentumBuffers = parameters.indices.map { index in tensors[index]?["momentum_buffer"].map(stateBuffer) }
        self.learningRate = learningRate
        restoreGroupLearningRates(state.numbers)
    }
}

extension Adam: CheckpointableOptimizer {
    private var settings: [String: String] {
        var settings = [
            "type": decoupledWeightDecay ? "AdamW" : "Adam", "betas": "\(betas.0),\(betas.1)",
            "eps": "\(epsilon)", "weight_decay": "\(weightDecay)",
        ]
        if amsgrad { settings["amsgrad"] = "true" }
        if maximize { settings["maximize"] = "true" }
        return settings.merging(groupSettings) { $1 }
    }

    /// `state.<i>.exp_avg`, `state.<i>.exp_avg_sq` (and with AMSGrad `state.<i>.max_exp_avg_sq`) and
    /// `state.<i>.step` (PyTorch's names) for every parameter that has taken a step, `lr`, and
    /// `param_groups.<g>.lr` for each group with a rate of its own.
    public var stateDictionary: OptimizerStateDictionary<Scalar> {
        var state = OptimizerStateDictionary<Scalar>()
        state.settings = settings
        state.numbers["lr"] = learningRate
        state.numbers.merge(groupLearningRates) { $1 }
        for (index, parameterState) in states.enumerated() {
            guard let parameterState else { continue }
            let shape = parameters[index].shape
            state.tensors["state.\(index).exp_avg"] = tensor(parameterState.firstMoment, shape: shape)
            state.tensors["state.\(index).exp_avg_sq"] = tensor(parameterState.secondMoment, shape: shape)
            state.integers["state.\(index).step"] = parameterState.step
            if let maximum = parameterState.maxSecondMoment {
                state.tensors["state.\(index).max_exp_avg_sq"] = tensor(maximum, shape: shape)
            }
        }
        return state
    }

    /// Restores the moments, the step counts and the learning rate (a parameter without saved state
    /// starts afresh, as at its first step).
    public func loadStateDictionary(_ state: OptimizerStateDictionary<Scalar>) throws {
        let (tensors, integers, learningRate) = try validated(
            state, settings: settings,
            tensorNames: amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"],
            integerNames: ["step"])
        var restored: [State?] = []
        for index in parameters.indices {
            let moments = tensors[index] ?? [:]
            let counts = integers[index] ?? [:]
            if moments.isEmpty && counts.isEmpty {
                restored.append(nil)
                continue
            }
            guard let first = moments["exp_avg"], let second = moments["exp_avg_sq"], let step = counts["step"],
                step >= 0,
                !amsgrad || moments["max_exp_avg_sq"] != nil
            else {
                throw OptimizerError(
                    "the saved state of parameter \(index) needs exp_avg, exp_avg_sq\(amsgrad ? ", max_exp_avg_sq" : "") and a step ≥ 0"
                )
            }
            let parameterState = State(count: first.count, amsgrad: amsgrad)
            first.withUnsafeBufferPointer { _ = parameterState.firstMoment.elements.update(fromContentsOf: $0) }
            second.withUnsafeBufferPointer { _ = parameterState.secondMoment.elements.update(fromContentsOf: $0) }
            if let maximum = parameterState.maxSecondMoment, let saved = moments["max_exp_avg_sq"] {
                saved.withUnsafeBufferPointer { _ = maximum.elements.update(fromContentsOf: $0) }
            }
            parameterState.step = step
            restored.append(parameterState)
        }
        states = restored
        self.learningRate = learningRate
        restoreGroupLearningRates(state.numbers)
    }
}
