import Foundation
import Kindling

/// A model written by `kindling train --save`: the safetensors weights, and in the metadata the model
/// specification (`kindling.model`), the precision, the last epoch and the seed.
struct SavedModel {
    static let specificationKey = "kindling.model"
    static let precisionKey = "kindling.precision"
    static let epochKey = "kindling.epoch"
    static let seedKey = "kindling.seed"

    let path: String
    let specification: ModelSpecification
    let precision: InitializationComparison.Precision
    let epoch: Int
    let seed: UInt32

    /// Reads the metadata; throws naming the file when it is not a checkpoint of `kindling train`.
    init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw CommandError("\(path): no such file") }
        let file = try SafeTensors.read(from: URL(fileURLWithPath: path))
        guard let json = file.metadata[Self.specificationKey] else {
            throw CommandError("\(path): not a model saved by 'kindling train' (its metadata has no '\(Self.specificationKey)'; "
                + "keys: \(file.metadata.keys.sorted().joined(separator: ", ")))")
        }
        do {
            specification = try ModelSpecification(json: json)
        } catch {
            throw CommandError("\(path): the model specification in its metadata cannot be read (\(error))")
        }
        precision = file.metadata[Self.precisionKey].flatMap(InitializationComparison.Precision.init(rawValue:)) ?? .float
        epoch = file.metadata[Self.epochKey].flatMap(Int.init) ?? 0
        seed = file.metadata[Self.seedKey].flatMap(UInt32.init) ?? 0
    }

    /// The network with the saved weights (every key must match: a checkpoint of another network fails
    /// with the list of keys that differ).
    func makeModel<Scalar: TensorScalar>(as _: Scalar.Type) throws -> Sequential<Scalar> {
        let model: Sequential<Scalar> = specification.makeModel(generator: RandomGenerator(seed: 0))
        do {
            try model.load(from: URL(fileURLWithPath: path), strict: true)
        } catch {
            throw CommandError("\(path): the weights do not fit the model its metadata describes:\n\(error)")
        }
        return model
    }

    /// The metadata `kindling train --save` writes.
    static func metadata(_ specification: ModelSpecification, precision: InitializationComparison.Precision,
                         epoch: Int, seed: UInt32) -> [String: String] {
        [specificationKey: specification.json, precisionKey: precision.rawValue, epochKey: "\(epoch)", seedKey: "\(seed)"]
    }
}

extension ModelSpecification {
    /// The model's inputs for `raw`: the features as a tensor, standardized when the model was trained so.
    /// Throws when the number of features differs from the model's.
    func inputs<Scalar: TensorScalar>(_ raw: RawExamples, as _: Scalar.Type) throws -> Tensor<Scalar> {
        guard raw.exampleShape.reduce(1, *) == featureCount else {
            throw CommandError("\(raw.path): \(raw.exampleShape.reduce(1, *)) features per example, but the model was trained on \(featureCount)"
                + (featureNames.isEmpty || featureNames.count > 12 ? "" : " (\(featureNames.joined(separator: ", ")))"))
        }
        let features: Tensor<Scalar> = raw.features(as: Scalar.self).reshaped([raw.count] + inputShape)
        return standardization.map { $0.apply(to: features) } ?? features
    }
}
