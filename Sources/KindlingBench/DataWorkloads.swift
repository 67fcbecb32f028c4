import Foundation
import Kindling

extension Workload {
    /// See `CSVWorkload`.
    static let csv = Workload(
        name: "csv",
        summary: "parse a 50 MB numeric CSV (250000 rows x 20 columns, written on the fly) into Doubles",
        run: { try CSVWorkload.run(options: $0) })

    /// See `DigitsTrainingWorkload`.
    static let digitsTraining = Workload(
        name: "digits-training",
        summary:
            "kindling train's loop on digits: 64-64-32-10 ReLU MLP, Float, Adam, batches of 32, 20 epochs of 1437 rows",
        run: { try DigitsTrainingWorkload.run(options: $0) })
}

/// Parsing a numeric CSV file as `kindling train` does (`CSVTableFile`, all cores), against numpy.loadtxt
/// and pandas.read_csv (reference_workloads.py csv-numpy, csv-pandas). The file is written first, the
/// same bytes on both sides: row i, column j holds ((i * 31 + j * 17) % 10007) / 97 printed with "%.6f".
/// One step is one parse of the whole file; `--parses N` times N of them (for profiling; the references
/// time one).
enum CSVWorkload {
    static let rows = 250_000, columns = 20

    /// The benchmark file, written once per process.
    static func writeFile() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kindling-bench-\(getpid()).csv")
        var text = ""
        text.reserveCapacity(rows * columns * 11)
        for i in 0..<rows {
            for j in 0..<columns {
                if j > 0 { text += "," }
                text += String(format: "%.6f", Double((i * 31 + j * 17) % 10007) / 97)
            }
            text += "\n"
        }
        try Data(text.utf8).write(to: url)
        return url
    }

    static func run(options: BenchmarkOptions) throws {
        try options.rejectUnknown(["parses"])
        let parses = try options.integer("parses", default: 1)
        let url = try writeFile()
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try CSVTableFile(contentsOf: url, header: .absent, label: .none)
        var table: CSVTableFile?
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<parses { table = try CSVTableFile(contentsOf: url, header: .absent, label: .none) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard table?.features.count == rows * columns else {
            throw BenchmarkError("csv: parsed \(table?.features.count ?? 0) values")
        }
        consume(table)
        printProcessResult(workload: "csv", seconds: seconds, steps: parses)
    }
}

/// The loop of `kindling train --data digits.csv` (the `fit` function) in Float: the 64-64-32-10 ReLU MLP
/// with automatic initialization, Adam(lr 1e-3), batches of 32 drawn by a per-epoch permutation, 20 epochs
/// over the 1437 training rows (900 steps), timed after one warm-up epoch. Reference:
/// reference_workloads.py digits-training, the same loop in PyTorch eager.
enum DigitsTrainingWorkload {
    static func run(options: BenchmarkOptions) throws {
        try options.rejectUnknown([])
        let digits = URL(fileURLWithPath: "Tests/KindlingTestSupport/Fixtures/datasets/digits.csv")
        let raw = try RawExamples(contentsOf: digits)
        let all = try LabeledExamples<Float>(raw, task: .multiclass, classes: ClassEncoding(labels: raw.labels!))
        let generator = RandomGenerator(seed: 0)
        var (training, _) = all.split(validationFraction: 0.2, generator: generator)
        training.features = Standardization(fittedTo: training.features).apply(to: training.features)
        var specification = ModelSpecification(architecture: .mlp, inputShape: [64], outputs: 10, task: .multiclass)
        specification.hiddenLayers = [64, 32]
        let model: Sequential<Float> = specification.makeModel(generator: RandomGenerator(seed: 1))
        model.initializeWeights(.automatic, generator: generator)
        let optimizer = try Adam(model.parameters, learningRate: 1e-3)
        _ = fit(
            model, training: training, task: .multiclass, optimizer: optimizer, epochs: 1, batchSize: 32,
            generator: generator)
        let epochs = 20
        let start = DispatchTime.now().uptimeNanoseconds
        let result = fit(
            model, training: training, task: .multiclass, optimizer: optimizer, epochs: epochs, batchSize: 32,
            generator: generator)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        consume(result.epochs)
        printProcessResult(workload: "digits-training", seconds: seconds, steps: epochs * ((training.count + 31) / 32))
    }
}
