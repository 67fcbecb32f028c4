// The program that Tests/KindlingCommandLineTests/DistributedTests.swift starts under
// `mpirun -np N`: one scenario per first argument.
//
// - `exactness`: every rank trains a Double MLP under DataParallel on its DistributedSampler share (batches
//   of 4), while also training, alone, a copy of rank 0's initial model on the union of all ranks' batches
//   (batches of 4·N). After every step it measures the largest difference between the two models' weights;
//   rank 0 prints `steps S ranks N max-difference D` (D the maximum over steps, parameters and ranks).
// - `batchnorm FIXTURE`: 2 ranks train a Double model with BatchNorm under DataParallel as
//   Scripts/reference/torch_ddp_batchnorm.py trained it with PyTorch's DistributedDataParallel (gloo); rank 0
//   prints `steps S ranks N max-difference D`, D the largest difference from PyTorch's parameters and buffers
//   over steps and ranks.
// - `missing-file PATH`: rank 1 cannot read PATH and ends the job.
// - `mismatch`: rank 1 builds a wider model; DataParallel's check ends the job.
// - `early-exit`: rank 1 exits before it joins the job; the others stop at the first barrier's time-out.
// - `killed`: rank 1 is killed (SIGKILL) after the first training step, while rank 0 waits for its gradients.
// - `syncbatchnorm`: as `exactness`, with a BatchNorm1d in the model and `synchronizingBatchNorm`; the
//   reference (one process, joint batches) uses plain BatchNorm. D covers the running statistics too.
// - `diverge`: `train` data-parallel for 10 steps, where rank 1's loss alone is NaN at step 3; every rank
//   prints `rank R stopped at step S`.
// - `memory FEATURES LABELS rows|whole`: every rank trains a small Double MLP for one epoch of `fit` on the
//   examples of FEATURES (NPY or IDX) and LABELS, read by rows (`ExampleRowsFile`, the standardization fitted
//   by the ranks together) or whole (`RawExamples`); rank 0 prints `growth-kb G`, G the largest growth over the
//   ranks of the peak resident memory (ru_maxrss) from before reading to the end of the epoch.
import Foundation
import Kindling
import KindlingDistributed

ProcessSetup.prepareInPlace()
let arguments = Array(CommandLine.arguments.dropFirst())
let scenario = arguments.first ?? ""

if scenario == "early-exit",
    ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"] == "1"
{
    exit(3)
}

let world: Communicator
do {
    world = try Communicator.world(firstContact: 10)
} catch {
    FileHandle.standardError.write(Data("kindling: \(error)\n".utf8))
    exit(1)
}

/// The peak resident memory of this process so far, in kilobytes (Linux's ru_maxrss).
func peakResidentKilobytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss
}

/// The `memory` scenario: one epoch of data-parallel `fit` on a file read by rows or whole; rank 0 prints the
/// largest growth of the ranks' peak resident memory.
func trainForOneEpoch(features: String, labels: String, byRows: Bool, world: Communicator) throws {
    let before = peakResidentKilobytes()
    let (url, labelsURL) = (URL(fileURLWithPath: features), URL(fileURLWithPath: labels))
    var examples: LabeledExamples<Double>
    let standardization: Standardization
    if byRows {
        guard let file = try ExampleRowsFile(contentsOf: url, labels: labelsURL) else {
            throw DistributedError("\(features) cannot be read by rows")
        }
        examples = try LabeledExamples(
            rowsOf: file, exampleShape: [file.featureCount], task: .multiclass,
            classes: ClassEncoding(labels: file.labels ?? []))
        standardization = try examples.fittedStandardization(part: world.rank, of: world.size) {
            try world.allreduce(Tensor<Double>(shape: [$0.count], scalars: $0)).scalars
        }
    } else {
        let raw = try RawExamples(contentsOf: url, labels: labelsURL)
        examples = try LabeledExamples(raw, task: .multiclass, classes: ClassEncoding(labels: raw.labels ?? []))
        examples.features = examples.features.reshaped([raw.count, raw.featureCount])
        standardization = Standardization(fittedTo: examples.features)
    }
    examples = examples.standardized(by: standardization)
    let generator = RandomGenerator(seed: 1)
    let network = Sequential<Double>([
        Linear<Double>(standardization.mean.count, 8, generator: generator), Tanh<Double>(),
        Linear<Double>(8, 3, generator: generator),
    ])
    let distribution = try DataParallelTraining(network, communicator: world, seed: 2)
    _ = fit(
        network, training: examples, task: .multiclass, optimizer: try SGD(network.parameters, learningRate: 0.01),
        epochs: 1, batchSize: 256, generator: generator, distribution: distribution)
    let growth = Double(peakResidentKilobytes() - before)
    let largest = try world.allreduce(Tensor<Double>([growth]), .maximum).scalars[0]
    if world.rank == 0 { print("growth-kb \(Int(largest))") }
}

/// A 5-16-3 tanh network whose default initialization draws from `seed`.
func model(seed: UInt32, width: Int = 16) -> Sequential<Double> {
    let generator = RandomGenerator(seed: seed)
    return Sequential([
        Linear<Double>(5, width, generator: generator), Tanh<Double>(), Linear<Double>(width, 3, generator: generator),
    ])
}

/// Trains `parallel` on this rank's `DistributedSampler` share of `features` (labels r mod 3, batches of 4,
/// 3 epochs) and, alone, `reference` on the union of every rank's batches, both by SGD (learning rate 0.1,
/// momentum 0.9, `weightDecay`); after every step measures the largest difference between the two models'
/// state dictionaries. Rank 0 prints `steps S ranks N max-difference D`, D the maximum over steps and ranks.
func compareWithJointBatches(
    _ parallel: DataParallel<Sequential<Double>>, reference: Sequential<Double>, features: Tensor<Double>,
    weightDecay: Double
) throws {
    let world = parallel.communicator
    let examples = features.shape[0]
    let batch = 4
    let labels = (0..<examples).map { $0 % 3 }
    let optimizer = try SGD(parallel.module.parameters, learningRate: 0.1, momentum: 0.9, weightDecay: weightDecay)
    let referenceOptimizer = try SGD(reference.parameters, learningRate: 0.1, momentum: 0.9, weightDecay: weightDecay)
    let samplers = try (0..<world.size).map {
        try DistributedSampler(count: examples, rank: $0, replicas: world.size, seed: 3)
    }
    var largest = 0.0
    var steps = 0
    for epoch in 0..<3 {
        let shares = samplers.map { $0.indices(epoch: epoch) }
        for start in stride(from: 0, to: shares[0].count, by: batch) {
            let batches = shares.map { Array($0[start..<min(start + batch, $0.count)]) }
            let own = batches[world.rank]
            crossEntropy(try parallel(features.gatheringRows(own)), classIndices: own.map { labels[$0] }).backward()
            try parallel.synchronizeGradients()
            optimizer.step()
            optimizer.zeroGradients()

            let union = batches.flatMap { $0 }
            crossEntropy(reference(features.gatheringRows(union)), classIndices: union.map { labels[$0] }).backward()
            referenceOptimizer.step()
            referenceOptimizer.zeroGradients()

            for (trained, expected) in zip(parallel.module.stateDictionary, reference.stateDictionary) {
                for (a, b) in zip(trained.value.scalars, expected.value.scalars) { largest = max(largest, abs(a - b)) }
            }
            steps += 1
        }
    }
    let overall = try world.allreduce(Tensor<Double>([largest]), .maximum).scalars[0]
    if world.rank == 0 { print("steps \(steps) ranks \(world.size) max-difference \(overall)") }
}

switch scenario {
case "exactness":
    let parallel = try DataParallel(model(seed: 100 + UInt32(world.rank)), communicator: world, bucketCapacity: 200)
    try compareWithJointBatches(
        parallel, reference: model(seed: 100), features: .randn([30, 5], generator: RandomGenerator(seed: 7)),
        weightDecay: 1e-3)
case "syncbatchnorm":
    func normalized(seed: UInt32) -> Sequential<Double> {
        let generator = RandomGenerator(seed: seed)
        return Sequential([
            Linear<Double>(5, 8, generator: generator), BatchNorm1d<Double>(8), ReLU<Double>(),
            Linear<Double>(8, 3, generator: generator),
        ])
    }
    let parallel = try DataParallel(normalized(seed: 100), communicator: world, synchronizingBatchNorm: true)
    try compareWithJointBatches(
        parallel, reference: normalized(seed: 100),
        features: Tensor<Double>.randn([30, 5], generator: RandomGenerator(seed: 7)) * 3 + 1, weightDecay: 0)
case "batchnorm":
    let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: arguments[1])))
    guard let reference = reference as? [String: Any], let features = reference["features"] as? [Double],
        let labels = reference["labels"] as? [Int], let batches = reference["batches"] as? [[[Int]]],
        let ranks = reference["ranks"] as? [[String: Any]],
        let own = world.rank < ranks.count ? ranks[world.rank] : nil,
        let initial = own["initial"] as? [String: [Double]], let expected = own["steps"] as? [[String: [Double]]]
    else { world.abort("malformed fixture \(arguments[1])") }
    let network = Sequential<Double>([
        Linear<Double>(5, 8), BatchNorm1d<Double>(8), ReLU<Double>(), Linear<Double>(8, 3),
    ])
    try network.loadStateDictionary(
        network.stateDictionary.map { entry in
            (entry.key, Tensor(shape: entry.value.shape, scalars: initial[entry.key] ?? []))
        })
    let parallel = try DataParallel(network, communicator: world)
    let optimizer = try SGD(network.parameters, learningRate: 0.1, momentum: 0.9)
    let inputs = Tensor(shape: [labels.count, 5], scalars: features)
    var largest = 0.0
    for (step, rows) in batches.map({ $0[world.rank] }).enumerated() {
        let loss = crossEntropy(try parallel(inputs.gatheringRows(rows)), classIndices: rows.map { labels[$0] })
        loss.backward()
        try parallel.synchronizeGradients()
        optimizer.step()
        optimizer.zeroGradients()
        for (key, value) in network.stateDictionary {
            guard let values = expected[step][key], values.count == value.count else {
                world.abort("the fixture has no \(key) of \(value.count) values at step \(step)")
            }
            for (a, b) in zip(value.scalars, values) { largest = max(largest, abs(a - b)) }
        }
    }
    let overall = try world.allreduce(Tensor<Double>([largest]), .maximum).scalars[0]
    if world.rank == 0 { print("steps \(batches.count) ranks \(world.size) max-difference \(overall)") }
case "missing-file":
    let path = arguments.count > 1 ? arguments[1] : "missing.csv"
    if world.rank == 1, !FileManager.default.fileExists(atPath: path) {
        world.abort("cannot read \(path): no such file")
    }
    _ = try DataParallel(model(seed: 1), communicator: world)
    try world.barrier()
case "mismatch":
    do {
        _ = try DataParallel(model(seed: 1, width: world.rank == 1 ? 17 : 16), communicator: world)
    } catch {
        world.abort("\(error)")
    }
case "early-exit":
    try world.barrier()
case "killed":
    let parallel = try DataParallel(model(seed: 1), communicator: world)
    let features = Tensor<Double>.randn([4, 5], generator: RandomGenerator(seed: 2))
    for step in 0..<3 {
        if step == 1 && world.rank == 1 { kill(getpid(), SIGKILL) }
        crossEntropy(try parallel(features), classIndices: [0, 1, 2, 0]).backward()
        try parallel.synchronizeGradients()
        parallel.module.zeroGradients()
    }
case "diverge":
    let network = model(seed: 1)
    let examples = Dataset(
        features: Tensor<Double>.randn([24, 5], generator: RandomGenerator(seed: 2)), labels: (0..<24).map { $0 % 3 })
    let distribution = try DataParallelDistributor(communicator: world).distribution(for: network, seed: 0)
    var step = 0
    let history = train(
        network, on: examples,
        loss: { logits, batch in
            defer { step += 1 }
            let loss = crossEntropy(logits, classIndices: batch.labels)
            return world.rank == 1 && step == 3 ? loss * .nan : loss
        }, optimizer: try SGD(network.parameters, learningRate: 0.1), for: .iterations(10), batchSize: 4,
        showsProgress: false, distribution: distribution)
    print("rank \(world.rank) stopped at step \(history.divergence.map { "\($0.step)" } ?? "none")")
case "memory":
    do {
        try trainForOneEpoch(features: arguments[1], labels: arguments[2], byRows: arguments[3] == "rows", world: world)
    } catch {
        world.abort("\(error)")
    }
default:
    world.abort(
        "unknown scenario '\(scenario)'; expected exactness, syncbatchnorm, batchnorm, missing-file, mismatch, early-exit, killed or diverge"
    )
}
