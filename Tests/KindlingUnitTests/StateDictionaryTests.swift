import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Saving and loading models through safetensors: dtypes in the file, strict and non-strict loads,
/// Float and Double models reading each other's files.
final class StateDictionaryTests: XCTestCase {
    func model<S: TensorScalar>(_: S.Type, seed: UInt32, hidden: Int = 4, outputs: Int = 2) -> Sequential<S> {
        let generator = RandomGenerator(seed: seed)
        return Sequential(
            Linear(3, hidden, generator: generator), BatchNorm1d(hidden), ReLU(),
            Linear(hidden, outputs, generator: generator))
    }

    func temporaryFile() throws -> URL {
        try temporaryFolder().appendingPathComponent("model.safetensors")
    }

    let input = Tensor<Double>([[0.5, -1, 2], [1.5, 0.25, -0.75], [-2, 1, 0.5]])

    func testFloatFileIntoDoubleModelAndBack() throws {
        let original = model(Float.self, seed: 1)
        // Moves the running statistics and counts 2 batches.
        for _ in 0..<2 { _ = original(Tensor(shape: input.shape, scalars: input.scalars.map(Float.init))) }
        let url = try temporaryFile()
        try original.save(to: url, metadata: ["epoch": "2"])

        let file = try SafeTensors.read(from: url)
        XCTAssertEqual(file.metadata, ["epoch": "2"])
        XCTAssertEqual(Set(file.tensors.keys), Set(original.stateDictionary.map(\.key)))
        XCTAssertEqual(file.tensors["1.num_batches_tracked"]?.dtype, .int64)
        XCTAssertEqual(try file.integers(named: "1.num_batches_tracked"), [2])
        XCTAssertEqual(file.tensors["0.weight"]?.dtype, .float32)
        XCTAssertEqual(file.tensors["1.running_var"]?.dtype, .float32)

        let double = model(Double.self, seed: 9)
        let result = try double.load(from: url)
        XCTAssertTrue(result.isComplete)
        XCTAssertEqual(result.loadedKeys, double.stateDictionary.map(\.key))
        for ((key, loaded), (_, saved)) in zip(double.stateDictionary, original.stateDictionary) {
            XCTAssertEqual(loaded.scalars, saved.scalars.map(Double.init), key)
        }
        XCTAssertEqual(double.layers[1].namedOwnBuffers.last?.buffer.value.scalar, 2)
        original.eval()
        double.eval()
        let floatOutput = original(Tensor(shape: input.shape, scalars: input.scalars.map(Float.init)))
        assertClose(double(input).scalars, floatOutput.scalars.map(Double.init), tolerance: 1e-6)

        let back = try temporaryFile()
        try double.save(to: back)
        XCTAssertEqual(try SafeTensors.read(from: back).tensors["0.weight"]?.dtype, .float64)
        let reloaded = model(Float.self, seed: 5)
        try reloaded.load(from: back)
        XCTAssertEqual(reloaded.stateDictionary.map(\.value), original.stateDictionary.map(\.value))
    }

    func testStrictLoadListsEveryProblemAtOnceAndLoadsNothing() throws {
        let source = model(Double.self, seed: 1)
        var state = source.stateDictionary.filter { $0.key != "0.bias" }
        state.append((key: "extra.weight", value: .zeros([1])))
        let target = model(Double.self, seed: 2, outputs: 3)
        let before = target.stateDictionary
        XCTAssertThrowsError(try target.loadStateDictionary(state)) { error in
            guard let error = error as? StateDictionaryError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.result.missingKeys, ["0.bias"])
            XCTAssertEqual(error.result.unexpectedKeys, ["extra.weight"])
            XCTAssertEqual(
                error.result.shapeMismatches,
                [
                    .init(key: "3.weight", loadedShape: [2, 4], modelShape: [3, 4]),
                    .init(key: "3.bias", loadedShape: [2], modelShape: [3]),
                ])
            XCTAssertEqual(
                error.description,
                """
                Error(s) in loading state dictionary for Sequential<Double>:
                    Missing key(s): "0.bias".
                    Unexpected key(s): "extra.weight".
                    size mismatch for 3.weight: copying a tensor of shape [2, 4], the shape in the current model is [3, 4].
                    size mismatch for 3.bias: copying a tensor of shape [2], the shape in the current model is [3].
                """)
        }
        XCTAssertEqual(target.stateDictionary.map(\.value), before.map(\.value), "a failed strict load changes nothing")
    }

    func testNonStrictLoadLoadsWhatFitsAndReturnsTheRest() throws {
        let source = model(Double.self, seed: 1)
        let target = model(Double.self, seed: 2, outputs: 3)
        let head = target.stateDictionary.filter { $0.key.hasPrefix("3.") }
        let optimizer = try SGD(target.parameters, learningRate: 0.1)
        let result = try target.loadStateDictionary(source.stateDictionary, strict: false)
        XCTAssertEqual(result.missingKeys, [])
        XCTAssertEqual(result.unexpectedKeys, [])
        XCTAssertEqual(result.shapeMismatches.map(\.key), ["3.weight", "3.bias"])
        XCTAssertEqual(
            result.loadedKeys,
            ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"])
        XCTAssertEqual(
            target.stateDictionary.filter { $0.key.hasPrefix("0.") }.map(\.value),
            source.stateDictionary.filter { $0.key.hasPrefix("0.") }.map(\.value))
        XCTAssertEqual(target.stateDictionary.filter { $0.key.hasPrefix("3.") }.map(\.value), head.map(\.value))
        XCTAssertTrue(optimizer.parameters[0] === target.parameters[0], "loading keeps the parameters' identity")
        XCTAssertEqual(optimizer.parameters[0].value, source.parameters[0].value)
    }

    func testLoadingAMalformedOrUnconvertibleFileThrowsTheFileError() throws {
        let url = try temporaryFile()
        try Data([1, 2, 3]).write(to: url)
        XCTAssertThrowsError(try model(Float.self, seed: 1).load(from: url)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .fileTooShort(byteCount: 3))
        }
        try SafeTensors(tensors: ["0.weight": .init(dtype: .float8E4M3, shape: [1], bytes: [0])]).write(to: url)
        XCTAssertThrowsError(try model(Float.self, seed: 1).load(from: url, strict: false)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .unsupportedConversion(key: "0.weight", dtype: .float8E4M3))
        }
    }
}
