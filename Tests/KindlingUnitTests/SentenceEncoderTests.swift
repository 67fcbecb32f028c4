import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// SentenceEncoder on small random BERT sentence-transformers folders (classic and current layouts,
/// every pooling mode, cased and uncased vocabularies, three ways of setting the maximum length), against
/// the token ids and the embeddings of sentence-transformers 6 (Scripts/reference/sentence_transformers_folders.py
/// -> Fixtures/sentence_transformers/ and Fixtures/sentence_transformers_folders.json).
final class SentenceEncoderTests: XCTestCase {
    struct Case {
        let name: String
        let maximumLength: Int
        let ids: [[Int]]
        let float32: [[Double]]
        let float64: [[Double]]
    }

    func cases() throws -> (texts: [String], cases: [Case]) {
        let object = try XCTUnwrap(try fixture("sentence_transformers_folders.json") as? [String: Any])
        let folders = try XCTUnwrap(object["folders"] as? [String: [String: Any]])
        let cases = try folders.keys.sorted().map { name in
            let entry = folders[name]!
            return Case(
                name: name, maximumLength: try XCTUnwrap(entry["max_seq_length"] as? Int),
                ids: try XCTUnwrap(entry["ids"] as? [[Int]]), float32: try XCTUnwrap(entry["float32"] as? [[Double]]),
                float64: try XCTUnwrap(entry["float64"] as? [[Double]]))
        }
        return (try XCTUnwrap(object["texts"] as? [String]), cases)
    }

    func folder(_ name: String) throws -> URL { try fixtureURL("sentence_transformers/\(name)") }

    func testTokenIDsAndMaximumLengthMatchSentenceTransformers() throws {
        let (texts, cases) = try cases()
        XCTAssertEqual(cases.count, 5)
        for c in cases {
            let encoder = try SentenceEncoder<Float>(folder: try folder(c.name))
            XCTAssertEqual(encoder.configuration.maximumLength, c.maximumLength, c.name)
            XCTAssertEqual(encoder.tokenIDs(texts), c.ids, c.name)
        }
    }

    func testFloatEmbeddingsMatchSentenceTransformersWithin1e5() throws {
        let (texts, cases) = try cases()
        for c in cases {
            let encoder = try SentenceEncoder<Float>(folder: try folder(c.name))
            // batch size 2 on 7 texts: batches of different padded lengths and a short last batch.
            let embeddings = encoder.embed(texts, batchSize: 2)
            XCTAssertEqual(embeddings.shape, [texts.count, c.float32[0].count], c.name)
            var worst = 0.0
            for (i, row) in c.float32.enumerated() {
                for (j, value) in row.enumerated() { worst = max(worst, abs(Double(embeddings[i, j]) - value)) }
            }
            XCTAssertLessThan(worst, 1e-5, c.name)
        }
    }

    func testDoubleEmbeddingsMatchFloat64Within1e12() throws {
        let (texts, cases) = try cases()
        for c in cases {
            let embeddings = try SentenceEncoder<Double>(folder: try folder(c.name)).embed(texts, batchSize: 3)
            var worst = 0.0
            for (i, row) in c.float64.enumerated() {
                for (j, value) in row.enumerated() { worst = max(worst, abs(embeddings[i, j] - value)) }
            }
            XCTAssertLessThan(worst, 1e-12, c.name)
        }
    }

    func testResultsDoNotDependOnBatchingOrOrder() throws {
        let (texts, _) = try cases()
        let encoder = try SentenceEncoder<Double>(folder: try folder("concatenated_modes"))
        let whole = encoder.embed(texts, batchSize: 32)
        let reversed = encoder.embed(texts.reversed(), batchSize: 1)
        for i in texts.indices {
            for j in 0..<encoder.dimension {
                XCTAssertEqual(whole[i, j], reversed[texts.count - 1 - i, j], accuracy: 1e-12)
            }
        }
        XCTAssertEqual(encoder.embed([], batchSize: 4).shape, [0, encoder.dimension])
    }

    /// sentenceEmbeddings cuts texts at the model's 9 positions although the tokenizer allows 512.
    func testSentenceEmbeddingsStayWithinThePositionEmbeddings() throws {
        let (texts, _) = try cases()
        let url = try folder("positions_mean_sqrt")
        let (model, tokenizer) = (try BertModel<Double>.load(from: url), try WordPieceTokenizer(folder: url))
        XCTAssertEqual(tokenizer.maximumLength, 512)
        let encoder = SentenceEncoder(
            model: model, tokenizer: tokenizer,
            configuration: SentenceEncoderConfiguration(poolingModes: [.mean], normalizes: true, maximumLength: 9))
        XCTAssertEqual(
            sentenceEmbeddings(texts, model: model, tokenizer: tokenizer, batchSize: 3).scalars,
            encoder.embed(texts, batchSize: 3).scalars)
    }

    func testUnsupportedFoldersAreRefusedNamingTheField() throws {
        let source = try folder("classic_mean_normalize")
        func refusal(_ file: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
            let copy = try temporaryFolder().appendingPathComponent("model")
            try FileManager.default.copyItem(at: source, to: copy)
            let url = copy.appendingPathComponent(file)
            var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            edit(&object)
            try JSONSerialization.data(withJSONObject: object).write(to: url)
            do {
                _ = try SentenceEncoder<Float>(folder: copy)
                return "loaded"
            } catch { return "\(error)" }
        }
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            ("config.json", { $0["model_type"] = "roberta" }, "model_type: roberta is not \"bert\""),
            (
                "config.json", { $0["position_embedding_type"] = "relative_key" },
                "position_embedding_type: relative_key is not supported"
            ),
            (
                "tokenizer_config.json", { $0["tokenizer_class"] = "RobertaTokenizer" },
                "tokenizer_class = RobertaTokenizer"
            ),
            ("tokenizer_config.json", { $0["cls_token"] = "<s>" }, "cls_token = <s>"),
            ("1_Pooling/config.json", { $0 = ["pooling_mode": "median"] }, "pooling_mode: \"median\" is not one of"),
            ("1_Pooling/config.json", { $0["word_embedding_dimension"] = 9 }, "9 is not the model's hidden size 8"),
            (
                "config_sentence_transformers.json", { $0["default_prompt_name"] = "query" },
                "default_prompt_name: query: prompts are not supported"
            ),
        ]
        for (file, edit, message) in cases {
            let text = try refusal(file, edit)
            XCTAssertTrue(text.contains(file) && text.contains(message), "\(file): \(text)")
        }
        let copy = try temporaryFolder().appendingPathComponent("dense")
        try FileManager.default.copyItem(at: source, to: copy)
        let modules = copy.appendingPathComponent("modules.json")
        try Data(
            #"[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]"#
                .utf8
        ).write(to: modules)
        XCTAssertThrowsError(try SentenceEncoder<Float>(folder: copy)) {
            XCTAssertTrue(
                "\($0)".contains("modules.json: type: \"sentence_transformers.models.Dense\" is not supported"), "\($0)"
            )
        }
    }
}

/// SemanticIndex: the top hits of one GEMM equal a brute-force ranking by cosine similarity.
final class SemanticIndexTests: XCTestCase {
    func testSearchReturnsTheBestCosinesInOrder() {
        let generator = RandomGenerator(seed: 4)
        let documents = Tensor<Double>.randn([40, 6], generator: generator)
        let queries = Tensor<Double>.randn([3, 6], generator: generator)
        let index = SemanticIndex(embeddings: documents)
        let results = index.search(queries, top: 5)
        let similarities = cosineSimilarities(queries, documents)
        for (query, hits) in results.enumerated() {
            let expected = (0..<40).sorted { similarities[query, $0] > similarities[query, $1] }.prefix(5)
            XCTAssertEqual(hits.map(\.index), Array(expected))
            for hit in hits { XCTAssertEqual(hit.score, similarities[query, hit.index], accuracy: 1e-12) }
        }
        XCTAssertEqual(index.search(queries, top: 100)[0].count, 40)
        XCTAssertEqual(
            SemanticIndex(embeddings: Tensor<Double>(shape: [0, 6], scalars: [])).search(queries, top: 2), [[], [], []])
    }
}
