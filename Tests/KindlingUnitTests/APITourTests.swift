import Kindling
import XCTest

/// The container example of Snippets/Containers.swift (the ModulesAndInitialization article).
private final class MultiHead: ModuleBase, Module {
    let blocks = ModuleList<Float>((0..<3).map { _ in Linear(64, 64) })
    let heads = ModuleDictionary<Float>(["classifier": Linear(64, 10), "regressor": Linear(64, 1)])
    func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        heads["classifier"]!(blocks.reduce(x) { relu($1($0)) })
    }
}

/// The documentation's tour of the PyTorch-style API (optimizers with groups, schedules, clipping, matmul
/// rules, named padding, pooling modes, loss options, containers), run with checks of what the DocC
/// articles state: each part is the code of a file in Snippets/.
final class APITourTests: XCTestCase {
    func testOptimizerGroupsSchedulesAndClipping() throws {
        let model = Sequential<Float>(Linear(4, 8), BatchNorm1d(8), ReLU(), Linear(8, 3))
        let x = Tensor<Float>.randn([16, 4], generator: RandomGenerator(seed: 0))
        let labels = (0..<16).map { $0 % 3 }

        // Snippets/SchedulesAndClipping.swift
        let optimizer = try AdamW(model.weightDecayGroups(weightDecay: 0.05), learningRate: 1e-3, amsgrad: true)
        let scheduler = try LearningRateScheduler(
            optimizer,
            schedule: .sequential(
                [.linear(startFactor: 0.01, totalSteps: 100), .cosineAnnealing(maxSteps: 900)], milestones: [100]))
        for _ in 0..<1000 {
            optimizer.zeroGradients()
            crossEntropy(model(x), classIndices: labels, labelSmoothing: 0.1).backward()
            clipGradientNorm(model.parameters, maxNorm: 1.0)
            optimizer.step()
            scheduler.step()
        }

        XCTAssertEqual(optimizer.parameterGroups.map(\.parameters.count), [2, 4])
        XCTAssertEqual(scheduler.stepCount, 1000)
        XCTAssertEqual(optimizer.learningRate, 0, accuracy: 1e-15)  // the end of the cosine: its minimum, 0
    }

    func testTensorModuleAndLossSnippets() {
        let generator = RandomGenerator(seed: 0)
        // Snippets/MatrixProducts.swift
        let v = Tensor<Double>.randn([3], generator: generator)
        let m = Tensor<Double>.randn([3, 4], generator: generator)
        let batch = Tensor<Double>.randn([2, 5, 4, 3], generator: generator)
        XCTAssertEqual(v.matmul(v).shape, [])
        XCTAssertEqual(v.matmul(m).shape, [4])
        XCTAssertEqual(batch.matmul(v).shape, [2, 5, 4])
        XCTAssertEqual(batch.matmul(m).shape, [2, 5, 4, 4])

        // Snippets/LayersAndLosses.swift
        let images = Tensor<Float>.randn([8, 3, 32, 32], generator: generator)
        let conv = Conv2d<Float>(3, 16, kernelSize: 4, padding: .same)
        let pooled = MaxPool2d<Float>(kernelSize: 3, stride: 2, ceilMode: true)(conv(images))
        XCTAssertEqual(pooled.shape, [8, 16, 16, 16])
        let logits = Tensor<Float>.randn([4, 3], generator: generator)
        let loss = crossEntropy(logits, classIndices: [0, 2, -100, 1], weight: Tensor([1, 2, 0.5]), ignoreIndex: -100)
        XCTAssertTrue(loss.scalar.isFinite)
        let teacherLogits = logits * 2
        let soft = crossEntropy(logits, probabilities: softmax(teacherLogits, alongAxis: 1), labelSmoothing: 0.1)
        XCTAssertTrue(soft.scalar.isFinite)
        let multiLabel = binaryCrossEntropyWithLogits(
            logits, Tensor(shape: [4, 3], scalars: [1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1]),
            positiveWeight: Tensor([3, 1, 0.5]), reduction: .none)
        XCTAssertEqual(multiLabel.shape, [4, 3])

        let model = MultiHead()
        let keys = model.stateDictionary.map(\.key)
        XCTAssertEqual(keys.first, "blocks.0.weight")
        XCTAssertEqual(keys.last, "heads.regressor.bias")
        XCTAssertTrue(keys.contains("heads.classifier.weight"))
        XCTAssertEqual(model(Tensor.randn([2, 64], generator: generator)).shape, [2, 10])
    }
}
