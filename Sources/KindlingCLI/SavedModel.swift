import Foundation
import Kindling

/// A model written by `kindling train --save`: the safetensors weights and the optimizer's state (keys
/// `optimizer.*`), and in the metadata the model specification (`kindling.model`), the precision, the
/// epoch, the seed and the initialization.
struct SavedModel {
    static let specificationKey = "kindling.model"
    static let precisionKey = "kindling.precision"
    static let epochKey = "kindling.epoch"
    static let seedKey = "kindling.seed"
    static let initializationKey = "kindling.init"
    /// The prefix of the optimizer's state in the checkpoint (PyTorch's optimizer.state_dict() keys after it).
    static let optimizerPrefix = "optimizer."

    let path: String
    let specification: ModelSpecification
    let precision: InitializationComparison.Precision
    let epoch: Int
    let seed: UInt32
    /// The `--init` name the run started from (nil: the architecture's default).
    let initialization: String?
    /// The file's contents.
    let file: SafeTensors

    /// Reads the metadata; throws naming the file when it is not a checkpoint of `kindling train`.
    init(path: String) throws {
        self.path = path
        if path == "-" {
            throw CommandError("-: a model is read from a file, not from standard input; give its path")
        }
        if let reason = unreadableFileReason(path) { throw CommandError("\(path): \(reason)") }
        do {
            file = try SafeTensors.read(from: URL(fileURLWithPath: path))
        } catch {
            throw CommandError("\(path): not a readable safetensors checkpoint: \(error)")
        }
        guard let json = file.metadata[Self.specificationKey] else {
            throw CommandError(
                "\(path): not a model saved by 'kindling train' (its metadata has no '\(Self.specificationKey)'; "
                    + "keys: \(file.metadata.keys.sorted().joined(separator: ", ")))")
        }
        do {
            specification = try ModelSpecification(json: json)
        } catch {
            throw CommandError("\(path): the model specification in its metadata cannot be read (\(error))")
        }
        let stored = file.tensors.values.reduce(0) { $0 + $1.bytes.count / $1.dtype.byteCount }
        // A network larger than the file's values (beyond a few million, which a mismatch reports in detail)
        // is not built: a hostile specification cannot make the command allocate what the file does not hold.
        guard let needed = specification.parameterCount, needed <= max(stored, 1 << 22) else {
            throw CommandError(
                "\(path): its metadata describes a network of \(specification.parameterCount ?? Int.max) parameters, "
                    + "more than the \(stored) values the file holds")
        }
        precision =
            file.metadata[Self.precisionKey].flatMap(InitializationComparison.Precision.init(rawValue:)) ?? .float
        epoch = file.metadata[Self.epochKey].flatMap(Int.init) ?? 0
        seed = file.metadata[Self.seedKey].flatMap(UInt32.init) ?? 0
        initialization = file.metadata[Self.initializationKey]
    }

    /// The network with the saved weights (every key must match: a checkpoint of another network fails
    /// with the list of keys that differ), its outputs in the targets' units (a regression model's target
    /// standardization folded into its last layer).
    func makeModel<Scalar: TensorScalar>(as _: Scalar.Type) throws -> Sequential<Scalar> {
        let model: Sequential<Scalar> = specification.makeModel(generator: RandomGenerator(seed: 0))
        try loadWeights(into: model)
        if let targets = specification.targetStandardization, let last = model.layers.last as? Linear<Scalar> {
            targets.restoreUnits(of: last)
        }
        return model
    }

    /// Overwrites the model's parameters and buffers with the saved ones (the optimizer's entries aside).
    func loadWeights<Scalar: TensorScalar>(into model: Sequential<Scalar>) throws {
        do {
            let state = try file.stateDictionary(as: Scalar.self).filter { !$0.key.hasPrefix(Self.optimizerPrefix) }
            try model.loadStateDictionary(state, strict: true)
        } catch {
            throw CommandError("\(path): the weights do not fit the model its metadata describes:\n\(error)")
        }
    }

    /// Restores the optimizer's state saved with the model; throws naming the file when it was another
    /// optimizer or other settings.
    func loadOptimizerState<Scalar: TensorScalar>(into optimizer: any CheckpointableOptimizer<Scalar>) throws {
        guard file.tensors.keys.contains(where: { $0.hasPrefix(Self.optimizerPrefix) }) else { return }
        do {
            try optimizer.loadStateDictionary(OptimizerStateDictionary(file, prefix: Self.optimizerPrefix))
        } catch {
            throw CommandError(
                "\(path): its optimizer state does not fit --optimizer and its settings (resume with the same ones):\n\(error)"
            )
        }
    }

    /// Writes the model, its optimizer's state (under `optimizerPrefix`) and `metadata` into one
    /// safetensors file, atomically.
    static func write<Scalar: TensorScalar>(
        _ model: Sequential<Scalar>, optimizer: any CheckpointableOptimizer<Scalar>,
        metadata: [String: String], to url: URL
    ) throws {
        var file = SafeTensors(stateDictionaryOf: model, metadata: metadata)
        let state = optimizer.stateDictionary.safeTensors(prefix: optimizerPrefix)
        for (key, entry) in state.tensors { file.tensors[key] = entry }
        for (key, value) in state.metadata { file.metadata[key] = value }
        try file.write(to: url)
    }

    /// The metadata `kindling train --save` writes.
    static func metadata(
        _ specification: ModelSpecification, precision: InitializationComparison.Precision,
        epoch: Int, seed: UInt32, initialization: String?
    ) -> [String: String] {
        var metadata = [
            specificationKey: specification.json, precisionKey: precision.rawValue, epochKey: "\(epoch)",
            seedKey: "\(seed)",
        ]
        metadata[initializationKey] = initialization
        return metadata
    }
}

extension ModelSpecification {
    /// The model's inputs for `raw`: the features as a tensor, standardized when the model was trained so.
    /// Throws when the number of features differs from the model's.
    func inputs<Scalar: TensorScalar>(_ raw: RawExamples, as _: Scalar.Type) throws -> Tensor<Scalar> {
        guard raw.exampleShape.reduce(1, *) == featureCount else {
            throw CommandError(
                "\(raw.path): \(raw.exampleShape.reduce(1, *)) features per example, but the model was trained on \(featureCount)"
                    + (featureNames.isEmpty || featureNames.count > 12
                        ? "" : " (\(featureNames.joined(separator: ", ")))"))
        }
        let features: Tensor<Scalar> = raw.features(as: Scalar.self).reshaped([raw.count] + inputShape)
        return standardization.map { $0.apply(to: features) } ?? features
    }
}
