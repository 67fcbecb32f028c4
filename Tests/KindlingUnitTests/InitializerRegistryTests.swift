import Kindling
import XCTest

/// The registry's promise: every entry is a name the command line takes and draws what its summary says.
final class InitializerRegistryTests: XCTestCase {
    /// The standard deviation each entry's formula gives a Linear(512, 256) weight (fan_in 512, fan_out 256)
    /// with the default settings; one row per registry entry. lsuv is checked by its output instead.
    let expected: [String: Double] = [
        "zeros": 0,
        "random": 10,  // N(0, 1) · 10
        "he": (2.0 / 512).squareRoot(),  // N(0, 2/fan_in)
        "xavier": (2.0 / 768).squareRoot(),  // U(±sqrt(6/(fan_in+fan_out))): bound/sqrt(3)
        "lecun": (1.0 / 512).squareRoot(),  // N(0, 1/fan_in)
        "orthogonal": (1.0 / 512).squareRoot(),  // 256 orthonormal rows of 512
        "pytorch-default": 1 / (3.0 * 512).squareRoot(),  // U(±1/sqrt(fan_in))
        "automatic": (2.0 / 768).squareRoot(),  // no activation after: Xavier uniform
        "random-uniform": 0.05 / 3.0.squareRoot(),  // U(-0.05, 0.05)
        "glorot-uniform": (2.0 / 768).squareRoot(),
        "he-normal": (2.0 / 512).squareRoot(),  // variance 2/fan_in after truncation
        "lecun-uniform": (1.0 / 512).squareRoot(),  // U(±sqrt(3/fan_in))
        "normal": 1,
        "xavier-normal": (2.0 / 768).squareRoot(),
        "kaiming-uniform": (2.0 / 512).squareRoot(),  // U(±sqrt(6/fan_in))
    ]

    func testEveryNameAndAliasParsesAndKeepsItsSpelling() throws {
        for entry in InitializerRegistry.entries {
            for name in [entry.name] + entry.aliases {
                let parsed = try XCTUnwrap(InitializationName(rawValue: name), name)
                XCTAssertEqual(parsed.rawValue, name)
                XCTAssertEqual(parsed.entry.name, entry.name)
                XCTAssertTrue(InitializerRegistry.nameList.contains(name), name)
            }
        }
        XCTAssertEqual(InitializationName.allCases.map(\.rawValue), InitializerRegistry.entries.map(\.name))
        XCTAssertNil(InitializationName(rawValue: "bogus"))
        let names = InitializerRegistry.entries.flatMap { [$0.name] + $0.aliases }
        XCTAssertEqual(Set(names).count, names.count, "a name or alias appears twice")
    }

    func testEveryEntryDrawsTheSpreadOfItsFormula() throws {
        XCTAssertEqual(
            Set(expected.keys).union(["lsuv"]), Set(InitializerRegistry.entries.map(\.name)),
            "every registry entry needs a row in `expected`")
        let batch = Tensor<Double>.randn([64, 512], generator: RandomGenerator(seed: 1))
        for name in InitializationName.allCases {
            let layer = Linear<Double>(512, 256)
            name.initialize(layer, batch: batch, generator: RandomGenerator(seed: 7))
            let weight = layer.weight.value.scalars
            let bias = layer.bias!.value.scalars
            if name.rawValue == "pytorch-default" {
                XCTAssertLessThanOrEqual(bias.map(abs).max()!, 1 / 512.0.squareRoot())
                XCTAssertGreaterThan(bias.map(abs).max()!, 0)
            } else {
                XCTAssertEqual(bias, [Double](repeating: 0, count: 256), "\(name): biases are 0")
            }
            guard let spread = expected[name.rawValue] else {
                let output = layer(batch).scalars
                XCTAssertEqual(standardDeviation(output), 1, accuracy: 0.1, "lsuv: output std 1 ± 0.1")
                continue
            }
            XCTAssertEqual(standardDeviation(weight), spread, accuracy: 0.02 * spread, name.rawValue)
        }
    }

    func testTheGainScalesTheEntriesThatTakeOne() {
        let settings = InitializationSettings(gain: 3)
        let fanIn = (1.0 / 512).squareRoot()
        let fanSum = (2.0 / 768).squareRoot()
        let bases: [(String, Double)] = [
            ("he", fanIn), ("xavier", fanSum), ("orthogonal", fanIn),
            ("xavier-normal", fanSum), ("kaiming-uniform", fanIn),
        ]
        for (name, base) in bases {
            let layer = Linear<Double>(512, 256)
            let initialization = InitializationName(rawValue: name)!
            layer.initializeWeights(initialization.scheme(settings), generator: RandomGenerator(seed: 7))
            XCTAssertEqual(standardDeviation(layer.weight.value.scalars), 3 * base, accuracy: 0.06 * base, name)
        }
    }
}
