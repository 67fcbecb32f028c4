import Foundation
import Kindling

/// The report `compare-init --report` writes: loss curves on a log scale, one decision boundary per
/// initialization, the curves as CSV, and an index.html that shows them together.
struct ComparisonReport {
    let configuration: InitializationComparison.Configuration
    let runs: [InitializationComparison.Run]

    var report: Report {
        var report = Report(title: "Kindling: comparing initializations on \(configuration.userData?.name ?? configuration.dataset.rawValue)")
        report.addText("""
            Network \(configuration.hiddenLayers.map(String.init).joined(separator: "-")) hidden (ReLU), \
            \(configuration.optimizer.rawValue) at learning rate \(configuration.learningRate), \
            \(configuration.iterations) iterations, \(configuration.batchSize.map { "batches of \($0)" } ?? "full batch"), \
            \(configuration.precision.rawValue) precision, weights drawn after seeding with \(configuration.seed).
            """)
        report.addTable(CSVTable(header: ["init", "first cost", "last cost", "train accuracy", "test accuracy", "seconds"],
                                 rows: runs.map { run in
                                     [run.initialization.rawValue, run.history.losses.first.map { "\($0)" } ?? "",
                                      run.history.losses.last.map { "\($0)" } ?? "", "\(run.trainAccuracy)",
                                      "\(run.testAccuracy)", String(format: "%.3f", run.seconds)]
                                 }), caption: "Summary")
        let series = runs.map { ChartSeries($0.initialization.rawValue, history: $0.history) }
        let chart = LineChart(title: "Cost during training", xLabel: "iteration", yLabel: "cost",
                              yScale: .logarithmic, series: series)
        report.addChart(chart.svg, fileName: "loss-curves.svg", caption: "Cost every \(configuration.recordEvery) iterations")
        report.addFile(CSVTable.curves(series, xName: "iteration").text, fileName: "loss-curves.csv",
                       caption: "The costs as CSV, one column per initialization")
        for run in runs {
            guard let boundary = run.decisionBoundary else { continue }
            report.addChart(boundary.svg, fileName: "boundary-\(run.initialization.rawValue).svg",
                            caption: "\(run.initialization.rawValue): train accuracy \(run.trainAccuracy), test accuracy \(run.testAccuracy)")
        }
        return report
    }
}
