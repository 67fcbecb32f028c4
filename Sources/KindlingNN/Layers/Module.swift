import KindlingCore
import KindlingPlatform

/// The state that every module stores for itself: its training flag (`torch.nn.Module.training`).
///
/// Every `Module` inherits from this class, so a module written by a user has its own mode without
/// declaring anything:
///
/// ```swift
/// final class MLP: ModuleBase, Module {
///     let fc1 = Linear<Float>(2, 10), act = ReLU<Float>(), fc2 = Linear<Float>(10, 1)
///     func callAsFunction(_ input: Tensor<Float>) -> Tensor<Float> { fc2(act(fc1(input))) }
/// }
/// ```
open class ModuleBase {
    /// This module's own mode: training (true, the default) or evaluation (false). Setting it changes
    /// this module only, as assigning `training` does in PyTorch; `train(_:)` and `eval()` set it on the
    /// module and every descendant. Nothing is computed from the children.
    public var isTraining = true

    /// A module in training mode.
    public init() {}
}

/// A layer or a model: a function of a tensor with trainable parameters and child modules, like
/// `torch.nn.Module`. Modules are classes (they have identity and mutable state) that inherit from
/// `ModuleBase`, which stores each module's own training flag.
///
/// Children, parameters and buffers are found by reflection on stored properties, so a model written
/// as a class with `let conv1 = Conv2d(...)` gets PyTorch's dotted names (`conv1.weight`) without any
/// registration; properties holding arrays of modules are numbered (`blocks.0.weight`).
public protocol Module<Scalar>: ModuleBase {
    /// The element type of the tensors it computes with.
    associatedtype Scalar: TensorScalar

    /// The forward computation.
    func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar>

    /// The direct children with their names, in declaration order.
    var namedChildren: [(name: String, module: any Module<Scalar>)] { get }

    /// This module's own parameters (not its children's) with their names.
    var namedOwnParameters: [(name: String, parameter: Parameter<Scalar>)] { get }

    /// This module's own buffers (not its children's) with their names.
    var namedOwnBuffers: [(name: String, buffer: Buffer<Scalar>)] { get }
}

extension Module {
    public var namedChildren: [(name: String, module: any Module<Scalar>)] {
        reflectedProperties.flatMap { label, value -> [(name: String, module: any Module<Scalar>)] in
            if let module = value as? any Module<Scalar> { return [(label, module)] }
            if let modules = value as? [any Module<Scalar>] {
                return modules.enumerated().map { ("\(label).\($0.offset)", $0.element) }
            }
            return []
        }
    }

    public var namedOwnParameters: [(name: String, parameter: Parameter<Scalar>)] {
        reflectedProperties.compactMap { label, value in
            if let parameter = value as? Parameter<Scalar> { return (label, parameter) }
            return nil
        }
    }

    public var namedOwnBuffers: [(name: String, buffer: Buffer<Scalar>)] {
        reflectedProperties.compactMap { label, value in
            if let buffer = value as? Buffer<Scalar> { return (label, buffer) }
            return nil
        }
    }

    /// Stored properties of this object and its superclasses, by name (leading underscores removed).
    private var reflectedProperties: [(String, Any)] {
        var result: [(String, Any)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            let own = current.children.compactMap { child -> (String, Any)? in
                guard var label = child.label else { return nil }
                while label.hasPrefix("_") { label.removeFirst() }
                return (label, unwrapOptional(child.value))
            }
            result = own + result
            mirror = current.superclassMirror
        }
        return result
    }

    /// Every module of the tree, this one first, then depth-first in declaration order, with dotted
    /// names ("" for this one).
    public var namedModules: [(name: String, module: any Module<Scalar>)] {
        var result: [(name: String, module: any Module<Scalar>)] = [("", self)]
        for (name, child) in namedChildren {
            for (childName, module) in child.namedModules {
                result.append((childName.isEmpty ? name : "\(name).\(childName)", module))
            }
        }
        return result
    }

    /// Every parameter of the tree with its dotted name (`0.weight`, `conv1.bias`), as
    /// `named_parameters()`: a parameter shared by several modules is listed once, under its first name.
    public var namedParameters: [(name: String, parameter: Parameter<Scalar>)] {
        var seen = Set<ObjectIdentifier>()
        return namedModules.flatMap { prefix, module in
            module.namedOwnParameters.map { (prefix.isEmpty ? $0.name : "\(prefix).\($0.name)", $0.parameter) }
        }.filter { seen.insert(ObjectIdentifier($0.parameter)).inserted }
    }

    /// Every parameter of the tree, each once, in `namedParameters` order.
    public var parameters: [Parameter<Scalar>] { namedParameters.map(\.parameter) }

    /// Every buffer of the tree with its dotted name (`bn1.running_mean`).
    public var namedBuffers: [(name: String, buffer: Buffer<Scalar>)] {
        namedModules.flatMap { prefix, module in
            module.namedOwnBuffers.map { (prefix.isEmpty ? $0.name : "\(prefix).\($0.name)", $0.buffer) }
        }
    }

    /// Parameters and buffers by dotted name, in PyTorch's `state_dict()` order (per module: parameters,
    /// then buffers).
    public var stateDictionary: [(key: String, value: Tensor<Scalar>)] {
        namedModules.flatMap { prefix, module -> [(key: String, value: Tensor<Scalar>)] in
            let name = { (key: String) in prefix.isEmpty ? key : "\(prefix).\(key)" }
            return module.namedOwnParameters.map { (name($0.name), $0.parameter.value.detached()) }
                + module.namedOwnBuffers.map { (name($0.name), $0.buffer.value) }
        }
    }

    /// Sets training mode (`true`) or evaluation mode (`false`) on this module and every descendant, as
    /// `torch.nn.Module.train(mode)`.
    public func train(_ mode: Bool = true) {
        for (_, module) in namedModules { module.isTraining = mode }
    }

    /// Sets evaluation mode on this module and every descendant (BatchNorm uses running statistics,
    /// Dropout passes values through), as `torch.nn.Module.eval()`.
    public func eval() { train(false) }

    /// The result of `body` run with the whole tree in evaluation mode; afterwards every module has its
    /// own mode back, whatever it was (a BatchNorm frozen in evaluation mode stays so, a Dropout in
    /// training mode trains again).
    public func withEvaluationMode<Result>(_ body: () throws -> Result) rethrows -> Result {
        let modes = namedModules.map { (module: $0.module, isTraining: $0.module.isTraining) }
        eval()
        defer { for (module, isTraining) in modes { module.isTraining = isTraining } }
        return try body()
    }

    /// Forgets every parameter's gradient.
    public func zeroGradients() { for parameter in parameters { parameter.zeroGradient() } }
}

private func unwrapOptional(_ value: Any) -> Any {
    let mirror = Mirror(reflecting: value)
    guard mirror.displayStyle == .optional else { return value }
    return mirror.children.first?.value ?? value
}
