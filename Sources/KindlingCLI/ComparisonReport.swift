import Foundation
import Kindling

/// The report `compare-init --report` writes: loss curves on a log scale, one decision boundary per
/// initialization, the curves as CSV, and an index.html that shows them together. With several seeds the
/// curves are each initialization's median with a min–max band; with diagnostics, one chart per statistic
/// with a panel per initialization, and the records as CSV.
struct ComparisonReport {
    let configuration: InitializationComparison.Configuration
    let runs: [InitializationComparison.Run]

    var report: Report {
        var report = Report(
            title:
                "Kindling: comparing initializations on \(configuration.userData?.name ?? configuration.dataset.rawValue)"
        )
        let seeds =
            configuration.seedCount > 1
            ? "weights drawn after seeding with \(configuration.seed) to \(configuration.seed + UInt32(configuration.seedCount) - 1)"
            : "weights drawn after seeding with \(configuration.seed)"
        report.addText(
            """
            Network \(configuration.hiddenLayers.map(String.init).joined(separator: "-")) hidden (ReLU), \
            \(configuration.optimizer.rawValue) at learning rate \(configuration.learningRate), \
            \(configuration.iterations) iterations, \(configuration.batchSize.map { "batches of \($0)" } ?? "full batch"), \
            \(configuration.precision.rawValue) precision, \(seeds).\
            \(configuration.schedule.map { " Learning-rate schedule: \($0)." } ?? "")\
            \(configuration.clipGradientNorm.map { " Gradients clipped to a norm of \($0)." } ?? "")
            """)
        if configuration.seedCount > 1 {
            addSeedSummary(to: &report)
        } else {
            addSingleRun(to: &report)
        }
        for group in SeedGroup.groups(runs) {
            guard let run = group.runs.first, let boundary = run.decisionBoundary else { continue }
            report.addChart(
                boundary.svg, fileName: "boundary-\(run.initialization.rawValue).svg",
                caption:
                    "\(run.initialization.rawValue) (seed \(run.seed)): train accuracy \(run.trainAccuracy), test accuracy \(run.testAccuracy)"
            )
        }
        if configuration.diagnosticsEvery != nil { addDiagnostics(to: &report) }
        return report
    }

    private func addSingleRun(to report: inout Report) {
        report.addTable(
            CSVTable(
                header: ["init", "first cost", "last cost", "train accuracy", "test accuracy", "seconds"],
                rows: runs.map { run in
                    [
                        run.initialization.rawValue, run.history.losses.first.map { "\($0)" } ?? "",
                        run.history.losses.last.map { "\($0)" } ?? "", "\(run.trainAccuracy)",
                        "\(run.testAccuracy)", String(format: "%.3f", run.seconds),
                    ]
                }), caption: "Summary")
        let series = runs.map { ChartSeries($0.initialization.rawValue, history: $0.history) }
        let chart = LineChart(
            title: "Cost during training", xLabel: "iteration", yLabel: "cost",
            yScale: .logarithmic, series: series)
        report.addChart(
            chart.svg, fileName: "loss-curves.svg", caption: "Cost every \(configuration.recordEvery) iterations")
        report.addFile(
            CSVTable.curves(series, xName: "iteration").text, fileName: "loss-curves.csv",
            caption: "The costs as CSV, one column per initialization")
    }

    private func addSeedSummary(to report: inout Report) {
        let groups = SeedGroup.groups(runs)
        var rows: [[String]] = []
        for group in groups {
            for (name, statistics) in [
                ("final cost", group.finalCost), ("train accuracy", group.trainAccuracy),
                ("test accuracy", group.testAccuracy),
            ] {
                rows.append([
                    group.initialization.rawValue, name, "\(group.runs.count)", "\(statistics.mean)",
                    "\(statistics.standardDeviation)", "\(statistics.minimum)", "\(statistics.median)",
                    "\(statistics.maximum)",
                ])
            }
        }
        report.addTable(
            CSVTable(header: ["init", "quantity", "seeds", "mean", "sd", "min", "median", "max"], rows: rows),
            caption: "Summary over seeds")
        let bands = groups.map(\.costBand)
        var chart = LineChart(
            title: "Cost during training: median over seeds, min–max band", xLabel: "iteration",
            yLabel: "cost", yScale: .logarithmic, series: bands.map(\.median))
        chart.bands = bands.map(\.band)
        report.addChart(
            chart.svg, fileName: "loss-curves.svg",
            caption:
                "Median cost every \(configuration.recordEvery) iterations over \(configuration.seedCount) seeds, shaded between the lowest and highest"
        )
        report.addFile(
            CSVTable(
                header: ["init", "seed", "step", "cost"],
                rows: runs.flatMap { run in
                    run.history.records.map {
                        [run.initialization.rawValue, "\(run.seed)", "\($0.step)", "\($0.loss)"]
                    }
                }
            ).text, fileName: "loss-curves.csv", caption: "Every run's costs as CSV")
        report.addFile(
            CSVTable(
                header: ["init", "seed", "final cost", "train accuracy", "test accuracy", "diverged at"],
                rows: runs.map { run in
                    [
                        run.initialization.rawValue, "\(run.seed)", run.history.losses.last.map { "\($0)" } ?? "",
                        "\(run.trainAccuracy)", "\(run.testAccuracy)",
                        run.history.divergence.map { "\($0.step)" } ?? "",
                    ]
                }
            ).text, fileName: "runs.csv", caption: "Every run's outcome as CSV")
    }

    /// One chart per statistic, a panel per initialization (its first seed), a curve per layer.
    private func addDiagnostics(to report: inout Report) {
        let firstRuns = SeedGroup.groups(runs).compactMap(\.runs.first)
        for statistic in DiagnosticsCharts.statistics {
            let panels = firstRuns.map { run in
                DiagnosticsCharts.chart(
                    run.diagnostics, statistic: statistic,
                    title: "\(run.initialization.rawValue): \(statistic.title)", xLabel: "iteration")
            }
            guard panels.contains(where: { !$0.series.isEmpty }) else { continue }
            report.addChart(
                ChartPanels(panels).svg, fileName: "diagnostics-\(statistic.file).svg",
                caption:
                    "Per layer (named by its index in the Sequential): \(statistic.title), every \(configuration.recordEvery) iterations\(statistic.file == "symmetry" ? "; the largest difference between the incoming weights of two units of the layer, 0 while all units are the same (always 0 for the one-unit output layer)" : "")"
            )
        }
        var rows: [[String]] = []
        for run in runs {
            let table = LayerDiagnosticsRecord.table(run.diagnostics)
            rows += table.rows.map { [run.initialization.rawValue, "\(run.seed)"] + $0 }
        }
        let header = ["init", "seed"] + LayerDiagnosticsRecord.table([]).header
        report.addFile(
            CSVTable(header: header, rows: rows).text, fileName: "diagnostics.csv",
            caption: "Every diagnostics record as CSV")
    }
}
