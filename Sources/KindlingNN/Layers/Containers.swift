import KindlingCore
import KindlingPlatform

/// Modules held in a list, named by position ("0", "1", ...) as `torch.nn.ModuleList`: their parameters
/// and buffers belong to the model (`blocks.0.weight`), and modules can be added after construction.
/// Like PyTorch's, it has no forward computation of its own: the owner calls its modules.
///
/// ```swift
/// final class Tower: ModuleBase, Module {
///     let blocks = ModuleList<Float>((0..<4).map { _ in Linear(64, 64) })
///     func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> { blocks.reduce(x) { relu($1($0)) } }
/// }
/// Tower().stateDictionary.map(\.key)   // ["blocks.0.weight", "blocks.0.bias", "blocks.1.weight", ...]
/// ```
public final class ModuleList<Scalar: TensorScalar>: ModuleBase, Module, RandomAccessCollection {
    /// The modules, in order.
    public private(set) var modules: [any Module<Scalar>]

    /// A list of `modules` (empty by default).
    public init(_ modules: [any Module<Scalar>] = []) { self.modules = modules }

    /// Adds `module` at the end; it is named by its position.
    public func append(_ module: any Module<Scalar>) { modules.append(module) }

    /// The first position, 0.
    public var startIndex: Int { 0 }
    /// One past the last position.
    public var endIndex: Int { modules.count }
    /// The module at `position`.
    public subscript(position: Int) -> any Module<Scalar> {
        require(
            modules.indices.contains(position),
            "ModuleList: index \(position) is out of range for \(modules.count) modules")
        return modules[position]
    }

    /// The modules named "0", "1", ...
    public var namedChildren: [(name: String, module: any Module<Scalar>)] {
        modules.enumerated().map { ("\($0.offset)", $0.element) }
    }

    /// Stops: a module list has no forward computation (call its modules), as in PyTorch.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        failRequirement("ModuleList: it has no forward computation of its own; call its modules (input \(input.shape))")
    }
}

/// Modules held by name in insertion order, as `torch.nn.ModuleDict`: `heads.classifier.weight` in the
/// state dictionary. Assigning to an existing key replaces that module in place; a new key goes last.
/// Keys are non-empty and contain no ".", as PyTorch requires. It has no forward computation of its own.
///
/// ```swift
/// let heads = ModuleDictionary<Float>(["classifier": Linear(128, 10), "regressor": Linear(128, 1)])
/// let logits = heads["classifier"]!(features)
/// ```
public final class ModuleDictionary<Scalar: TensorScalar>: ModuleBase, Module {
    /// The keys, in insertion order.
    public private(set) var keys: [String] = []
    private var modules: [String: any Module<Scalar>] = [:]

    /// A dictionary of the `entries`, in their order.
    public init(_ entries: KeyValuePairs<String, any Module<Scalar>> = [:]) {
        super.init()
        for (key, module) in entries { self[key] = module }
    }

    /// The module under `key`, nil if there is none; assigning nil removes it.
    public subscript(key: String) -> (any Module<Scalar>)? {
        get { modules[key] }
        set {
            require(
                !key.isEmpty && !key.contains("."),
                "ModuleDictionary: key '\(key)' must be non-empty and contain no '.'")
            if newValue == nil { keys.removeAll { $0 == key } } else if modules[key] == nil { keys.append(key) }
            modules[key] = newValue
        }
    }

    /// The number of modules.
    public var count: Int { keys.count }

    /// The modules named by their keys, in insertion order.
    public var namedChildren: [(name: String, module: any Module<Scalar>)] {
        keys.map { ($0, modules[$0]!) }
    }

    /// Stops: a module dictionary has no forward computation (call its modules), as in PyTorch.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        failRequirement(
            "ModuleDictionary: it has no forward computation of its own; call its modules (input \(input.shape))")
    }
}
