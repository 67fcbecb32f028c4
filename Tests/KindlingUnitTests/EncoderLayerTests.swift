import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Embedding, LayerNorm, GELU, attention, the BERT layer and stack: finite-difference gradient checks
/// in Double, and values and gradients against PyTorch float64 (Scripts/reference/transformers_tiny_bert.py
/// -> Fixtures/tiny_bert/ and Fixtures/tiny_bert_reference.safetensors).
final class EncoderLayerTests: XCTestCase {
    let generator = RandomGenerator(seed: 5)

    func randn(_ shape: [Int]) -> Tensor<Double> { Tensor.randn(shape, generator: generator) }

    func reference() throws -> SafeTensors { try SafeTensors.read(from: fixtureURL("tiny_bert_reference.safetensors")) }

    func check(
        _ inputs: [Tensor<Double>], file: StaticString = #filePath, line: UInt = #line,
        _ function: @escaping ([Tensor<Double>]) -> Tensor<Double>
    ) {
        let result = gradcheck(function, inputs: inputs)
        XCTAssertTrue(result.passed, result.description, file: file, line: line)
    }

    func testLayerNormGELUAndEmbeddingPassGradcheck() {
        check([randn([3, 5]), randn([5]), randn([5])]) { layerNorm($0[0], weight: $0[1], bias: $0[2]) }
        check([randn([2, 2, 4]), randn([4]), randn([4])]) {
            layerNorm($0[0], weight: $0[1], bias: $0[2], epsilon: 1e-12)
        }
        for approximation in GELUApproximation.allCases {
            check([randn([4, 5]) * 2]) { gelu($0[0], approximation: approximation) }
        }
        check([randn([5, 3])]) { embedding([1, 0, 4, 4, 2, 1], shape: [2, 3], weight: $0[0], paddingIndex: nil) }
    }

    func testAttentionAndBertLayerPassGradcheckWithAMask() {
        let configuration = BertConfiguration(
            vocabularySize: 7, hiddenSize: 4, hiddenLayerCount: 1, attentionHeadCount: 2,
            intermediateSize: 6, hiddenDropoutProbability: 0,
            attentionDropoutProbability: 0, maximumPositions: 5)
        let mask = [[1, 1, 1], [1, 1, 0]]
        let attention = MultiHeadSelfAttention<Double>(hiddenSize: 4, headCount: 2, generator: generator)
        check([randn([2, 3, 4])]) { attention($0[0], attentionMask: mask) }
        let layer = BertLayer<Double>(configuration: configuration, generator: generator)
        check([randn([2, 3, 4])]) { layer($0[0], attentionMask: mask) }
    }

    func testPartsMatchPyTorch() throws {
        let r = try reference()
        func t(_ key: String) throws -> Tensor<Double> { try r.tensor(named: key, as: Double.self) }
        let x = try t("ln.x").requiringGradient()
        let w = try t("ln.w").requiringGradient()
        let b = try t("ln.b").requiringGradient()
        let y = layerNorm(x, weight: w, bias: b)
        y.backward(try t("ln.g"))
        assertClose(y.scalars, try t("ln.y").scalars, tolerance: 1e-12, "layerNorm")
        assertClose(x.grad!.scalars, try t("ln.dx").scalars, tolerance: 1e-12, "layerNorm dx")
        assertClose(w.grad!.scalars, try t("ln.dw").scalars, tolerance: 1e-12, "layerNorm dw")
        assertClose(b.grad!.scalars, try t("ln.db").scalars, tolerance: 1e-12, "layerNorm db")
        for approximation in GELUApproximation.allCases {
            let key = "gelu.\(approximation.rawValue)"
            let x = try t("\(key).x").requiringGradient()
            let y = gelu(x, approximation: approximation)
            y.backward(try t("\(key).g"))
            assertClose(y.scalars, try t("\(key).y").scalars, tolerance: 1e-14, key)
            assertClose(x.grad!.scalars, try t("\(key).dx").scalars, tolerance: 1e-13, "\(key) dx")
        }
        let table = try t("embedding.table").requiringGradient()
        let ids = try r.integers(named: "embedding.ids").map(Int.init)
        let looked = embedding(ids, shape: [2, 3], weight: table, paddingIndex: 4)
        looked.backward(try t("embedding.g"))
        XCTAssertEqual(looked.scalars, try t("embedding.y").scalars)
        assertClose(
            table.grad!.scalars, try t("embedding.dtable").scalars, tolerance: 1e-15,
            "embedding: padding row gets no gradient")
    }

    func testTinyBertModelMatchesTransformersInValueAndGradient() throws {
        let r = try reference()
        let model = try BertModel<Double>.load(from: fixtureURL("tiny_bert"))
        model.eval()
        XCTAssertEqual(model.configuration.hiddenLayerCount, 2)
        let ids = try r.integers(named: "ids").map(Int.init)
        let mask = try r.integers(named: "mask").map(Int.init)
        let batch = TokenBatch(
            ids: stride(from: 0, to: ids.count, by: 7).map { Array(ids[$0..<($0 + 7)]) },
            attentionMask: stride(from: 0, to: mask.count, by: 7).map { Array(mask[$0..<($0 + 7)]) })
        let output = model(batch)
        XCTAssertEqual(output.shape, [3, 7, 8])
        assertClose(
            output.scalars, try r.tensor(named: "output", as: Double.self).scalars, tolerance: 1e-12,
            "last hidden state")
        output.backward(try r.tensor(named: "upstream", as: Double.self))
        let layers = model.encoder.layers
        let pairs: [(Parameter<Double>, String)] = [
            (layers[0].attention.query.weight, "grad.query"), (model.embeddings.wordEmbeddings.weight, "grad.word"),
            (layers[1].outputLayerNorm.weight, "grad.ln"), (layers[1].intermediate.bias!, "grad.intermediate"),
        ]
        for (parameter, key) in pairs {
            assertClose(
                parameter.grad!.scalars, try r.tensor(named: key, as: Double.self).scalars, tolerance: 1e-11, key)
        }
    }

    /// Without a graph the encoder runs fused (EncoderInference); its values must be the modules' own, with a
    /// mask and with sequences long enough that the attention is cut into blocks of query rows (length 300,
    /// d 2: 437 rows per block would fit, so blocks of 300; length 600: 218 rows per block, 3 blocks), and
    /// with more tokens than go through the layers together (9 sequences of 300: groups of 6 and 3).
    func testEncoderWithoutAGraphMatchesTheModules() throws {
        for (length, count) in [(7, 2), (600, 2), (300, 9)] {
            let configuration = BertConfiguration(
                vocabularySize: 50, hiddenSize: 8, hiddenLayerCount: 2, attentionHeadCount: 4,
                intermediateSize: 12, hiddenDropoutProbability: 0.1, attentionDropoutProbability: 0.1,
                maximumPositions: 600)
            let model = BertModel<Double>(configuration: configuration, generator: generator)
            model.eval()
            let ids = (0..<count).map { _ in (0..<length).map { _ in generator.randint(low: 1, high: 50) } }
            let batch = TokenBatch(
                ids: ids,
                attentionMask: (0..<count).map { sequence in
                    (0..<length).map { sequence % 2 == 0 || $0 < length / 2 ? 1 : 0 }
                })
            let recorded = model(batch)
            let fused = withoutGradient { model(batch) }
            XCTAssertEqual(fused.shape, recorded.shape)
            assertClose(fused.scalars, recorded.scalars, tolerance: 1e-13, "length \(length)")
            let unmasked = TokenBatch(ids: ids, attentionMask: ids.map { $0.map { _ in 1 } })
            assertClose(
                withoutGradient { model(unmasked) }.scalars, model(unmasked).scalars, tolerance: 1e-13,
                "length \(length), no padding")
        }
    }

    func testEveryParameterHasItsHuggingFaceKey() throws {
        let model = try BertModel<Double>.load(from: fixtureURL("tiny_bert"))
        let keys = Set(model.namedParameters.map { BertModel<Double>.huggingFaceKey(for: $0.name) })
        let file = try SafeTensors.read(from: fixtureURL("tiny_bert/model.safetensors"))
        XCTAssertEqual(keys, Set(file.tensors.keys))
        XCTAssertEqual(
            BertModel<Double>.huggingFaceKey(for: "encoder.layers.1.attentionLayerNorm.bias"),
            "encoder.layer.1.attention.output.LayerNorm.bias")
        XCTAssertEqual(
            BertModel<Double>.huggingFaceKey(for: "encoder.layers.0.attention.output.weight"),
            "encoder.layer.0.attention.output.dense.weight")
    }

    func testLoadingListsEveryMismatchAtOnce() throws {
        let folder = try temporaryFolder()
        var file = try SafeTensors.read(from: fixtureURL("tiny_bert/model.safetensors"))
        file.tensors["encoder.layer.0.attention.self.key.bias"] = nil
        file.tensors["embeddings.LayerNorm.weight"] = SafeTensors.Entry(Tensor<Double>.zeros([9]))
        file.tensors["encoder.layer.0.extra"] = SafeTensors.Entry(Tensor<Double>.zeros([2]))
        try file.write(to: folder.appendingPathComponent("model.safetensors"))
        try FileManager.default.copyItem(
            at: fixtureURL("tiny_bert/config.json"), to: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try BertModel<Float>.load(from: folder)) { error in
            guard case .mismatchedWeights(_, let differences) = error as? EncoderLoadingError else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(
                differences,
                [
                    "embeddings.LayerNorm.weight: shape [9] in the file, [8] in the model",
                    "missing encoder.layer.0.attention.self.key.bias (shape [8])",
                    "unexpected encoder.layer.0.extra (shape [2])",
                ])
        }
    }

    func testConfigurationErrorsNameTheKey() throws {
        let url = try temporaryFolder().appendingPathComponent("config.json")
        try Data(
            #"{"model_type": "bert", "vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 3, "intermediate_size": 4}"#
                .utf8
        ).write(to: url)
        XCTAssertThrowsError(try BertConfiguration(contentsOf: url)) { error in
            XCTAssertEqual(
                error as? EncoderLoadingError,
                .invalidConfiguration(
                    path: url.path, key: "num_attention_heads", reason: "3 heads do not divide hidden_size 8"))
        }
        try Data(#"{"model_type": "bert", "hidden_size": 8}"#.utf8).write(to: url)
        XCTAssertThrowsError(try BertConfiguration(contentsOf: url)) { error in
            XCTAssertEqual(
                error as? EncoderLoadingError,
                .invalidConfiguration(path: url.path, key: "vocab_size", reason: "missing"))
        }
    }
}
