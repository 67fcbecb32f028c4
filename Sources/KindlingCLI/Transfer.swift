import ArgumentParser
import Foundation
import Kindling

/// `kindling transfer`: the article's experiment, a frozen pretrained encoder with a new linear head.
struct Transfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Train a new classification head on a frozen BERT encoder and report held-out accuracy per head initialization.",
        discussion: """
            The encoder (a BertModel folder) is frozen: it embeds every training and test sentence once \
            (mean pooling + L2 normalization), then each head, Linear(hidden, classes) after dropout, \
            trains on those features with AdamW. Files hold 'label<TAB>text' lines (datasets/topics).
            """
    )

    @Option(help: "The encoder folder (config.json, model.safetensors, vocab.txt).")
    var encoder: String

    @Option(help: "Training sentences, 'label<TAB>text' per line.")
    var train = Self.defaultTrain

    @Option(help: "Held-out sentences, 'label<TAB>text' per line.")
    var test = Self.defaultTest

    @Option(help: "Comma-separated head initializations: \(InitializerRegistry.nameList).")
    var inits = "zeros,xavier,he,default,random"

    @Option(parsing: .unconditional, help: "Passes over the training features.")
    var epochs = HeadTraining.Settings().epochs

    @Option(parsing: .unconditional, help: "Features per AdamW step.")
    var batchSize = HeadTraining.Settings().batchSize

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "AdamW learning rate.")
    var learningRate = HeadTraining.Settings().learningRate

    @Option(parsing: .unconditional, help: "AdamW decoupled weight decay.")
    var weightDecay = HeadTraining.Settings().weightDecay

    @Option(parsing: .unconditional, help: "Dropout probability before the head.")
    var dropout = 0.1

    @Option(help: "Seed for the head, the dropout masks and the batch order.")
    var seed: UInt32 = 0

    @Option(
        help:
            "Write the head of the first initialization in --inits as safetensors (keys classifier.weight, classifier.bias; the class names in the metadata, for 'kindling classify')."
    )
    var save: String?

    @Flag(help: "With --save, write the whole model with BertForSequenceClassification's keys (bert.*, classifier.*).")
    var full = false

    @Option(help: "Write a report folder (loss curves per initialization, summary table).")
    var report: String?

    func initializations() throws -> [InitializationName] {
        try parseInitializations(inits, option: "inits")
    }

    func validate() throws {
        _ = try initializations()
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw ValidationError("--lr must be a positive number, got \(learningRate)")
        }
        guard weightDecay >= 0 else { throw ValidationError("--weight-decay must not be negative, got \(weightDecay)") }
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1), got \(dropout)") }
        if full && save == nil { throw ValidationError("--full needs --save FILE") }
        if let save, URL(fileURLWithPath: save).pathExtension != "safetensors" {
            throw ValidationError("--save: '\(save)' must end in .safetensors")
        }
        if let save { try checkWritableFile(save, option: "save") }
        if let report { try ReportDestination.check(report) }
    }

    /// Load the texts and the encoder -> build the model -> embed once -> initialize and fit each head -> save.
    func run() throws {
        let (trainSet, testSet) = try loadTexts()
        let (tokenizer, bert) = try loadEncoder()
        let model = BertForTextClassification(
            encoder: bert, labelCount: trainSet.classNames.count,
            dropoutProbability: dropout, generator: RandomGenerator(seed: seed))
        let start = Date()
        let trainFeatures = model.features(of: trainSet.texts, tokenizer: tokenizer)
        let testFeatures = model.features(of: testSet.texts, tokenizer: tokenizer)
        print(
            "\(trainSet.texts.count) training and \(testSet.texts.count) held-out sentences, classes \(trainSet.classNames.joined(separator: ", "))"
        )
        print(
            String(format: "encoder features computed once (frozen, no graph): %.1f s", Date().timeIntervalSince(start))
        )
        print(
            "head Linear(\(bert.configuration.hiddenSize), \(trainSet.classNames.count)), dropout \(dropout), AdamW lr \(learningRate) weight decay \(weightDecay), \(epochs) epochs of batches of \(batchSize)"
        )
        print("init      first loss  last loss  train acc  test acc")
        var outcomes: [HeadTraining.Outcome] = []
        var savedHead: [(key: String, value: Tensor<Float>)]?
        for initialization in try initializations() {
            let outcome = try HeadTraining.train(
                model, initialization: initialization, trainFeatures: trainFeatures,
                trainLabels: trainSet.labels, testFeatures: testFeatures,
                testLabels: testSet.labels, settings: settings)
            outcomes.append(outcome)
            if savedHead == nil { savedHead = model.huggingFaceStateDictionary(includingEncoder: full) }
            print(
                initialization.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + String(
                        format: "  %10.4f  %9.4f  %9.4f  %8.4f", outcome.epochLosses.first ?? .nan,
                        outcome.epochLosses.last ?? .nan, outcome.trainAccuracy, outcome.testAccuracy))
        }
        if let save, let savedHead {
            try write(
                savedHead, to: save, initialization: outcomes[0].initialization, classNames: trainSet.classNames,
                hiddenSize: bert.configuration.hiddenSize)
        }
        if let report {
            try writeReport(outcomes, to: report)
            print("wrote \(report)/index.html")
        }
    }

    /// The --train and --test sentences, the test labels encoded with the training set's classes.
    func loadTexts() throws -> (train: LabeledTexts, test: LabeledTexts) {
        do {
            let trainSet = try LabeledTexts(contentsOf: URL(fileURLWithPath: train))
            return (trainSet, try LabeledTexts(contentsOf: URL(fileURLWithPath: test), classNames: trainSet.classNames))
        } catch {
            let defaults = [Self.defaultTrain, Self.defaultTest].filter { [train, test].contains($0) }
            let hint =
                defaults.contains(where: { !FileManager.default.fileExists(atPath: $0) })
                ? " (\(defaults.count == 1 ? "the default" : "the defaults") \(defaults.joined(separator: " and ")) "
                    + "\(defaults.count == 1 ? "is" : "are") read from the current folder: run kindling in Kindling's "
                    + "folder, or give --train and --test)" : ""
            throw ValidationError("\(error)\(hint)")
        }
    }

    /// The sentences that --train and --test name by default: Kindling's `datasets/topics`, relative to the
    /// current folder.
    static let defaultTrain = "datasets/topics/train.tsv"
    static let defaultTest = "datasets/topics/test.tsv"

    /// The tokenizer and the pretrained encoder of the --encoder folder.
    func loadEncoder() throws -> (WordPieceTokenizer, BertModel<Float>) {
        let folder = URL(fileURLWithPath: encoder)
        do {
            return (try WordPieceTokenizer(folder: folder), try BertModel<Float>.load(from: folder))
        } catch {
            throw ValidationError("--encoder: \(error)")
        }
    }

    /// The head's optimization settings from the options.
    var settings: HeadTraining.Settings {
        var settings = HeadTraining.Settings()
        settings.epochs = epochs
        settings.batchSize = batchSize
        settings.learningRate = learningRate
        settings.weightDecay = weightDecay
        settings.seed = seed
        return settings
    }

    /// Writes the first head's state dictionary (with the encoder under --full) to --save as safetensors, with
    /// the class names and the encoder in the metadata (`SavedHead`).
    func write(
        _ head: [(key: String, value: Tensor<Float>)], to path: String,
        initialization: InitializationName, classNames: [String], hiddenSize: Int
    ) throws {
        var file = SafeTensors(
            metadata: SavedHead.metadata(classNames: classNames, hiddenSize: hiddenSize, encoder: encoder))
        for (key, value) in head { file.tensors[key] = SafeTensors.Entry(value) }
        do { try file.write(to: URL(fileURLWithPath: path)) } catch {
            throw ValidationError("--save: \(error)")
        }
        print("wrote \(path) (\(initialization.rawValue) head\(full ? " and the encoder" : ""))")
    }

    func writeReport(_ outcomes: [HeadTraining.Outcome], to path: String) throws {
        var document = Report(title: "Kindling: head initializations on a frozen encoder")
        document.addText(
            "Encoder \(encoder) (frozen), training file \(train), held-out file \(test); AdamW lr \(learningRate), \(epochs) epochs, seed \(seed)."
        )
        document.addTable(
            CSVTable(
                header: ["init", "first loss", "last loss", "train accuracy", "test accuracy"],
                rows: outcomes.map {
                    [
                        $0.initialization.rawValue, "\($0.epochLosses.first ?? .nan)",
                        "\($0.epochLosses.last ?? .nan)", "\($0.trainAccuracy)", "\($0.testAccuracy)",
                    ]
                }),
            caption: "Summary")
        let series = outcomes.map {
            ChartSeries($0.initialization.rawValue, x: (1...$0.epochLosses.count).map(Double.init), y: $0.epochLosses)
        }
        document.addChart(
            LineChart(
                title: "Training loss of the head", xLabel: "epoch", yLabel: "cross-entropy",
                yScale: .logarithmic, series: series
            ).svg,
            fileName: "loss-curves.svg", caption: "Mean training cross-entropy per epoch")
        document.addFile(
            CSVTable.curves(series, xName: "epoch").text, fileName: "loss-curves.csv",
            caption: "The losses as CSV, one column per initialization")
        try document.write(to: URL(fileURLWithPath: path))
    }
}
