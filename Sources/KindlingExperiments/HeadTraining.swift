import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform
import KindlingText

/// Training only the head of a `BertForTextClassification` on features computed once by its frozen
/// encoder: the article's experiment, with the head's initialization as the variable.
public enum HeadTraining {
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
        public let initialization: InitializationName
        /// Mean training cross-entropy of each epoch.
        public let epochLosses: [Double]
        /// Accuracy on the training features, in evaluation mode, after training.
        public let trainAccuracy: Double
        /// Accuracy on the held-out features.
        public let testAccuracy: Double
    }

    /// Initializes the head of `model` by `initialization` (`random` at scale 10, biases 0 except for
    /// `pytorch-default`; `lsuv` on the training features) and trains it with AdamW on the given
    /// features (rows, hidden) and labels, then measures accuracy in evaluation mode.
    public static func train<Scalar>(
        _ model: BertForTextClassification<Scalar>, initialization: InitializationName,
        trainFeatures: Tensor<Scalar>, trainLabels: [Int], testFeatures: Tensor<Scalar>, testLabels: [Int],
        settings: Settings = Settings()
    ) throws -> Outcome {
        require(
            trainFeatures.shape[0] == trainLabels.count && testFeatures.shape[0] == testLabels.count,
            "HeadTraining: \(trainLabels.count) and \(testLabels.count) labels for features \(trainFeatures.shape) and \(testFeatures.shape)"
        )
        let generator = RandomGenerator(seed: settings.seed)
        initialization.initialize(model.classifier, batch: trainFeatures, generator: generator)
        let optimizer = try AdamW(
            model.classifier.parameters, learningRate: settings.learningRate,
            weightDecay: settings.weightDecay)
        let headModes = model.namedModules.map { ($0.module, $0.module.isTraining) }
        defer { for (module, mode) in headModes { module.isTraining = mode } }
        let examples = Features(features: trainFeatures, labels: trainLabels)
        var loop = TrainingLoop(
            model, on: examples, optimizer: optimizer, length: .epochs(settings.epochs),
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
            (
                accuracy(logits: model(trainFeatures), labels: trainLabels),
                accuracy(logits: model(testFeatures), labels: testLabels)
            )
        }
        return Outcome(
            initialization: initialization, epochLosses: losses, trainAccuracy: trainAccuracy,
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
