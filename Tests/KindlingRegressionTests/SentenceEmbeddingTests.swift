import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// all-MiniLM-L6-v2 (Scripts/fetch-encoder) against transformers' BertModel on 24 sentences in one padded
/// batch: Scripts/reference/transformers_encoder.py -> Fixtures/transformers_encoder.safetensors.
final class SentenceEmbeddingTests: XCTestCase {
    func reference() throws -> (SafeTensors, [String]) {
        let url = try fixtureURL("transformers_encoder.safetensors")
        let file = try SafeTensors.read(from: url)
        let sentences = try JSONSerialization.jsonObject(with: Data(file.metadata["sentences"]!.utf8)) as! [String]
        return (file, sentences)
    }

    /// Every `step`-th feature of (batch, length, hidden) states, as the fixture stores them.
    func sampled<S: TensorScalar>(_ hidden: Tensor<S>, step: Int) -> [S] {
        let width = hidden.shape[2]
        return stride(from: 0, to: hidden.count, by: width).flatMap { row in
            stride(from: 0, to: width, by: step).map { hidden.scalars[row + $0] }
        }
    }

    func check<S: TensorScalar>(_: S.Type, suffix: String, step: Int, tolerance: S) throws {
        let folder = try encoderFolder()
        let (file, sentences) = try reference()
        XCTAssertEqual(sentences.count, 24)
        let tokenizer = try WordPieceTokenizer(folder: folder)
        let model = try BertModel<S>.load(from: folder)
        model.eval()
        let batch = tokenizer.encode(batch: sentences)
        XCTAssertEqual(batch.ids.flatMap { $0 }, try file.integers(named: "ids").map(Int.init))
        XCTAssertEqual(batch.attentionMask.flatMap { $0 }, try file.integers(named: "mask").map(Int.init))
        let hidden = withoutGradient { model(batch) }
        XCTAssertEqual(hidden.shape, [24, batch.length, 384])
        let expectedHidden = try file.tensor(named: "hidden\(suffix)", as: S.self).scalars
        let actualHidden = sampled(hidden, step: step)
        assertClose(actualHidden, expectedHidden, tolerance: tolerance, "last hidden state (\(S.self))")
        let pooled = l2Normalized(meanPooled(hidden, attentionMask: batch.attentionMask))
        assertClose(
            pooled.scalars, try file.tensor(named: "pooled\(suffix)", as: S.self).scalars,
            tolerance: tolerance, "sentence embeddings (\(S.self))")
        if S.self == Float.self {
            assertClose(
                model.pooledOutput(of: hidden).scalars, try file.tensor(named: "pooler32", as: S.self).scalars,
                tolerance: tolerance, "pooler output")
        }
        let largest = zip(actualHidden, expectedHidden).map { Swift.abs($0 - $1) }.max()!
        print("\(S.self): largest |difference| in the sampled last hidden states \(largest)")
    }

    func testFloatMatchesTransformersWithin1e5() throws {
        try check(Float.self, suffix: "32", step: 16, tolerance: 1e-5)
    }

    func testDoubleMatchesTransformersFloat64Within1e12() throws {
        try check(Double.self, suffix: "64", step: 64, tolerance: 1e-12)
    }

    func testSentenceEmbeddingsAreUnitRowsAndSimilarSentencesAreCloser() throws {
        let folder = try encoderFolder()
        let model = try BertModel<Float>.load(from: folder)
        let tokenizer = try WordPieceTokenizer(folder: folder)
        let texts = ["A man is eating food.", "A man is eating a piece of bread.", "The stock market fell sharply."]
        let embeddings = sentenceEmbeddings(texts, model: model, tokenizer: tokenizer, batchSize: 2)
        XCTAssertEqual(embeddings.shape, [3, 384])
        let similarities = cosineSimilarities(embeddings, embeddings)
        for i in 0..<3 { XCTAssertEqual(similarities[i, i], 1, accuracy: 1e-5) }
        XCTAssertGreaterThan(similarities[0, 1], similarities[0, 2] + 0.3)
        XCTAssertTrue(model.isTraining, "sentenceEmbeddings restores the model's mode")
    }
}
