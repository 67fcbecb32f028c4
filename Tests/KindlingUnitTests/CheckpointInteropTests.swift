import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// PyTorch on both sides of a checkpoint: Kindling loads state_dicts PyTorch saved with safetensors and
/// reproduces PyTorch's eval-mode outputs, and PyTorch loads a file Kindling wrote with strict=True.
/// Reference: Scripts/reference/torch_checkpoints.py -> Fixtures/torch_checkpoints.json and the
/// torch_*.safetensors files beside it.
final class CheckpointInteropTests: XCTestCase {
    func reference() throws -> [String: Any] { try XCTUnwrap(fixture("torch_checkpoints.json") as? [String: Any]) }

    /// The script's nn.Sequential(Linear(4, 8), BatchNorm1d(8), ReLU(), Dropout(0.3), Linear(8, 3)).
    func mlp<S: TensorScalar>(_: S.Type, generator: RandomGenerator = RandomGenerator(seed: 1)) -> Sequential<S> {
        Sequential(
            Linear(4, 8, generator: generator), BatchNorm1d(8), ReLU(), Dropout(probability: 0.3, generator: generator),
            Linear(8, 3, generator: generator))
    }

    /// The script's eval inputs: numpy.random.RandomState(seed).standard_normal(shape).
    func input<S: TensorScalar>(_ shape: [Int], seed: UInt32) -> Tensor<S> {
        .randn(shape, generator: RandomGenerator(seed: seed))
    }

    func testPyTorchMLPReproducesInDoubleAndFloat() throws {
        let reference = try reference()
        let double = mlp(Double.self)
        XCTAssertTrue(try double.load(from: fixtureURL("torch_mlp_f64.safetensors")).isComplete)
        double.eval()
        assertClose(
            double(input([5, 4], seed: 31)).scalars, try XCTUnwrap(reference["mlp_eval_output_f64"] as? [Double]),
            tolerance: 1e-12)
        XCTAssertEqual(
            double.namedBuffers.first { $0.name == "1.num_batches_tracked" }?.buffer.value.scalar,
            try XCTUnwrap(reference["mlp_num_batches_tracked"] as? Double))

        let float = mlp(Float.self)
        try float.load(from: fixtureURL("torch_mlp_f32.safetensors"))
        float.eval()
        let expected = try XCTUnwrap(reference["mlp_eval_output_f32"] as? [Double]).map(Float.init)
        assertClose(float(input([5, 4], seed: 31)).scalars, expected, tolerance: 1e-5)
    }

    func testPyTorchSimpleCNNReproducesInDoubleAndFloat() throws {
        let reference = try reference()
        let url = try fixtureURL("torch_simple_cnn_f32.safetensors")
        let double = SimpleCNN<Double>(classes: 2)
        try double.load(from: url)
        double.eval()
        assertClose(
            double(input([2, 3, 32, 32], seed: 32)).scalars,
            try XCTUnwrap(reference["cnn_eval_output_f64"] as? [Double]),
            tolerance: 1e-12)
        XCTAssertEqual(
            double.bn1.batchesTracked.value.scalar, try XCTUnwrap(reference["cnn_num_batches_tracked"] as? Double))

        let float = SimpleCNN<Float>(classes: 2)
        try float.load(from: url)
        float.eval()
        let expected = try XCTUnwrap(reference["cnn_eval_output_f32"] as? [Double]).map(Float.init)
        assertClose(float(input([2, 3, 32, 32], seed: 32)).scalars, expected, tolerance: 1e-5)
    }

    /// Fixtures/kindling_mlp.safetensors is this model's file: 3 training steps of the MLP in Double,
    /// saved by Kindling. The test checks that Kindling still writes that layout and those values (run it with
    /// KINDLING_WRITE_FIXTURES=1 to rewrite the file, then Scripts/reference/regenerate), and that
    /// PyTorch, having loaded the file with strict=True, computed the outputs Kindling computes.
    func testKindlingFileIsWhatKindlingWritesAndPyTorchReproducesIt() throws {
        let model = mlp(Double.self, generator: RandomGenerator(seed: 41))
        let data: Tensor<Double> = input([16, 4], seed: 42)
        let labels = (0..<16).map { $0 % 3 }
        let optimizer = try SGD(model.parameters, learningRate: 0.1, momentum: 0.9)
        for _ in 0..<3 {
            optimizer.zeroGradients()
            crossEntropy(model(data), classIndices: labels).backward()
            optimizer.step()
        }
        model.eval()
        let written = SafeTensors(stateDictionaryOf: model, metadata: ["format": "pt"]).serialized()
        if ProcessInfo.processInfo.environment["KINDLING_WRITE_FIXTURES"] == "1" {
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Fixtures/kindling_mlp.safetensors")
            try model.save(to: source, metadata: ["format": "pt"])
            throw XCTSkip("wrote \(source.path): run Scripts/reference/regenerate next")
        }
        // The layout (header, order, offsets) must be the committed file's byte for byte; the trained values
        // only to 1e-12, since their last bits depend on which BLAS kernels ran the 3 steps.
        let committed = [UInt8](try Data(contentsOf: fixtureURL("kindling_mlp.safetensors")))
        let headerEnd = 8 + Int(committed[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        XCTAssertEqual(
            Array(written.prefix(headerEnd)), Array(committed.prefix(headerEnd)),
            "Kindling no longer writes the committed layout: rewrite the file (see the doc comment)")
        let writtenFile = try written.withUnsafeBytes { try SafeTensors(bytes: $0) }
        let committedFile = try committed.withUnsafeBytes { try SafeTensors(bytes: $0) }
        XCTAssertEqual(
            try writtenFile.integers(named: "1.num_batches_tracked"),
            try committedFile.integers(named: "1.num_batches_tracked"))
        for key in committedFile.tensors.keys where key != "1.num_batches_tracked" {
            assertClose(
                try writtenFile.tensor(named: key, as: Double.self).scalars,
                try committedFile.tensor(named: key, as: Double.self).scalars, tolerance: 1e-12)
        }
        let reference = try reference()
        XCTAssertEqual(reference["kindling_mlp_num_batches_tracked"] as? Int, 3)
        XCTAssertEqual((reference["kindling_mlp_dtypes"] as? [String: String])?["0.weight"], "F64")
        assertClose(
            model(input([5, 4], seed: 31)).scalars,
            try XCTUnwrap(reference["kindling_mlp_eval_output_f64"] as? [Double]), tolerance: 1e-12)
    }
}
