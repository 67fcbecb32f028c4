/// Training only the head of a `BertForTextClassification` on features computed once by its frozen
/// encoder: the article's experiment, with the head's initialization as the variable.
public enum HeadTraining {
    /// The head's initializations compared by `kindling transfer`.
    public enum Initialization: String, CaseIterable, Sendable {
        /// Weight and bias 0.
        case zeros
        /// Xavier uniform (Glorot & Bengio 2010), zero bias: the article's choice.
        case xavier
        /// He normal, N(0, 2 / fan_in) (He et al. 2015), zero bias.
        case he
        /// PyTorch's Linear default: weight and bias U(±1/sqrt(fan_in)).
        case pytorchDefault = "default"
        /// N(0, 1) · 10, zero bias: the "too large" random start.
        case random

        /// The scheme `initializeWeights` applies.
        public var scheme: InitializationScheme {
            switch self {
            case .zeros: return .zeros
            case .xavier: return .xavier
            case .he: return .he
            case .pytorchDefault: return .pytorchDefault
            case .random: return .random(scale: 10)
            }
        }
    }

    /// The optimization settings (AdamW as in the article; `seed` draws the head, the dropout masks and
    /// the batch order).
    public struct Settings: Sendable {
        /// Passes over the training features.
        public var epochs = 30
        /// Features per AdamW step.
        public var batchSize = 32
        /// AdamW's learning rate.
        public var learningRate = 1e-2
        /// AdamW's decoupled weight decay.
        public var weightDecay = 1e-2
        /// The generator's seed.
        public var seed: UInt32 = 0

        /// PyTorch-like defaults for a linear head on sentence embeddings.
        public init() {}
    }

    /// What one head's training produced.
    public struct Outcome: Sendable {
        /// The head's initialization.
        public let initialization: Initialization
        /// Mean training cross-entropy of each epoch.
        public let epochLosses: [Double]
        /// Accuracy on the training features, in evaluation mode, after training.
        public let trainAccuracy: Double
        /// Accuracy on the held-out features.
        public let testAccuracy: Double
    }

    /// Initializes the head of `model` by `initialization` and trains it with AdamW on the given
    /// features (rows, hidden) and labels, then measures accuracy in evaluation mode.
    public static func train<Scalar>(
        _ model: BertForTextClassification<Scalar>, initialization: Initialization,
        trainFeatures: Tensor<Scalar>, trainLabels: [Int], testFeatures: Tensor<Scalar>, testLabels: [Int],
        settings: Settings = Settings()
    ) throws -> Outcome {
        require(trainFeatures.shape[0] == trainLabels.count && testFeatures.shape[0] == testLabels.count,
                "HeadTraining: \(trainLabels.count) and \(testLabels.count) labels for features \(trainFeatures.shape) and \(testFeatures.shape)")
        let generator = RandomGenerator(seed: settings.seed)
        model.classifier.initializeWeights(initialization.scheme, generator: generator)
        let optimizer = try AdamW(model.classifier.parameters, learningRate: settings.learningRate,
                                  weightDecay: settings.weightDecay)
        let headModes = model.namedModules.map { ($0.module, $0.module.isTraining) }
        defer { for (module, mode) in headModes { module.isTraining = mode } }
        let examples = Features(features: trainFeatures, labels: trainLabels)
        var loop = TrainingLoop(model, on: examples, optimizer: optimizer, length: .epochs(settings.epochs),
                                batchSize: settings.batchSize, generator: generator, continueOnNonFinite: true,
                                showsProgress: false)
        var losses: [Double] = []
        for _ in 0..<settings.epochs {
            var total = 0.0
            loop.run(steps: loop.batchesPerEpoch, loss: { crossEntropy($0, classIndices: $1.labels) }) {
                _, loss, batch in total += loss * Double(batch.count)
            }
            losses.append(total / Double(examples.count))
        }
        model.eval()
        let (trainAccuracy, testAccuracy) = withoutGradient {
            (accuracy(logits: model(trainFeatures), labels: trainLabels), accuracy(logits: model(testFeatures), labels: testLabels))
        }
        return Outcome(initialization: initialization, epochLosses: losses, trainAccuracy: trainAccuracy,
                       testAccuracy: testAccuracy)
    }

    /// Encoder features with their class labels, cut into batches by the training loop.
    private struct Features<Scalar: TensorScalar>: TrainingExamples {
        let features: Tensor<Scalar>
        let labels: [Int]

        var count: Int { labels.count }

        func rows(_ indices: [Int]) -> Features {
            Features(features: features.gatheringRows(indices), labels: indices.map { labels[$0] })
        }
    }
}
