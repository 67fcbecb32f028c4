import Kindling
import KindlingTestSupport
import XCTest

// Reference trajectories come from Scripts/reference/torch_optim.py (Fixtures/torch_optim.json): torch.optim
// SGD, Adam and AdamW in float64 on loss = mean((tanh(X Wᵀ + b) − Y)²), parameters recorded after every step.

/// One run of the fixture: the optimizer, its options and PyTorch's parameters after each step.
struct ReferenceRun {
    let name: String
    let optimizer: String
    let options: [String: Any]
    /// The overrides of the weight's group and of the bias's group, when they are two groups.
    let groups: [[String: Any]]?
    let skipsBiasOnOddSteps: Bool
    let trajectory: [(weight: [Double], bias: [Double])]
}

/// The fixed problem and the runs of the fixture.
struct ReferenceProblem {
    let inputs: Tensor<Double>
    let targets: Tensor<Double>
    let initialWeight: Tensor<Double>
    let initialBias: Tensor<Double>
    let runs: [String: ReferenceRun]

    static func load(_ name: String = "torch_optim") throws -> ReferenceProblem {
        let root = try XCTUnwrap(fixture("\(name).json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/\(name).py")
        func tensor(_ key: String, _ shapeKey: String?) throws -> Tensor<Double> {
            let scalars = try XCTUnwrap(root[key] as? [Double])
            let shape = try shapeKey.map { try XCTUnwrap(root[$0] as? [Int]) } ?? [scalars.count]
            return Tensor(shape: shape, scalars: scalars)
        }
        var runs: [String: ReferenceRun] = [:]
        for run in try XCTUnwrap(root["runs"] as? [[String: Any]]) {
            let steps = try XCTUnwrap(run["trajectory"] as? [[String: [Double]]])
            let name = try XCTUnwrap(run["name"] as? String)
            runs[name] = ReferenceRun(
                name: name, optimizer: try XCTUnwrap(run["optimizer"] as? String),
                options: try XCTUnwrap(run["options"] as? [String: Any]), groups: run["groups"] as? [[String: Any]],
                skipsBiasOnOddSteps: try XCTUnwrap(run["skip_bias_on_odd_steps"] as? Bool),
                trajectory: try steps.map { (try XCTUnwrap($0["weight"]), try XCTUnwrap($0["bias"])) })
        }
        return ReferenceProblem(
            inputs: try tensor("inputs", "inputs_shape"), targets: try tensor("targets", "targets_shape"),
            initialWeight: try tensor("initial_weight", "weight_shape"), initialBias: try tensor("initial_bias", nil),
            runs: runs)
    }
}

/// The fixture's loss, mean((tanh(X Wᵀ + b) − Y)²), computed with Kindling's autograd.
func regressionLoss<S>(_ x: Tensor<S>, _ y: Tensor<S>, _ weight: Parameter<S>, _ bias: Parameter<S>) -> Tensor<S> {
    let error = tanh(Tensor.matmul(x, weight.value, transposingRight: true) + bias.value) - y
    return (error * error).mean()
}

func converted<S: TensorScalar>(_ tensor: Tensor<Double>) -> Tensor<S> {
    Tensor(shape: tensor.shape, scalars: tensor.scalars.map { S($0) })
}

/// The Kindling optimizer with a run's options; runs without options use Kindling's defaults.
private func makeOptimizer<S>(_ run: ReferenceRun, _ parameters: [Parameter<S>]) throws -> any Optimizer<S> {
    let options = run.options
    let betas = (options["betas"] as? [Double]).map { ($0[0], $0[1]) }
    switch run.optimizer {
    case "SGD":
        return try SGD(
            parameters, learningRate: try XCTUnwrap(options["lr"] as? Double),
            momentum: options["momentum"] as? Double ?? 0, dampening: options["dampening"] as? Double ?? 0,
            nesterov: options["nesterov"] as? Bool ?? false, weightDecay: options["weight_decay"] as? Double ?? 0)
    case "Adam" where options.isEmpty:
        return try Adam(parameters)
    case "Adam":
        return try Adam(
            parameters, learningRate: try XCTUnwrap(options["lr"] as? Double), betas: betas ?? (0.9, 0.999),
            epsilon: options["eps"] as? Double ?? 1e-8, weightDecay: options["weight_decay"] as? Double ?? 0)
    case "AdamW" where options.isEmpty:
        return try AdamW(parameters)
    case "AdamW":
        return try AdamW(
            parameters, learningRate: try XCTUnwrap(options["lr"] as? Double), betas: betas ?? (0.9, 0.999),
            epsilon: options["eps"] as? Double ?? 1e-8, weightDecay: try XCTUnwrap(options["weight_decay"] as? Double))
    default:
        throw OptimizerError("unknown optimizer \(run.optimizer) in the fixture")
    }
}

final class OptimizerTests: XCTestCase {
    /// Steps the Kindling optimizer configured as the fixture's run and compares every step's parameters.
    private func assertFollowsPyTorch(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try assertFollowsPyTorch(name, as: Double.self, tolerance: 1e-12, file: file, line: line)
    }

    /// Steps the Kindling optimizer configured as the fixture's run and compares every step's parameters.
    private func assertFollowsPyTorch<S: TensorScalar>(
        _ name: String, as type: S.Type, tolerance: S, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let problem = try ReferenceProblem.load()
        let run = try XCTUnwrap(problem.runs[name], "no run \(name) in the fixture")
        XCTAssertGreaterThanOrEqual(run.trajectory.count, 20, file: file, line: line)
        let weight = Parameter<S>(converted(problem.initialWeight))
        let bias = Parameter<S>(converted(problem.initialBias))
        let x: Tensor<S> = converted(problem.inputs)
        let y: Tensor<S> = converted(problem.targets)
        let optimizer = try makeOptimizer(run, [weight, bias])
        for (step, expected) in run.trajectory.enumerated() {
            optimizer.zeroGradients()
            regressionLoss(x, y, weight, bias).backward()
            if run.skipsBiasOnOddSteps && step % 2 == 1 { bias.zeroGradient() }
            optimizer.step()
            assertClose(
                weight.value.scalars, expected.weight.map { S($0) }, tolerance: tolerance,
                "\(name): weight after step \(step + 1)", file: file, line: line)
            assertClose(
                bias.value.scalars, expected.bias.map { S($0) }, tolerance: tolerance,
                "\(name): bias after step \(step + 1)", file: file, line: line)
        }
    }

    func testSGDPlain() throws { try assertFollowsPyTorch("sgd_plain") }
    func testSGDMomentum() throws { try assertFollowsPyTorch("sgd_momentum") }
    func testSGDMomentumWithDampening() throws { try assertFollowsPyTorch("sgd_momentum_dampening") }
    func testSGDNesterov() throws { try assertFollowsPyTorch("sgd_nesterov") }
    func testSGDWeightDecay() throws { try assertFollowsPyTorch("sgd_weight_decay") }
    func testSGDMomentumDampeningAndWeightDecay() throws {
        try assertFollowsPyTorch("sgd_momentum_dampening_weight_decay")
    }
    func testSGDNesterovAndWeightDecay() throws { try assertFollowsPyTorch("sgd_nesterov_weight_decay") }
    func testSGDMomentumBufferStartsAtEachParametersFirstUpdate() throws {
        try assertFollowsPyTorch("sgd_momentum_skipping_bias")
    }
    func testAdam() throws { try assertFollowsPyTorch("adam") }
    func testAdamDefaultsArePyTorchs() throws { try assertFollowsPyTorch("adam_defaults") }
    func testAdamWithWeightDecayAndOtherBetas() throws { try assertFollowsPyTorch("adam_weight_decay") }
    func testAdamWithSmallBeta1() throws { try assertFollowsPyTorch("adam_small_beta1") }
    func testAdamCountsStepsPerParameter() throws { try assertFollowsPyTorch("adam_skipping_bias") }
    func testAdamW() throws { try assertFollowsPyTorch("adamw") }
    func testAdamWDefaultsArePyTorchs() throws { try assertFollowsPyTorch("adamw_defaults") }
    func testAdamWCountsStepsPerParameter() throws { try assertFollowsPyTorch("adamw_skipping_bias") }

    func testFloatFollowsTheDoubleTrajectory() throws {
        try assertFollowsPyTorch("sgd_nesterov_weight_decay", as: Float.self, tolerance: 1e-5)
        try assertFollowsPyTorch("adamw", as: Float.self, tolerance: 1e-4)
        try assertFollowsPyTorch("adam_weight_decay", as: Float.self, tolerance: 1e-4)
    }

    func testAdamWIsAdamWithDecoupledWeightDecay() throws {
        let parameter = [Parameter(Tensor<Double>([1]))]
        let adamW = try AdamW(parameter)
        XCTAssertTrue(adamW.decoupledWeightDecay)
        XCTAssertEqual(adamW.weightDecay, 0.01)
        let adam = try Adam(parameter)
        XCTAssertFalse(adam.decoupledWeightDecay)
        XCTAssertEqual(adam.weightDecay, 0)
        for optimizer in [adam, adamW] {
            XCTAssertEqual(optimizer.learningRate, 1e-3)
            XCTAssertEqual(optimizer.betas.0, 0.9)
            XCTAssertEqual(optimizer.betas.1, 0.999)
            XCTAssertEqual(optimizer.epsilon, 1e-8)
        }
    }

    func testInvalidSettingsAreRejectedWithTheValue() {
        let parameters = [Parameter(Tensor<Double>([1, 2]))]
        func assertRejected(
            _ make: @autoclosure () throws -> some Optimizer, mentioning text: String,
            file: StaticString = #filePath, line: UInt = #line
        ) {
            XCTAssertThrowsError(try make(), file: file, line: line) { error in
                let message = (error as? OptimizerError)?.description ?? ""
                XCTAssertTrue(message.contains(text), "'\(message)' does not mention '\(text)'", file: file, line: line)
            }
        }
        assertRejected(try SGD(parameters, learningRate: -0.1), mentioning: "learning rate -0.1")
        assertRejected(try SGD(parameters, learningRate: .nan), mentioning: "learning rate nan")
        assertRejected(try SGD(parameters, learningRate: 0.1, momentum: -0.5), mentioning: "momentum -0.5")
        assertRejected(try SGD(parameters, learningRate: 0.1, weightDecay: -1), mentioning: "weight decay -1.0")
        assertRejected(try SGD(parameters, learningRate: 0.1, nesterov: true), mentioning: "momentum 0.0")
        assertRejected(
            try SGD(parameters, learningRate: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true),
            mentioning: "dampening 0.1")
        assertRejected(
            try SGD(parameters, learningRate: 0.1, momentum: 0.9, dampening: .nan), mentioning: "dampening nan")
        assertRejected(try Adam(parameters, learningRate: -1e-3), mentioning: "learning rate -0.001")
        assertRejected(try Adam(parameters, betas: (1, 0.999)), mentioning: "beta1 1.0")
        assertRejected(try Adam(parameters, betas: (0.9, -0.1)), mentioning: "beta2 -0.1")
        assertRejected(try Adam(parameters, epsilon: -1e-8), mentioning: "epsilon -1e-08")
        assertRejected(try Adam(parameters, weightDecay: -0.1), mentioning: "weight decay -0.1")
        assertRejected(try AdamW(parameters, weightDecay: -0.01), mentioning: "weight decay -0.01")
        assertRejected(try AdamW(parameters, betas: (0.9, 1.5)), mentioning: "beta2 1.5")
        assertRejected(try SGD([Parameter<Double>](), learningRate: 0.1), mentioning: "empty parameter list")
        assertRejected(try AdamW(parameters + parameters), mentioning: "parameter 1 (shape [2]) appears more than once")
        XCTAssertNoThrow(try SGD(parameters, learningRate: 0, momentum: 0.9, dampening: 0, nesterov: true))
        XCTAssertNoThrow(try Adam(parameters, learningRate: 0, betas: (0, 0), epsilon: 0))
    }

    func testFrozenAndGradientlessParametersAreLeftAlone() throws {
        let model = Sequential<Double>(
            Linear(3, 2, generator: RandomGenerator(seed: 4)),
            Linear(2, 1, generator: RandomGenerator(seed: 5)))
        let unused = Parameter(Tensor<Double>([0.5, -0.5]))
        let frozen = try XCTUnwrap(model.parameters.first)
        frozen.requiresGradient = false
        let optimizers: [any Optimizer<Double>] = [
            try SGD(model.parameters + [unused], learningRate: 0.1, momentum: 0.9, weightDecay: 0.1),
            try Adam(model.parameters + [unused], weightDecay: 0.1),
            try AdamW(model.parameters + [unused]),
        ]
        for optimizer in optimizers {
            let before = model.parameters.map(\.value.scalars)
            for _ in 0..<3 {
                optimizer.zeroGradients()
                model(Tensor([[1, 2, 3]])).sum().backward()
                optimizer.step()
            }
            XCTAssertEqual(frozen.value.scalars, before[0], "\(type(of: optimizer))")
            XCTAssertNil(unused.grad)
            XCTAssertEqual(unused.value.scalars, [0.5, -0.5], "\(type(of: optimizer))")
            for (parameter, old) in zip(model.parameters.dropFirst(), before.dropFirst()) {
                XCTAssertNotEqual(parameter.value.scalars, old, "\(type(of: optimizer)) did not update")
            }
        }
    }

    func testZeroGradientsForgetsEveryGradient() throws {
        let model = Sequential<Double>(Linear(2, 2), Linear(2, 1))
        let optimizer = try AdamW(model.parameters)
        model(Tensor([[1, 2]])).sum().backward()
        XCTAssertTrue(model.parameters.allSatisfy { $0.grad != nil })
        optimizer.zeroGradients()
        XCTAssertTrue(model.parameters.allSatisfy { $0.grad == nil })
        let before = model.parameters.map(\.value.scalars)
        optimizer.step()
        XCTAssertEqual(model.parameters.map(\.value.scalars), before)
    }

    func testLearningRateChangeTakesEffectAtTheNextStep() throws {
        let parameter = Parameter(Tensor<Double>([1, -2]))
        let sgd = try SGD([parameter], learningRate: 0.1)
        parameter.grad = Tensor([2, 4])
        sgd.step()
        assertClose(parameter.value.scalars, [0.8, -2.4], tolerance: 1e-15)
        sgd.learningRate = 0.5
        sgd.step()
        assertClose(parameter.value.scalars, [-0.2, -4.4], tolerance: 1e-15)

        // Adam's first step moves each element by lr·g/(|g| + ε·…) ≈ lr in the direction of −g.
        let adamParameter = Parameter(Tensor<Double>([1, -2]))
        let adam = try Adam([adamParameter], learningRate: 0.1)
        adamParameter.grad = Tensor([2, -4])
        adam.learningRate = 0.25
        adam.step()
        assertClose(adamParameter.value.scalars, [0.75, -1.75], tolerance: 1e-8)
    }

    func testLargeParametersSplitAcrossCoresUpdateAsSmallOnes() throws {
        // 2¹⁸ elements are split across the cores; 2¹² pieces of 64 are each updated in one piece.
        let generator = RandomGenerator(seed: 11)
        let values = Tensor<Float>.randn([1 << 18], generator: generator)
        let gradients = (0..<3).map { _ in Tensor<Float>.randn([1 << 18], generator: generator) }
        let makers: [([Parameter<Float>]) throws -> any Optimizer<Float>] = [
            { try SGD($0, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01) },
            { try SGD($0, learningRate: 0.1, weightDecay: 0.01) },
            { try AdamW($0, learningRate: 0.01) },
        ]
        for make in makers {
            let large = Parameter(values)
            let pieces = (0..<(1 << 12)).map { Parameter(Tensor(Array(values.scalars[($0 * 64)..<($0 * 64 + 64)]))) }
            let largeOptimizer = try make([large])
            let piecesOptimizer = try make(pieces)
            for gradient in gradients {
                large.grad = gradient
                for (index, piece) in pieces.enumerated() {
                    piece.grad = Tensor(Array(gradient.scalars[(index * 64)..<(index * 64 + 64)]))
                }
                largeOptimizer.step()
                piecesOptimizer.step()
            }
            XCTAssertEqual(large.value.scalars, pieces.flatMap(\.value.scalars), "\(type(of: largeOptimizer))")
            XCTAssertNotEqual(large.value.scalars, values.scalars)
        }
    }

    func testStepWritesInPlace() throws {
        let model = Sequential<Float>(Linear(4, 3), Linear(3, 2))
        let optimizers: [any Optimizer<Float>] = [
            try SGD(model.parameters, learningRate: 0.1, momentum: 0.9), try AdamW(model.parameters),
        ]
        func addresses() -> [Int] {
            model.parameters.map { $0.value.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) } }
        }
        for optimizer in optimizers {
            let before = addresses()
            for _ in 0..<3 {
                optimizer.zeroGradients()
                model(Tensor([[1, 2, 3, 4]])).sum().backward()
                optimizer.step()
            }
            XCTAssertEqual(addresses(), before, "\(type(of: optimizer)) replaced a parameter's storage")
        }
    }
}
