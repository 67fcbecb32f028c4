import Foundation
import KindlingCore
import KindlingPlatform

/// What `loadStateDictionary(_:strict:)` found: keys of the model absent from the state dictionary,
/// keys of the state dictionary the model does not have, and keys whose shapes differ. Without `strict`
/// everything else is loaded and this is returned; with it, a non-empty list is thrown as a
/// `StateDictionaryError` and nothing is loaded.
public struct StateDictionaryLoadResult: Equatable, Sendable {
    /// A key present in both with different shapes.
    public struct ShapeMismatch: Equatable, Sendable {
        /// The state-dictionary key.
        public let key: String
        /// The shape of the tensor offered.
        public let loadedShape: [Int]
        /// The shape the model has.
        public let modelShape: [Int]

        /// A mismatch at `key`.
        public init(key: String, loadedShape: [Int], modelShape: [Int]) {
            self.key = key
            self.loadedShape = loadedShape
            self.modelShape = modelShape
        }
    }

    /// The model's keys that the state dictionary lacks (left as they were), in `stateDictionary` order.
    public var missingKeys: [String] = []
    /// The state dictionary's keys that the model lacks (ignored), sorted.
    public var unexpectedKeys: [String] = []
    /// The keys with different shapes (left as they were), in `stateDictionary` order.
    public var shapeMismatches: [ShapeMismatch] = []
    /// The keys loaded, in `stateDictionary` order.
    public var loadedKeys: [String] = []

    /// True when every key of each side was loaded.
    public var isComplete: Bool { missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty }
}

/// A strict load that did not fit: every missing key, unexpected key and shape mismatch at once, in the
/// manner of PyTorch's "Error(s) in loading state_dict for ...".
public struct StateDictionaryError: Error, Equatable, CustomStringConvertible {
    /// The model's type name.
    public let modelName: String
    /// The lists of problems.
    public let result: StateDictionaryLoadResult

    /// PyTorch's layout: a title line, then one line per kind of problem.
    public var description: String {
        var lines = ["Error(s) in loading state dictionary for \(modelName):"]
        if !result.missingKeys.isEmpty {
            lines.append("    Missing key(s): " + result.missingKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".")
        }
        if !result.unexpectedKeys.isEmpty {
            lines.append(
                "    Unexpected key(s): " + result.unexpectedKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".")
        }
        for mismatch in result.shapeMismatches {
            lines.append(
                "    size mismatch for \(mismatch.key): copying a tensor of shape \(mismatch.loadedShape), "
                    + "the shape in the current model is \(mismatch.modelShape).")
        }
        return lines.joined(separator: "\n")
    }
}

extension Module {
    /// Copies tensors into this model's parameters and buffers by state-dictionary key (the keys of
    /// `stateDictionary`, PyTorch's), keeping each parameter's identity (an optimizer holding it sees
    /// the new values).
    ///
    /// With `strict` (PyTorch's default) every key must match in both directions with equal shapes:
    /// otherwise a `StateDictionaryError` lists all the problems and nothing is loaded. Without it,
    /// the keys that match in name and shape are loaded and the others are returned; unlike PyTorch,
    /// which raises on a shape mismatch even then, a mismatched key is skipped and reported, which is
    /// what transfer learning needs when a new head reuses the old head's names.
    ///
    /// ```swift
    /// let result = try model.loadStateDictionary(pretrained.stateDictionary, strict: false)
    /// print(result.missingKeys)   // ["head.weight", "head.bias"]
    /// ```
    @discardableResult
    public func loadStateDictionary(
        _ state: [(key: String, value: Tensor<Scalar>)], strict: Bool = true
    ) throws -> StateDictionaryLoadResult {
        let offered = Dictionary(state.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        var result = StateDictionaryLoadResult()
        var assignments: [() -> Void] = []
        for (key, target) in stateTargets {
            guard let tensor = offered[key] else {
                result.missingKeys.append(key)
                continue
            }
            guard tensor.shape == target.shape else {
                result.shapeMismatches.append(.init(key: key, loadedShape: tensor.shape, modelShape: target.shape))
                continue
            }
            result.loadedKeys.append(key)
            assignments.append { target.assign(tensor) }
        }
        let known = Set(stateTargets.map(\.key))
        result.unexpectedKeys = offered.keys.filter { !known.contains($0) }.sorted()
        if strict && !result.isComplete {
            throw StateDictionaryError(modelName: "\(type(of: self))", result: result)
        }
        for assign in assignments { assign() }
        return result
    }

    /// Loads a safetensors file written by `save(to:)` or by PyTorch (`safetensors.torch.save_file(
    /// model.state_dict(), path)`), converting its elements to this model's scalar type (F64, F32, F16,
    /// BF16 and the integer types are read); see `loadStateDictionary(_:strict:)` for `strict`.
    ///
    /// - Throws: `SafeTensorsError` for a file that cannot be read, is malformed or holds an element type
    ///   that cannot be converted; `StateDictionaryError` for a strict load that does not fit.
    @discardableResult
    public func load(from url: URL, strict: Bool = true) throws -> StateDictionaryLoadResult {
        try loadStateDictionary(try SafeTensors.read(from: url).stateDictionary(as: Scalar.self), strict: strict)
    }

    /// Saves `stateDictionary` as a safetensors file that PyTorch loads with `load_state_dict(
    /// safetensors.torch.load_file(path))`: F32 for a Float model, F64 for a Double one, and I64 for
    /// integer buffers (BatchNorm's `num_batches_tracked`), with `metadata` as its `__metadata__`. The
    /// write is atomic (see `SafeTensors.write(to:)`).
    ///
    /// - Throws: `SafeTensorsError.cannotWrite`; the previous file, if any, is left as it was.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try SafeTensors(stateDictionaryOf: self, metadata: metadata).write(to: url)
    }

    /// Every state-dictionary entry of the tree with the means to overwrite it.
    fileprivate var stateTargets: [(key: String, target: StateTarget<Scalar>)] {
        namedModules.flatMap { prefix, module -> [(key: String, target: StateTarget<Scalar>)] in
            let name = { (key: String) in prefix.isEmpty ? key : "\(prefix).\(key)" }
            return module.namedOwnParameters.map { (name($0.name), .parameter($0.parameter)) }
                + module.namedOwnBuffers.map { (name($0.name), .buffer($0.buffer)) }
        }
    }

    /// The state-dictionary keys of integer buffers (saved as I64).
    var integerStateKeys: Set<String> {
        Set(
            namedModules.flatMap { prefix, module in
                module.namedOwnBuffers.filter(\.buffer.isInteger).map {
                    prefix.isEmpty ? $0.name : "\(prefix).\($0.name)"
                }
            })
    }
}

/// A parameter or a buffer, to be overwritten by a load.
private enum StateTarget<Scalar: TensorScalar> {
    case parameter(Parameter<Scalar>)
    case buffer(Buffer<Scalar>)

    package var shape: [Int] {
        switch self {
        case .parameter(let parameter): parameter.shape
        case .buffer(let buffer): buffer.value.shape
        }
    }

    func assign(_ tensor: Tensor<Scalar>) {
        switch self {
        case .parameter(let parameter): parameter.value = tensor
        case .buffer(let buffer): buffer.value = tensor.detached()
        }
    }
}

extension SafeTensors {
    /// A model's `stateDictionary` as file contents: F32 or F64 by the model's scalar type, I64 for
    /// integer buffers (rounded), with `metadata`.
    public init<Model: Module>(stateDictionaryOf model: Model, metadata: [String: String] = [:]) {
        let integerKeys = model.integerStateKeys
        var tensors: [String: Entry] = [:]
        for (key, value) in model.stateDictionary {
            tensors[key] =
                integerKeys.contains(key)
                ? Entry(integers: value.scalars.map { Int64(Double($0).rounded()) }, shape: value.shape)
                : Entry(value)
        }
        self.init(tensors: tensors, metadata: metadata)
    }

    /// Every tensor converted to `Scalar`, in file order, for `loadStateDictionary(_:strict:)`.
    ///
    /// - Throws: `SafeTensorsError.unsupportedConversion` for 8-bit float elements.
    public func stateDictionary<Scalar: TensorScalar>(as _: Scalar.Type = Scalar.self) throws -> [(
        key: String, value: Tensor<Scalar>
    )] {
        try orderedKeys.map { ($0, try tensor(named: $0, as: Scalar.self)) }
    }
}
