import Foundation
import KindlingCore
import KindlingNN

/// Everything needed to rebuild a trained model and use it on new data: the architecture, the task,
/// the feature standardization and the class names. `kindling train --save` writes it into the
/// checkpoint's metadata as JSON (key `kindling.model`); `evaluate` and `predict` read it back.
///
/// ```swift
/// var specification = ModelSpecification(architecture: .mlp, inputShape: [64], outputs: 10, task: .multiclass)
/// specification.hiddenLayers = [64, 32]
/// let model: Sequential<Float> = specification.makeModel(generator: RandomGenerator(seed: 0))
/// ```
public struct ModelSpecification: Sendable, Codable, Equatable {
    /// The network's shape.
    public enum Architecture: String, Sendable, Codable, CaseIterable {
        /// Linear layers, each followed by optional BatchNorm1d, the activation and optional Dropout, then a
        /// Linear output layer.
        case mlp
        /// The articles' SimpleCNN for C × H × W images: Conv2d(C, 32, 3, padding 1), BatchNorm2d(32), ReLU,
        /// MaxPool2d(2), Flatten, Linear(32 · (H/2) · (W/2), outputs).
        case simplecnn
    }

    /// The nonlinearity after each hidden layer of an MLP.
    public enum Activation: String, Sendable, Codable, CaseIterable {
        case relu, tanh, sigmoid, elu, selu
        case leakyReLU = "leaky-relu"
    }

    /// The architecture.
    public var architecture: Architecture
    /// The shape of one example: [features] for an MLP, [channels, height, width] for SimpleCNN.
    public var inputShape: [Int]
    /// Hidden layer widths (MLP).
    public var hiddenLayers: [Int] = []
    /// The activation after each hidden layer (MLP).
    public var activation = Activation.relu
    /// BatchNorm1d after each hidden Linear layer (MLP).
    public var batchNorm = false
    /// Dropout probability after each hidden activation (MLP); 0 for none.
    public var dropout = 0.0
    /// Output units: 1 for binary classification and regression, else the number of classes.
    public var outputs: Int
    /// The task.
    public var task: Task
    /// Class names in class-index order (classification).
    public var classNames: [String] = []
    /// The names of the input features (CSV header), to check new data against.
    public var featureNames: [String] = []
    /// The name of the label column, if the training data had one.
    public var labelName: String?
    /// Standardization of the features, fitted on the training split (MLP).
    public var standardization: Standardization?
    /// Standardization of the regression targets, fitted on the training split: the network is trained on
    /// (y − mean) / scale, and its saved weights give values in those units (`Standardization.restoreUnits`
    /// maps them back).
    public var targetStandardization: Standardization?
    /// How the training table's columns became the features (CSV data): applied unchanged to new files.
    public var table: TablePreprocessing?

    /// A specification from the required parts; the rest keep their defaults.
    public init(architecture: Architecture, inputShape: [Int], outputs: Int, task: Task) {
        self.architecture = architecture
        self.inputShape = inputShape
        self.outputs = outputs
        self.task = task
    }

    /// The number of values in one example.
    public var featureCount: Int { inputShape.reduce(1, *) }

    /// The network, its layers constructed with PyTorch's defaults drawn from `generator` (initialize it
    /// afterwards with `initializeWeights`).
    public func makeModel<Scalar: TensorScalar>(generator: RandomGenerator = .global) -> Sequential<Scalar> {
        switch architecture {
        case .mlp:
            var layers: [any Module<Scalar>] = []
            var width = featureCount
            for size in hiddenLayers {
                layers.append(Linear<Scalar>(width, size, generator: generator))
                if batchNorm { layers.append(BatchNorm1d<Scalar>(size)) }
                layers.append(makeActivation())
                if dropout > 0 { layers.append(Dropout<Scalar>(probability: dropout, generator: generator)) }
                width = size
            }
            layers.append(Linear<Scalar>(width, outputs, generator: generator))
            return Sequential(layers)
        case .simplecnn:
            let (channels, height, width) = (inputShape[0], inputShape[1], inputShape[2])
            return Sequential<Scalar>(
                Conv2d<Scalar>(channels, 32, kernelSize: 3, padding: 1, generator: generator),
                BatchNorm2d<Scalar>(32), ReLU<Scalar>(), MaxPool2d<Scalar>(kernelSize: 2, stride: 2), Flatten<Scalar>(),
                Linear<Scalar>(32 * (height / 2) * (width / 2), outputs, generator: generator))
        }
    }

    private func makeActivation<Scalar: TensorScalar>() -> any Module<Scalar> {
        switch activation {
        case .relu: return ReLU<Scalar>()
        case .tanh: return Tanh<Scalar>()
        case .sigmoid: return Sigmoid<Scalar>()
        case .elu: return ELU<Scalar>()
        case .selu: return SELU<Scalar>()
        case .leakyReLU: return LeakyReLU<Scalar>()
        }
    }

    /// The articles' `_initialize_weights` policy for SimpleCNN: Conv2d weights Kaiming normal (fan_out,
    /// relu), biases 0; BatchNorm weight 1, bias 0; Linear weights Xavier uniform, biases 0.
    public static func initializeLikeTheArticle<Scalar>(_ model: some Module<Scalar>, generator: RandomGenerator) {
        model.initializeWeights { module in
            if let conv = module as? Conv2d<Scalar> {
                Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu).initialize(
                    conv.weight, generator: generator)
                if let bias = conv.bias { Initializer.zeros.initialize(bias) }
            } else if let norm = module as? BatchNorm2d<Scalar> {
                Initializer.ones.initialize(norm.weight!)
                Initializer.zeros.initialize(norm.bias!)
            } else if let linear = module as? Linear<Scalar> {
                Initializer.xavierUniform().initialize(linear.weight, generator: generator)
                if let bias = linear.bias { Initializer.zeros.initialize(bias) }
            }
        }
    }

    /// The specification as compact JSON (for checkpoint metadata).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// A specification from `json`; throws when it is not one, or when it describes a network that cannot
    /// be built (a size that is not positive, an input of the wrong rank for the architecture, a dropout
    /// outside [0, 1), standardization of another width, or a parameter count that overflows).
    public init(json: String) throws {
        self = try JSONDecoder().decode(ModelSpecification.self, from: Data(json.utf8))
        func invalid(_ reason: String) -> DataError { .badFormat(path: "the model specification", reason: reason) }
        guard architecture == .mlp ? !inputShape.isEmpty : inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 })
        else {
            throw invalid("the input shape \(inputShape) does not fit \(architecture.rawValue) (positive sizes)")
        }
        guard architecture == .mlp || (inputShape[1] >= 2 && inputShape[2] >= 2) else {
            throw invalid("simplecnn needs images of at least 2 × 2, not \(inputShape)")
        }
        guard outputs > 0, hiddenLayers.allSatisfy({ $0 > 0 }) else {
            throw invalid("the layer sizes \(hiddenLayers) and outputs \(outputs) must be positive")
        }
        guard dropout >= 0, dropout < 1 else { throw invalid("dropout \(dropout) is not in [0, 1)") }
        guard ReadingLimits.elementCount(of: inputShape) != nil, parameterCount != nil else {
            throw invalid("the network's parameter count overflows")
        }
        if let widths = standardization.map({ [$0.mean.count, $0.scale.count] }), Set(widths) != [featureCount] {
            throw invalid("the standardization's \(widths[0]) means do not fit \(featureCount) inputs")
        }
    }

    /// The number of parameters (and BatchNorm buffers) of the network `makeModel` builds, or nil when it
    /// overflows `Int`.
    public var parameterCount: Int? {
        var total = 0
        func add(_ a: Int, _ b: Int) -> Bool {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            let (sum, over) = total.addingReportingOverflow(product)
            total = sum
            return !overflow && !over
        }
        switch architecture {
        case .mlp:
            guard let features = ReadingLimits.elementCount(of: inputShape) else { return nil }
            var width = features
            for size in hiddenLayers {
                guard add(width, size), add(1, size), !batchNorm || add(4, size) else { return nil }
                width = size
            }
            guard add(width, outputs), add(1, outputs) else { return nil }
        case .simplecnn:
            guard inputShape.count == 3, add(inputShape[0], 9 * 32), add(1 + 4, 32),
                let flattened = ReadingLimits.elementCount(of: [32, inputShape[1] / 2, inputShape[2] / 2]),
                add(flattened, outputs), add(1, outputs)
            else { return nil }
        }
        return total
    }
}
