import ArgumentParser
import Foundation
import Kindling

/// `kindling merge`: the table and report of a `compare-init` study from the JSON results of its cells.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Merge the cell results of a compare-init or trainability sweep (--emit-jobs) into its table and report.",
        discussion:
            "Every cell of the study (initialization x seed, or sigma_w^2 x depth) must be given exactly once; they must come from the same study."
    )

    @Argument(help: "The JSON files the cells wrote.")
    var results: [String]

    @Option(help: "Write the report (as compare-init --report would) into this folder.")
    var report: String?

    func validate() throws {
        if let report { try ReportDestination.check(report) }
    }

    /// The study's configuration and its runs in the order a local run gives them.
    func merged() throws -> (InitializationComparison.Configuration, [InitializationComparison.Run]) {
        let cells = try results.map { (path: $0, result: try CellResult.read($0)) }
        let configuration = cells[0].result.configuration
        var byCell: [String: InitializationComparison.Run] = [:]
        for (path, result) in cells {
            guard result.configuration == configuration else {
                throw ValidationError(
                    "'\(path)' belongs to a different study than '\(cells[0].path)' (their settings differ)")
            }
            let key = "\(result.run.initialization.rawValue):\(result.run.seed)"
            guard configuration.initializations.contains(result.run.initialization),
                configuration.seeds.contains(result.run.seed)
            else {
                throw ValidationError("'\(path)': cell \(key) is not part of the study")
            }
            guard byCell[key] == nil else { throw ValidationError("'\(path)': cell \(key) is given twice") }
            byCell[key] = result.run
        }
        var runs: [InitializationComparison.Run] = []
        var missing: [String] = []
        for initialization in configuration.initializations {
            for seed in configuration.seeds {
                let key = "\(initialization.rawValue):\(seed)"
                if let run = byCell[key] { runs.append(run) } else { missing.append(key) }
            }
        }
        guard missing.isEmpty else { throw ValidationError("missing cells: \(missing.joined(separator: ", "))") }
        return (configuration, runs)
    }

    func run() throws {
        if TrainabilityCellResult.isTrainabilityCell(results[0]) {
            let study = try TrainabilityCellResult.merge(results)
            print(study.text)
            if let report {
                let url = try ReportDestination.check(report)
                try study.report.write(to: url)
                print("Report written to \(url.path)/index.html")
            }
            return
        }
        let (configuration, runs) = try merged()
        let table = ComparisonTable(runs: runs, recordEvery: configuration.recordEvery)
        print(configuration.seedCount > 1 ? table.seedText : table.text)
        if let report {
            let url = try ReportDestination.check(report)
            try ComparisonReport(configuration: configuration, runs: runs).report.write(to: url)
            print("Report written to \(url.path)/index.html")
        }
    }
}
