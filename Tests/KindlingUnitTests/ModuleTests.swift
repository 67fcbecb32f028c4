import Kindling
import KindlingTestSupport
import XCTest

// Expected names come from Scripts/reference/torch_optim.py (Fixtures/torch_optim.json, "modules"): the
// state_dict() keys and named_parameters() of the same trees built with torch.nn.

/// A leaf module that stores its mode, to see train()/eval() arrive.
private final class ModeProbe: ModuleBase, Module {
    func callAsFunction(_ input: Tensor<Double>) -> Tensor<Double> { input }
}

/// fc1/act/fc2 with a parameter and a buffer of its own (torch: `Net`).
private class Net: ModuleBase, Module {
    let fc1 = Linear<Double>(2, 3, generator: RandomGenerator(seed: 1))
    let act = ReLU<Double>()
    let fc2 = Linear<Double>(3, 1, generator: RandomGenerator(seed: 2))
    let scale = Parameter(Tensor<Double>([1]))
    let steps = Buffer(Tensor<Double>([0]))

    func callAsFunction(_ input: Tensor<Double>) -> Tensor<Double> { fc2(act(fc1(input))) * scale.value }
}

/// A subclass adding a layer (torch: `DerivedNet`).
private final class DerivedNet: Net {
    let fc3 = Linear<Double>(1, 1, generator: RandomGenerator(seed: 3))

    override func callAsFunction(_ input: Tensor<Double>) -> Tensor<Double> { fc3(super.callAsFunction(input)) }
}

/// A Sequential, an array of blocks, an optional child that is present and one that is absent
/// (torch: `Nested`).
private final class Nested: ModuleBase, Module {
    let features = Sequential<Double>(Linear(2, 4), ReLU(), Linear(4, 4))
    let blocks = [Linear<Double>(4, 4), Linear<Double>(4, 4)]
    var projection: Linear<Double>? = Linear(4, 2)
    var shortcut: Linear<Double>?
    let head = Linear<Double>(2, 1, bias: false)
    let probes = [ModeProbe(), ModeProbe()]

    func callAsFunction(_ input: Tensor<Double>) -> Tensor<Double> {
        var hidden = blocks.reduce(features(input)) { $1($0) }
        hidden = projection.map { $0(hidden) } ?? hidden
        return head(hidden)
    }
}

final class ModuleTests: XCTestCase {
    private func expectedKeys(_ model: String) throws -> (stateDictionary: [String], parameters: [String]) {
        let root = try XCTUnwrap(fixture("torch_optim.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/torch_optim.py")
        let modules = try XCTUnwrap(root["modules"] as? [String: [String: [String]]])
        let keys = try XCTUnwrap(modules[model])
        return (try XCTUnwrap(keys["state_dict"]), try XCTUnwrap(keys["named_parameters"]))
    }

    private func assertNamesMatchPyTorch(
        _ model: some Module, _ name: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let expected = try expectedKeys(name)
        XCTAssertEqual(model.stateDictionary.map(\.key), expected.stateDictionary, file: file, line: line)
        XCTAssertEqual(model.namedParameters.map(\.name), expected.parameters, file: file, line: line)
    }

    func testSequentialNamesAreNumbered() throws {
        let model = Sequential<Double>(Linear(2, 3), ReLU(), Linear(3, 1))
        try assertNamesMatchPyTorch(model, "sequential")
        XCTAssertEqual(model.namedModules.map(\.name), ["", "0", "1", "2"])
    }

    func testUserModuleNamesAreItsPropertyNames() throws {
        let model = Net()
        try assertNamesMatchPyTorch(model, "net")
        XCTAssertEqual(model.namedBuffers.map(\.name), ["steps"])
        XCTAssertTrue(model.namedParameters[1].parameter === model.fc1.weight)
    }

    func testSubclassPropertiesFollowTheBaseClasses() throws {
        try assertNamesMatchPyTorch(DerivedNet(), "derived_net")
    }

    func testArraysOfModulesAreNumberedAndAbsentOptionalChildrenSkipped() throws {
        let model = Nested()
        try assertNamesMatchPyTorch(model, "nested")
        XCTAssertEqual(
            model.namedChildren.map(\.name),
            ["features", "blocks.0", "blocks.1", "projection", "head", "probes.0", "probes.1"])
        model.shortcut = Linear(4, 4)
        XCTAssertTrue(model.stateDictionary.map(\.key).contains("shortcut.weight"))
        model.projection = nil
        XCTAssertFalse(model.stateDictionary.map(\.key).contains { $0.hasPrefix("projection") })
    }

    func testStateDictionaryHoldsDetachedValues() {
        let model = Net()
        let state = model.stateDictionary
        XCTAssertEqual(state.first { $0.key == "fc1.weight" }?.value, model.fc1.weight.value)
        XCTAssertEqual(state.first { $0.key == "steps" }?.value, model.steps.value)
        XCTAssertTrue(state.allSatisfy { !$0.value.requiresGradient })
    }

    func testSharedParameterIsNamedOnceButStoredUnderEveryName() throws {
        let shared = Linear<Double>(3, 3)
        let model = Sequential<Double>(shared, ReLU(), shared)
        try assertNamesMatchPyTorch(model, "shared")
        XCTAssertEqual(model.parameters.count, 2)
    }

    func testTrainAndEvalReachEveryChild() {
        let inner = ModeProbe()
        let outer = ModeProbe()
        let model = Sequential<Double>(Linear(2, 2), Sequential<Double>(Linear(2, 2), inner), outer)
        let nested = Nested()
        XCTAssertTrue(model.isTraining)
        model.eval()
        nested.eval()
        XCTAssertFalse(inner.isTraining)
        XCTAssertFalse(outer.isTraining)
        XCTAssertFalse(model.isTraining)
        XCTAssertTrue(nested.probes.allSatisfy { !$0.isTraining })
        XCTAssertFalse(nested.isTraining)
        model.train()
        XCTAssertTrue(inner.isTraining)
        XCTAssertTrue(outer.isTraining)
        XCTAssertTrue(model.isTraining)
    }

    func testFrozenParameterGetsNoGradient() {
        let model = Net()
        model.fc1.weight.requiresGradient = false
        model(Tensor<Double>([[0.5, -1], [2, 0.25]])).sum().backward()
        XCTAssertNil(model.fc1.weight.grad)
        XCTAssertNotNil(model.fc1.bias?.grad)
        XCTAssertNotNil(model.fc2.weight.grad)
        XCTAssertNotNil(model.scale.grad)
        model.zeroGradients()
        XCTAssertTrue(model.parameters.allSatisfy { $0.grad == nil })
    }

    func testOptimizerUpdatesTheParametersTheModelHolds() throws {
        let model = Net()
        let weight = model.fc2.weight
        let before = weight.value.scalars
        let optimizer = try SGD(model.parameters, learningRate: 0.5)
        XCTAssertTrue(optimizer.parameters.contains { $0 === model.fc2.weight })
        model(Tensor<Double>([[0.5, -1], [2, 0.25]])).sum().backward()
        let gradient = try XCTUnwrap(weight.grad).scalars
        optimizer.step()
        XCTAssertTrue(model.fc2.weight === weight)
        assertClose(model.fc2.weight.value.scalars, zip(before, gradient).map { $0 - 0.5 * $1 }, tolerance: 1e-15)
    }

    func testValueAssignmentKeepsIdentityAndGradient() {
        let model = Net()
        let parameter = model.fc1.bias!
        model(Tensor<Double>([[1, 2]])).sum().backward()
        let gradient = parameter.grad
        parameter.value = Tensor([7, 8, 9])
        XCTAssertTrue(model.fc1.bias === parameter)
        XCTAssertEqual(model.fc1.bias?.value.scalars, [7, 8, 9])
        XCTAssertEqual(parameter.grad, gradient)
        XCTAssertTrue(parameter.value.requiresGradient)
        XCTAssertEqual(model.stateDictionary.first { $0.key == "fc1.bias" }?.value.scalars, [7, 8, 9])
    }
}
