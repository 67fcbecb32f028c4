import Kindling
import KindlingTestSupport
import XCTest

// Reference trajectories come from Scripts/reference/torch_optim_variants.py
// (Fixtures/torch_optim_variants.json): torch.optim with parameter groups, amsgrad and maximize in float64
// on torch_optim.py's problem, loss = mean((tanh(X Wᵀ + b) − Y)²), parameters recorded after every step.

/// The Kindling optimizer of a variant run: [weight, bias] as one group, or [weight] and [bias] as two
/// groups with the run's overrides.
private func makeOptimizer(_ run: ReferenceRun, weight: Parameter<Double>, bias: Parameter<Double>) throws
    -> any Optimizer<Double>
{
    let options = run.options
    let groups =
        run.groups.map { overrides in
            zip([weight, bias], overrides).map { parameter, override in
                ParameterGroup(
                    [parameter], learningRate: override["lr"] as? Double,
                    weightDecay: override["weight_decay"] as? Double)
            }
        } ?? [ParameterGroup([weight, bias])]
    let learningRate = try XCTUnwrap(options["lr"] as? Double)
    let betas = (options["betas"] as? [Double]).map { ($0[0], $0[1]) } ?? (0.9, 0.999)
    let amsgrad = options["amsgrad"] as? Bool ?? false
    let maximize = options["maximize"] as? Bool ?? false
    switch run.optimizer {
    case "SGD":
        return try SGD(
            groups, learningRate: learningRate, momentum: options["momentum"] as? Double ?? 0,
            weightDecay: options["weight_decay"] as? Double ?? 0, maximize: maximize)
    case "Adam":
        return try Adam(
            groups, learningRate: learningRate, betas: betas,
            weightDecay: options["weight_decay"] as? Double ?? 0, amsgrad: amsgrad, maximize: maximize)
    case "AdamW":
        return try AdamW(
            groups, learningRate: learningRate, betas: betas,
            weightDecay: try XCTUnwrap(options["weight_decay"] as? Double), amsgrad: amsgrad, maximize: maximize)
    default:
        throw OptimizerError("unknown optimizer \(run.optimizer) in the fixture")
    }
}

final class OptimizerVariantTests: XCTestCase {
    /// Steps the Kindling optimizer configured as the fixture's run and compares every step's parameters.
    private func assertFollowsPyTorch(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let problem = try ReferenceProblem.load("torch_optim_variants")
        let run = try XCTUnwrap(problem.runs[name], "no run \(name) in the fixture")
        XCTAssertGreaterThanOrEqual(run.trajectory.count, 20, file: file, line: line)
        let weight = Parameter(problem.initialWeight)
        let bias = Parameter(problem.initialBias)
        let optimizer = try makeOptimizer(run, weight: weight, bias: bias)
        for (step, expected) in run.trajectory.enumerated() {
            optimizer.zeroGradients()
            regressionLoss(problem.inputs, problem.targets, weight, bias).backward()
            optimizer.step()
            assertClose(
                weight.value.scalars, expected.weight, tolerance: 1e-12,
                "\(name): weight after step \(step + 1)", file: file, line: line)
            assertClose(
                bias.value.scalars, expected.bias, tolerance: 1e-12,
                "\(name): bias after step \(step + 1)", file: file, line: line)
        }
    }

    func testSGDMaximize() throws { try assertFollowsPyTorch("sgd_maximize") }
    func testSGDMomentumAndWeightDecayMaximize() throws { try assertFollowsPyTorch("sgd_momentum_maximize") }
    func testSGDParameterGroups() throws { try assertFollowsPyTorch("sgd_groups") }
    func testPlainSGDParameterGroups() throws { try assertFollowsPyTorch("sgd_groups_plain") }
    func testAdamAMSGrad() throws { try assertFollowsPyTorch("adam_amsgrad") }
    func testAdamAMSGradWithWeightDecay() throws { try assertFollowsPyTorch("adam_amsgrad_weight_decay") }
    func testAdamMaximize() throws { try assertFollowsPyTorch("adam_maximize") }
    func testAdamWAMSGrad() throws { try assertFollowsPyTorch("adamw_amsgrad") }
    func testAdamWAMSGradMaximize() throws { try assertFollowsPyTorch("adamw_amsgrad_maximize") }
    func testAdamParameterGroups() throws { try assertFollowsPyTorch("adam_groups") }
    func testAdamWParameterGroups() throws { try assertFollowsPyTorch("adamw_groups") }

    func testFloatAMSGradFollowsDouble() throws {
        let problem = try ReferenceProblem.load("torch_optim_variants")
        let run = try XCTUnwrap(problem.runs["adamw_amsgrad"])
        let weight = Parameter<Float>(converted(problem.initialWeight))
        let bias = Parameter<Float>(converted(problem.initialBias))
        let x: Tensor<Float> = converted(problem.inputs)
        let y: Tensor<Float> = converted(problem.targets)
        let optimizer = try AdamW([weight, bias], learningRate: 0.05, weightDecay: 0.1, amsgrad: true)
        for expected in run.trajectory {
            optimizer.zeroGradients()
            regressionLoss(x, y, weight, bias).backward()
            optimizer.step()
            assertClose(weight.value.scalars, expected.weight.map(Float.init), tolerance: 1e-4)
        }
    }

    func testWeightDecayGroupsLeaveBiasesAndNormalizationWeightsUndecayed() throws {
        let model = Sequential<Double>(Linear(3, 4), BatchNorm1d(4), ReLU(), Linear(4, 2))
        let groups = model.weightDecayGroups(weightDecay: 0.05)
        XCTAssertEqual(groups.count, 2)
        XCTAssertEqual(groups[0].weightDecay, 0.05)
        XCTAssertEqual(groups[1].weightDecay, 0)
        let named = Dictionary(
            uniqueKeysWithValues: model.namedParameters.map { (ObjectIdentifier($0.parameter), $0.name) })
        XCTAssertEqual(groups[0].parameters.map { named[ObjectIdentifier($0)] }, ["0.weight", "3.weight"])
        XCTAssertEqual(
            groups[1].parameters.map { named[ObjectIdentifier($0)] }, ["0.bias", "1.weight", "1.bias", "3.bias"])

        // A bias that decays would shrink towards 0 with a zero gradient; one in the no-decay group stays.
        let optimizer = try AdamW(groups, learningRate: 0.1)
        for parameter in model.parameters { parameter.grad = .zeros(parameter.shape) }
        let biasBefore = model.parameters[1].value.scalars
        let weightBefore = model.parameters[0].value.scalars
        optimizer.step()
        XCTAssertEqual(model.parameters[1].value.scalars, biasBefore)
        assertClose(model.parameters[0].value.scalars, weightBefore.map { $0 * (1 - 0.1 * 0.05) }, tolerance: 1e-15)
    }

    func testGroupLearningRateOverridesAndDefaults() throws {
        let first = Parameter(Tensor<Double>([1]))
        let second = Parameter(Tensor<Double>([1]))
        let optimizer = try SGD(
            [ParameterGroup([first], learningRate: 0.5), ParameterGroup([second])], learningRate: 0.1)
        XCTAssertEqual(optimizer.parameters.count, 2)
        XCTAssertEqual(optimizer.learningRate(ofGroup: 0), 0.5)
        XCTAssertEqual(optimizer.learningRate(ofGroup: 1), 0.1)
        optimizer.learningRate = 0.2  // only the group without its own rate follows
        optimizer.parameterGroups[0].learningRate = 0.25
        first.grad = Tensor([1])
        second.grad = Tensor([1])
        optimizer.step()
        XCTAssertEqual(first.value.scalars, [0.75])
        XCTAssertEqual(second.value.scalars, [0.8])
    }

    func testInvalidGroupsAreRejected() {
        let parameter = Parameter(Tensor<Double>([1]))
        XCTAssertThrowsError(try SGD([ParameterGroup([parameter]), ParameterGroup([parameter])], learningRate: 0.1)) {
            XCTAssertTrue("\($0)".contains("appears more than once"), "\($0)")
        }
        XCTAssertThrowsError(try Adam([ParameterGroup([parameter], learningRate: -1)])) {
            XCTAssertTrue("\($0)".contains("learning rate of group 0 -1.0"), "\($0)")
        }
        XCTAssertThrowsError(try AdamW([ParameterGroup([parameter], weightDecay: -0.5)])) {
            XCTAssertTrue("\($0)".contains("weight decay of group 0 -0.5"), "\($0)")
        }
        XCTAssertNoThrow(try SGD([ParameterGroup([parameter]), ParameterGroup([])], learningRate: 0.1))
    }
}

/// Parameter groups, AMSGrad and maximize survive a checkpoint (see OptimizerCheckpointTests).
extension OptimizerCheckpointTests {
    private func groups(_ parameters: [Parameter<Double>]) -> [ParameterGroup<Double>] {
        [
            ParameterGroup(Array(parameters.prefix(2)), learningRate: 0.02),
            ParameterGroup(Array(parameters.dropFirst(2)), weightDecay: 0),
        ]
    }

    func testAMSGradWithParameterGroupsResumesExactly() throws {
        try assertResumeIsExact { try AdamW(self.groups($0), learningRate: 0.01, amsgrad: true) }
    }

    func testMaximizingSGDWithParameterGroupsResumesExactly() throws {
        try assertResumeIsExact {
            try SGD(self.groups($0), learningRate: 0.01, momentum: 0.9, weightDecay: 0.01, maximize: true)
        }
    }

    func testGroupRatesAndLayoutAreSavedAndChecked() throws {
        let source = model()
        let optimizer = try Adam(groups(source.parameters), learningRate: 0.01, amsgrad: true)
        train(source, optimizer, steps: 3)
        optimizer.parameterGroups[0].learningRate = 0.005  // as a schedule would
        let state = optimizer.stateDictionary
        XCTAssertEqual(state.numbers["param_groups.0.lr"], 0.005)
        XCTAssertEqual(state.settings["param_groups"], "2,4")
        XCTAssertEqual(state.settings["amsgrad"], "true")
        XCTAssertNotNil(state.tensors["state.0.max_exp_avg_sq"])

        let restored = try Adam(groups(model().parameters), learningRate: 0.01, amsgrad: true)
        try restored.loadStateDictionary(state)
        XCTAssertEqual(restored.parameterGroups[0].learningRate, 0.005)
        XCTAssertEqual(restored.stateDictionary, state)

        let plain = try Adam(model().parameters, learningRate: 0.01, amsgrad: true)
        XCTAssertThrowsError(try plain.loadStateDictionary(state)) {
            XCTAssertTrue("\($0)".contains("param_groups"), "\($0)")
        }
        let withoutAMSGrad = try Adam(groups(model().parameters), learningRate: 0.01)
        XCTAssertThrowsError(try withoutAMSGrad.loadStateDictionary(state)) {
            XCTAssertTrue("\($0)".contains("amsgrad"), "\($0)")
        }
    }
}
