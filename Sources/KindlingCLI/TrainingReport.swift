import Foundation
import Kindling

/// The report `train --report` writes: the final and best metrics, the settings of the run, the model
/// summary, loss curves, the validation metric per epoch, the confusion matrix on the validation examples,
/// the epochs as CSV, and an index.html that shows them together; with diagnostics, one chart per per-layer
/// statistic and the records as diagnostics.csv. Regression losses and errors are in the targets' units.
struct TrainingReport<Scalar: TensorScalar> {
    let specification: ModelSpecification
    let result: FitResult
    let model: Sequential<Scalar>
    let validation: LabeledExamples<Scalar>?
    let dataPath: String
    /// The settings of the run, as (name, value) rows.
    var settings: [(String, String)] = []
    /// Per-layer diagnostics recorded while training (`train --diagnostics`), and their interval in steps.
    var diagnostics: (records: [LayerDiagnosticsRecord], every: Int)?

    var report: Report {
        var report = Report(title: "Kindling: training on \((dataPath as NSString).lastPathComponent)")
        report.addText(
            "\(specification.architecture.rawValue) \(specification.hiddenLayers.map(String.init).joined(separator: "-")), "
                + "task \(specification.task.rawValue), \(result.epochs.count) epochs.")
        report.addTable(metricsTable, caption: "Final and best metrics")
        if !settings.isEmpty {
            report.addTable(
                CSVTable(header: ["setting", "value"], rows: settings.map { [$0.0, $0.1] }), caption: "Settings")
        }
        report.addPreformatted(model.summary(inputShape: specification.inputShape))
        let epochs = result.epochs.map { Double($0.epoch) }
        var series = [ChartSeries("training loss", x: epochs, y: result.epochs.map(\.trainingLoss))]
        if result.epochs.allSatisfy({ $0.validationLoss != nil }) {
            series.append(ChartSeries("validation loss", x: epochs, y: result.epochs.map { $0.validationLoss! }))
        }
        let curves = LineChart(
            title: "Loss per epoch", xLabel: "epoch", yLabel: "loss", yScale: .logarithmic, series: series)
        report.addChart(
            curves.svg, fileName: "loss-curves.svg",
            caption: "Training loss (mean over each epoch's batches) and validation loss after each epoch")
        let metricName = specification.task == .regression ? "validation MAE" : "validation accuracy"
        if result.epochs.allSatisfy({ $0.validationMetric != nil }) {
            let chart = LineChart(
                title: sentenceCase(metricName), xLabel: "epoch", yLabel: metricName,
                series: [ChartSeries(metricName, x: epochs, y: result.epochs.map { $0.validationMetric! })])
            report.addChart(chart.svg, fileName: "validation-metric.svg", caption: "\(metricName) after each epoch")
        }
        report.addFile(
            CSVTable(
                header: [
                    "epoch", "training_loss", "validation_loss",
                    specification.task == .regression ? "validation_mae" : "validation_accuracy", "seconds",
                ],
                rows: result.epochs.map { record in
                    [
                        "\(record.epoch)", "\(record.trainingLoss)", record.validationLoss.map { "\($0)" } ?? "",
                        record.validationMetric.map { "\($0)" } ?? "", String(format: "%.4f", record.seconds),
                    ]
                }
            ).text,
            fileName: "epochs.csv", caption: "Every epoch as CSV")
        if let validation, specification.task != .regression {
            let predicted = predictedClasses(fromLogits: model.evaluationOutput(validation.features))
            let metrics = ClassificationMetrics(
                predicted: predicted, actual: validation.classIndices,
                classCount: specification.classNames.count)
            let chart = ConfusionMatrixChart(
                title: "Validation confusion matrix (accuracy \(formatted(metrics.accuracy)))",
                classNames: specification.classNames, confusion: metrics.confusion)
            report.addChart(
                chart.svg, fileName: "confusion-matrix.svg", caption: "Rows: true class; columns: predicted class")
        }
        if let diagnostics { addDiagnostics(diagnostics.records, every: diagnostics.every, to: &report) }
        return report
    }

    /// Per measure, its value after the last epoch and its best value with the epoch it was reached in.
    var metricsTable: CSVTable {
        let last = result.epochs.last
        var rows: [[String]] = []
        func add(_ name: String, _ values: [(epoch: Int, value: Double)], higherIsBetter: Bool) {
            guard let final = values.last,
                let best = values.max(by: { higherIsBetter ? $0.value < $1.value : $0.value > $1.value })
            else { return }
            rows.append([name, formatted(final.value), formatted(best.value), "\(best.epoch)"])
        }
        let epochs = result.epochs
        add("training loss", epochs.map { ($0.epoch, $0.trainingLoss) }, higherIsBetter: false)
        add(
            "validation loss", epochs.compactMap { record in record.validationLoss.map { (record.epoch, $0) } },
            higherIsBetter: false)
        let regression = specification.task == .regression
        add(
            regression ? "validation MAE" : "validation accuracy",
            epochs.compactMap { record in record.validationMetric.map { (record.epoch, $0) } },
            higherIsBetter: !regression)
        return CSVTable(
            header: ["measure", "after epoch \(last.map { String($0.epoch) } ?? "-")", "best", "best in epoch"],
            rows: rows)
    }

    /// "dead ReLU fraction" -> "Dead ReLU fraction": the first letter capitalized, acronyms kept.
    func sentenceCase(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// One chart per statistic, a curve per layer, and the records as CSV.
    private func addDiagnostics(_ records: [LayerDiagnosticsRecord], every interval: Int, to report: inout Report) {
        for statistic in DiagnosticsCharts.statistics {
            let chart = DiagnosticsCharts.chart(
                records, statistic: statistic, title: sentenceCase(statistic.title),
                xLabel: "optimizer step")
            guard !chart.series.isEmpty else { continue }
            report.addChart(
                chart.svg, fileName: "diagnostics-\(statistic.file).svg",
                caption:
                    "Per weight layer (named by its index in the Sequential): \(statistic.title), every \(interval) optimizer steps"
            )
        }
        report.addFile(
            LayerDiagnosticsRecord.table(records).text, fileName: "diagnostics.csv",
            caption: "Every diagnostics record as CSV (one row per weight layer per recorded step)")
    }
}
