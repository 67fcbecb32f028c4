import ArgumentParser
import Foundation
import Kindling

/// `kindling trainability`: Schoenholz et al.'s trainability experiment (deep tanh networks over σ_w² and
/// depth, held-out accuracy beside the mean-field depth scale 6 ξ_c), locally or as a sweep.
struct TrainabilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainability",
        abstract:
            "Train deep tanh networks over a grid of sigma_w^2 and depth and compare the depth that trains with 6 xi_c.",
        discussion: """
            Schoenholz et al. 2017 (Deep Information Propagation), Figure 5 at small scale: weights N(0, sigma_w^2/fan_in), \
            biases N(0, sigma_b^2), a fixed number of SGD steps per network, held-out accuracy as a heat map over \
            (sigma_w^2, depth) with the mean-field prediction 6 xi_c on top. Features are standardized with the training \
            split's statistics.
            """
    )

    @Option(
        help:
            "The classification examples: a CSV file (features and a label column), or NPY/IDX features with --labels.")
    var data: String

    @Option(help: "For NPY or IDX features: a file of one label per example.")
    var labels: String?

    @Option(help: "The CSV's label column, a name or an index (default: the last column).")
    var labelColumn: String?

    @Option(help: "The fraction held out as the test set (scikit-learn's train_test_split with random_state 0).")
    var testSplit = 0.2

    @Option(help: "Comma-separated sigma_w^2 values (the weights are N(0, sigma_w^2 / fan_in)).")
    var weightVariances = "1,1.25,1.5,1.75,2,2.5,3,3.5,4"

    @Option(help: "Comma-separated depths: the number of tanh layers (a linear read-out follows).")
    var depths = "10,25,50,100,150,200"

    @Option(parsing: .unconditional, help: "sigma_b^2: the biases are N(0, sigma_b^2).")
    var biasVariance = 0.05

    @Option(parsing: .unconditional, help: "Width of every tanh layer.")
    var width = 100

    @Option(parsing: .unconditional, help: "SGD updates per network.")
    var steps = 300

    @Option(parsing: .unconditional, help: "Rows per mini-batch.")
    var batchSize = 32

    @Option(parsing: .unconditional, help: "Learning rate.")
    var lr = 0.01

    @Option(parsing: .unconditional, help: "Seed of the weights and the mini-batch order (0 to 4294967295).")
    var seed = 0

    @Option(parsing: .unconditional, help: "Networks trained at the same time (default: the number of cores).")
    var concurrency: Int?

    @Option(help: "Write a report (the heat map, the table, CSV, index.html) into this folder.")
    var report: String?

    @Option(
        help:
            "Instead of training, print one self-contained command per cell (sigma_w^2 x depth), each writing its result as JSON into this folder (for GNU parallel or a Slurm array; then kindling merge)."
    )
    var emitJobs: String?

    @Option(help: "Train only this cell, SIGMA_W2:DEPTH (such as 1.75:100), and write its result to --result.")
    var cell: String?

    @Option(help: "With --cell: the JSON file the cell's result is written to.")
    var result: String?

    func makeConfiguration(dataName: String) throws -> Trainability.Configuration {
        var configuration = Trainability.Configuration()
        configuration.weightVariances = try parseList(
            weightVariances, option: "weight-variances", expected: "a positive number"
        ) { Double($0) }
        configuration.depths = try parseList(depths, option: "depths", expected: "a positive integer") { Int($0) }
        configuration.biasVariance = biasVariance
        configuration.width = width
        configuration.steps = steps
        configuration.batchSize = batchSize
        configuration.learningRate = lr
        configuration.seed = try generatorSeed(seed)
        configuration.dataName = dataName
        do {
            try configuration.validate()
        } catch let error as InitializationComparison.ConfigurationError {
            throw ValidationError(error.description)
        }
        return configuration
    }

    func validate() throws {
        _ = try makeConfiguration(dataName: "")
        guard testSplit > 0 && testSplit < 1 else {
            throw ValidationError("--test-split must lie in (0, 1), got \(testSplit)")
        }
        if let concurrency, concurrency < 1 {
            throw ValidationError("--concurrency must be at least 1, got \(concurrency)")
        }
        if emitJobs != nil && (cell != nil || report != nil) {
            throw ValidationError("--emit-jobs prints the cells' commands; it does not go with --cell or --report")
        }
        if (cell == nil) != (result == nil) { throw ValidationError("--cell and --result go together") }
        if cell != nil && report != nil {
            throw ValidationError("--cell writes a result for kindling merge, not a report")
        }
        if let cell { _ = try parseCell(cell, of: try makeConfiguration(dataName: "")) }
        if let result { try checkWritableFile(result, option: "result") }
        if let report { try ReportDestination.check(report) }
    }

    /// "1.75:100" as a cell of the grid.
    func parseCell(_ text: String, of configuration: Trainability.Configuration) throws -> Trainability.Cell {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let variance = Double(parts[0]), let depth = Int(parts[1]) else {
            throw ValidationError("--cell: '\(text)' is not SIGMA_W2:DEPTH (such as 1.75:100)")
        }
        let cell = Trainability.Cell(weightVariance: variance, depth: depth)
        guard configuration.cells.contains(cell) else {
            throw ValidationError(
                "--cell: '\(text)' is not a cell of this grid (--weight-variances \(weightVariances), --depths \(depths))"
            )
        }
        return cell
    }

    /// The data file split into training and test examples, standardized with the training statistics.
    func loadData() throws -> InitializationComparison.UserData {
        let options = try DataOptions.parse(
            ["--data", data] + (labels.map { ["--labels", $0] } ?? [])
                + (labelColumn.map { ["--label-column", $0] } ?? []))
        let raw = try options.read()
        guard let labelTexts = raw.labels else { throw CommandError("\(raw.path): no labels") }
        guard Task.detect(labels: labelTexts) != .regression else {
            throw CommandError(
                "\(raw.path): the trainability experiment classifies, but the labels are real-valued targets")
        }
        let classes = ClassEncoding(labels: labelTexts)
        var examples = try LabeledExamples<Double>(raw, task: .multiclass, classes: classes)
        examples.features = examples.features.reshaped([raw.count, raw.featureCount])
        var (train, test) = examples.split(validationFraction: testSplit, generator: RandomGenerator(seed: 0))
        let standardization = Standardization(fittedTo: train.features)
        train.features = standardization.apply(to: train.features)
        test.features = standardization.apply(to: test.features)
        func converted(_ set: LabeledExamples<Double>) -> InitializationComparison.Examples {
            .init(
                features: set.features.scalars, featureCount: raw.featureCount, labels: set.classIndices,
                classCount: classes.names.count)
        }
        return .init(name: (raw.path as NSString).lastPathComponent, train: converted(train), test: converted(test))
    }

    /// The command line of one cell, with every setting spelled out.
    func cellCommand(_ cell: Trainability.Cell, folder: URL) -> String {
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        var words = [executable, "trainability", "--data", URL(fileURLWithPath: data).standardizedFileURL.path]
        if let labels { words += ["--labels", URL(fileURLWithPath: labels).standardizedFileURL.path] }
        if let labelColumn { words += ["--label-column", labelColumn] }
        words += [
            "--test-split", "\(testSplit)", "--weight-variances", weightVariances, "--depths", depths,
            "--bias-variance", "\(biasVariance)", "--width", "\(width)", "--steps", "\(steps)",
            "--batch-size", "\(batchSize)", "--lr", "\(lr)", "--seed", "\(seed)",
            "--cell", "\(cell.weightVariance):\(cell.depth)",
            "--result", folder.appendingPathComponent("cell-\(cell.weightVariance)-\(cell.depth).json").path,
        ]
        return words.map(shellQuoted).joined(separator: " ")
    }

    func run() throws {
        if let emitJobs {
            let configuration = try makeConfiguration(dataName: "")
            let folder = URL(fileURLWithPath: emitJobs).standardizedFileURL
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for cell in configuration.cells { print(cellCommand(cell, folder: folder)) }
            return
        }
        let userData = try loadData()
        let configuration = try makeConfiguration(dataName: userData.name)
        if let cell, let result {
            let outcome = try Trainability.run(configuration, cell: parseCell(cell, of: configuration), data: userData)
            try TrainabilityCellResult(
                configuration: configuration, outcome: outcome, classes: userData.train.classCount
            )
            .write(to: result)
            print("\(cell): test accuracy \(formatted(outcome.testAccuracy)), result written to \(result)")
            return
        }
        let outcomes = try Trainability.run(
            configuration, data: userData,
            concurrency: concurrency ?? ProcessInfo.processInfo.activeProcessorCount)
        let study = TrainabilityStudy(
            configuration: configuration, outcomes: outcomes, classes: userData.train.classCount)
        print(study.text)
        if let report {
            let url = try ReportDestination.check(report)
            try study.report.write(to: url)
            print("Report written to \(url.path)/index.html")
        }
    }
}

/// A finished trainability grid: its table, its comparison with 6 ξ_c, its report.
struct TrainabilityStudy {
    let configuration: Trainability.Configuration
    let outcomes: [Trainability.Outcome]
    let classes: Int

    var threshold: Double { Trainability.threshold(outcomes, classes: classes) }
    var boundaries: [Trainability.Boundary] {
        Trainability.boundaries(configuration, outcomes: outcomes, threshold: threshold)
    }

    func accuracy(_ variance: Double, _ depth: Int) -> Double? {
        outcomes.first { $0.cell == Trainability.Cell(weightVariance: variance, depth: depth) }?.testAccuracy
    }

    /// One row per σ_w²: accuracies by depth, ξ_c, 6 ξ_c and the measured bracket.
    var table: CSVTable {
        let header =
            ["σ_w²"] + configuration.depths.map { "depth \($0)" } + ["ξ_c", "6 ξ_c", "trains up to", "fails from"]
        let rows = boundaries.map { boundary -> [String] in
            let accuracies: [String] = configuration.depths.map { depth in
                accuracy(boundary.weightVariance, depth).map(formatted) ?? "-"
            }
            let trained: String = boundary.deepestTrained.map { String($0) } ?? "-"
            let failed: String = boundary.shallowestFailed.map { String($0) } ?? "-"
            let scales = [
                String(format: "%.1f", boundary.correlationDepth),
                String(format: "%.0f", 6 * boundary.correlationDepth),
            ]
            return ["\(boundary.weightVariance)"] + accuracies + scales + [trained, failed]
        }
        return CSVTable(header: header, rows: rows)
    }

    /// How the measured boundary compares with 6 ξ_c, in one paragraph.
    var comparison: String {
        let bracketed = boundaries.filter { $0.correlationDepth.isFinite }
        let inside = bracketed.filter { boundary in
            let predicted = 6 * boundary.correlationDepth
            return (boundary.deepestTrained.map { Double($0) <= predicted } ?? true)
                && (boundary.shallowestFailed.map { Double($0) > predicted } ?? true)
        }
        var text =
            "Trained means held-out accuracy at least \(formatted(threshold)) (half-way from chance to the best cell). "
            + "6 ξ_c lies between the deepest network that trained and the shallowest that did not for \(inside.count) of \(bracketed.count) σ_w² values."
        let ratios = bracketed.compactMap { boundary -> (Double, Double)? in
            guard let trained = boundary.deepestTrained, let failed = boundary.shallowestFailed else { return nil }
            return (Double(trained) / boundary.correlationDepth, Double(failed) / boundary.correlationDepth)
        }
        if !ratios.isEmpty {
            let lows = ratios.map(\.0).sorted()
            let highs = ratios.map(\.1).sorted()
            text +=
                " Where both ends are on the grid, the boundary lies above \(String(format: "%.1f", lows[lows.count / 2])) ξ_c and below \(String(format: "%.1f", highs[highs.count / 2])) ξ_c (medians over \(ratios.count) σ_w² values; the paper: 6 ξ_c)."
        }
        return text
    }

    var text: String {
        let rows = [table.header] + table.rows
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        let lines = rows.map { row in
            zip(row, widths).map { String(repeating: " ", count: $1 - $0.count) + $0 }.joined(separator: "  ")
        }
        return (lines + [comparison]).joined(separator: "\n")
    }

    var report: Report {
        var document = Report(title: "Kindling: which depths train (\(configuration.dataName))")
        document.addText(
            "tanh networks of width \(configuration.width) with weights N(0, σ_w²/fan_in) and biases N(0, \(configuration.biasVariance)), \(configuration.steps) SGD steps at learning rate \(configuration.learningRate), batches of \(configuration.batchSize), seed \(configuration.seed), on \(configuration.dataName). The curve is 6 ξ_c of mean-field theory (Schoenholz et al. 2017), which the paper finds to bound the trainable depth. "
                + comparison)
        document.addChart(
            Trainability.chart(configuration, outcomes: outcomes).svg, fileName: "trainability.svg",
            caption: "Held-out accuracy over σ_w² and depth, with 6 ξ_c")
        document.addTable(table, caption: "Held-out accuracy by σ_w² and depth, ξ_c and the measured boundary")
        let header = ["sigma_w2", "depth", "test_accuracy", "train_accuracy", "final_loss", "diverged_at", "seconds"]
        let rows = outcomes.map { outcome in
            [
                "\(outcome.cell.weightVariance)", "\(outcome.cell.depth)", "\(outcome.testAccuracy)",
                "\(outcome.trainAccuracy)", "\(outcome.finalLoss)", outcome.divergedAt.map(String.init) ?? "",
                String(format: "%.2f", outcome.seconds),
            ]
        }
        document.addFile(
            CSVTable(header: header, rows: rows).text, fileName: "cells.csv", caption: "Every cell's outcome")
        return document
    }
}

/// The JSON file one trainability cell writes (`--cell S:D --result FILE`): the whole grid's configuration,
/// so that `kindling merge` can check that the cells belong together, the number of classes, and the outcome.
struct TrainabilityCellResult: Codable {
    static let currentFormat = "kindling trainability cell 1"

    let format: String
    let configuration: Trainability.Configuration
    let classes: Int
    let outcome: Trainability.Outcome

    init(configuration: Trainability.Configuration, outcome: Trainability.Outcome, classes: Int) {
        format = Self.currentFormat
        self.configuration = configuration
        self.classes = classes
        self.outcome = outcome
    }

    /// Writes the result to `path` atomically.
    func write(to path: String) throws {
        let data = try CellResult.encoder().encode(self)
        try writeAtomically(String(decoding: data, as: UTF8.self), to: URL(fileURLWithPath: path))
    }

    /// Whether the JSON file at `path` says it is a trainability cell (false when it cannot be read as one).
    static func isTrainabilityCell(_ path: String) -> Bool {
        struct Header: Decodable { let format: String }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)),
            let header = try? JSONDecoder().decode(Header.self, from: data)
        else { return false }
        return header.format == currentFormat
    }

    /// Reads a result file, naming the file in every error.
    static func read(_ path: String) throws -> TrainabilityCellResult {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("'\(path)': cannot read the file (\(error.localizedDescription))")
        }
        guard let result = try? CellResult.decoder().decode(TrainabilityCellResult.self, from: data),
            result.format == currentFormat
        else {
            throw ValidationError("'\(path)': not a trainability cell result ('\(currentFormat)')")
        }
        return result
    }

    /// The grid of the cells in `paths`, checked: one study, every cell once.
    static func merge(_ paths: [String]) throws -> TrainabilityStudy {
        let cells = try paths.map { (path: $0, result: try read($0)) }
        let first = cells[0].result
        var byCell: [Trainability.Cell: Trainability.Outcome] = [:]
        for (path, result) in cells {
            guard result.configuration == first.configuration, result.classes == first.classes else {
                throw ValidationError(
                    "'\(path)' belongs to a different study than '\(cells[0].path)' (their settings differ)")
            }
            let key = "\(result.outcome.cell.weightVariance):\(result.outcome.cell.depth)"
            guard first.configuration.cells.contains(result.outcome.cell) else {
                throw ValidationError("'\(path)': cell \(key) is not part of the study")
            }
            guard byCell[result.outcome.cell] == nil else {
                throw ValidationError("'\(path)': cell \(key) is given twice")
            }
            byCell[result.outcome.cell] = result.outcome
        }
        let missing = first.configuration.cells.filter { byCell[$0] == nil }
        guard missing.isEmpty else {
            throw ValidationError(
                "missing cells: \(missing.map { "\($0.weightVariance):\($0.depth)" }.joined(separator: ", "))")
        }
        return TrainabilityStudy(
            configuration: first.configuration, outcomes: first.configuration.cells.map { byCell[$0]! },
            classes: first.classes)
    }
}
