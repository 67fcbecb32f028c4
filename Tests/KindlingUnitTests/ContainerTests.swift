import Kindling
import KindlingTestSupport
import XCTest

// Reference keys come from Scripts/reference/torch_containers.py (Fixtures/torch_containers.json): the
// state_dict, named_parameters and named_modules of the same model built with nn.ModuleList / nn.ModuleDict.

/// The fixture's model.
private final class Model: ModuleBase, Module {
    let stem = Linear<Double>(2, 4)
    let blocks = ModuleList<Double>([Linear(4, 4), BatchNorm1d(4)])
    let heads = ModuleDictionary<Double>(["classifier": Linear(4, 3), "regressor": Linear(4, 1)])

    override init() {
        blocks.append(Linear(4, 4))
        heads["classifier"] = Linear(4, 5)
        heads["extra"] = Sequential(Linear(4, 2), ReLU())
    }

    func callAsFunction(_ input: Tensor<Double>) -> Tensor<Double> {
        let features = blocks.reduce(stem(input)) { $1($0) }
        return heads["classifier"]!(features)
    }
}

final class ContainerTests: XCTestCase {
    func testKeysFollowPyTorch() throws {
        let root = try XCTUnwrap(fixture("torch_containers.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_containers.py")
        let model = Model()
        let expected = try XCTUnwrap(root["state_dict"] as? [[Any]])
        XCTAssertEqual(model.stateDictionary.map(\.key), expected.map { $0[0] as? String })
        XCTAssertEqual(model.stateDictionary.map(\.value.shape), expected.map { $0[1] as? [Int] ?? [] })
        XCTAssertEqual(model.namedParameters.map(\.name), try XCTUnwrap(root["named_parameters"] as? [String]))
        XCTAssertEqual(model.namedModules.map(\.name), try XCTUnwrap(root["named_modules"] as? [String]))
    }

    func testContainersHoldTheirModulesAndTrain() throws {
        let model = Model()
        XCTAssertEqual(model.blocks.count, 3)
        XCTAssertEqual(model.heads.keys, ["classifier", "regressor", "extra"])
        XCTAssertEqual(model(Tensor.randn([4, 2], generator: RandomGenerator(seed: 1))).shape, [4, 5])
        model.heads["regressor"] = nil
        XCTAssertEqual(model.heads.keys, ["classifier", "extra"])
        XCTAssertFalse(model.stateDictionary.contains { $0.key.hasPrefix("heads.regressor") })

        let optimizer = try SGD(model.parameters, learningRate: 0.1)
        let before = model.blocks.parameters.map(\.value.scalars)
        (model(Tensor.randn([4, 2], generator: RandomGenerator(seed: 2))) * 1).sum().backward()
        optimizer.step()
        XCTAssertNotEqual(model.blocks.parameters.map(\.value.scalars), before, "the list's parameters train")
    }
}
