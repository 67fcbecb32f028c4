/// A layer or a model: a function of a tensor with trainable parameters and child modules, like
/// `torch.nn.Module`. Modules are classes (they have identity and mutable state).
///
/// Children, parameters and buffers are found by reflection on stored properties, so a model written
/// as a class with `let conv1 = Conv2d(...)` gets PyTorch's dotted names (`conv1.weight`) without any
/// registration; properties holding arrays of modules are numbered (`blocks.0.weight`).
public protocol Module<Scalar>: AnyObject {
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

    /// Training mode (true) or evaluation mode (false). Setting it reaches every child; modules whose
    /// behaviour differs (BatchNorm, Dropout) store it.
    var isTraining: Bool { get set }
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

    /// Modules without a mode of their own report false when any descendant is in evaluation mode.
    public var isTraining: Bool {
        get { namedChildren.allSatisfy { $0.module.isTraining } }
        set { for (_, child) in namedChildren { child.isTraining = newValue } }
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

    /// Switches the whole tree to training mode.
    public func train() { isTraining = true }

    /// Switches the whole tree to evaluation mode (BatchNorm uses running statistics, Dropout passes
    /// values through).
    public func eval() { isTraining = false }

    /// Forgets every parameter's gradient.
    public func zeroGradients() { for parameter in parameters { parameter.zeroGradient() } }
}

private func unwrapOptional(_ value: Any) -> Any {
    let mirror = Mirror(reflecting: value)
    guard mirror.displayStyle == .optional else { return value }
    return mirror.children.first?.value ?? value
}
