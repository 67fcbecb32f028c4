import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// The article's experiment on datasets/topics: a frozen all-MiniLM-L6-v2 with a new head, against the
/// bag-of-words logistic regression of Scripts/reference/sklearn_topics_baseline.py
/// (-> Fixtures/sklearn_topics_baseline.json).
final class TextClassificationTests: XCTestCase {
    let topics = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("datasets/topics")

    func testFrozenEncoderWithANewHeadBeatsTheBagOfWordsBaseline() throws {
        let folder = try encoderFolder()
        let train = try LabeledTexts(contentsOf: topics.appendingPathComponent("train.tsv"))
        let test = try LabeledTexts(contentsOf: topics.appendingPathComponent("test.tsv"), classNames: train.classNames)
        XCTAssertEqual(train.classNames, ["food", "sports", "technology", "weather"])
        XCTAssertEqual([train.texts.count, test.texts.count], [335, 108])
        let model = BertForTextClassification(
            encoder: try BertModel<Float>.load(from: folder), labelCount: 4,
            generator: RandomGenerator(seed: 1))
        XCTAssertTrue(model.bert.parameters.allSatisfy { !$0.requiresGradient }, "the encoder is frozen")
        XCTAssertEqual(model.parameters.filter(\.requiresGradient).map(\.shape), [[4, 384], [4]])
        let tokenizer = try WordPieceTokenizer(folder: folder)
        let nodesBefore = Autograd.liveNodeCount
        let trainFeatures = model.features(of: train.texts, tokenizer: tokenizer)
        let testFeatures = model.features(of: test.texts, tokenizer: tokenizer)
        XCTAssertFalse(trainFeatures.requiresGradient)
        XCTAssertEqual(Autograd.liveNodeCount, nodesBefore, "no graph recorded for the frozen encoder")

        let baseline = try fixture("sklearn_topics_baseline.json") as! [String: Any]
        let baselineAccuracy = baseline["testAccuracy"] as! Double
        var outcomes: [InitializationName: HeadTraining.Outcome] = [:]
        for initialization: InitializationName in ["zeros", "xavier", "he", "default", "random"] {
            outcomes[initialization] = try HeadTraining.train(
                model, initialization: initialization, trainFeatures: trainFeatures, trainLabels: train.labels,
                testFeatures: testFeatures, testLabels: test.labels)
        }
        let xavier = try XCTUnwrap(outcomes["xavier"])
        print(
            "held-out accuracy: "
                + outcomes.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue) \($0.value.testAccuracy)" }.joined(separator: ", ")
                + "; bag of words \(baselineAccuracy)")
        XCTAssertGreaterThan(xavier.testAccuracy, baselineAccuracy + 0.2)
        XCTAssertEqual(xavier.epochLosses.count, 30)
        XCTAssertLessThan(xavier.epochLosses.last!, xavier.epochLosses.first! / 10)
        // A zero head starts at exactly ln 4 before its first step; N(0, 1) * 10 starts far above it.
        XCTAssertGreaterThan(outcomes["random"]!.epochLosses.first!, 3 * xavier.epochLosses.first!)
        XCTAssertTrue(
            model.bert.parameters.allSatisfy { $0.grad == nil }, "training the head leaves the encoder untouched")
    }

    func testLabeledTextErrorsNameTheFileAndLine() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("texts.tsv")
        try Data("a\tfirst\n\nb second\n".utf8).write(to: file)
        XCTAssertThrowsError(try LabeledTexts(contentsOf: file)) { error in
            XCTAssertEqual(error as? LabeledTextError, .malformedLine(path: file.path, line: 3, text: "b second"))
        }
        try Data("a\tfirst\nc\tthird\n".utf8).write(to: file)
        XCTAssertThrowsError(try LabeledTexts(contentsOf: file, classNames: ["a", "b"])) { error in
            XCTAssertEqual(error as? LabeledTextError, .unknownLabel(path: file.path, line: 2, label: "c"))
        }
        let texts = try LabeledTexts(contentsOf: file)
        XCTAssertEqual(texts.labels, [0, 1])
        XCTAssertEqual(texts.texts, ["first", "third"])
    }
}
