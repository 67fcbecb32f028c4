import Kindling

/// The per-layer statistics of `LayerDiagnosticsRecord` that the reports chart, and the chart of one run's
/// records for one of them (a curve per layer), shared by `compare-init --diagnostics` and
/// `train --diagnostics`.
enum DiagnosticsCharts {
    /// One charted statistic: its file-name part, title, axis scale and value (nil where it does not apply).
    struct Statistic: Sendable {
        let file: String
        let title: String
        let scale: AxisScale
        let value: @Sendable (LayerDiagnosticsRecord) -> Double?
    }

    static let statistics: [Statistic] = [
        Statistic(
            file: "activation-std", title: "activation std", scale: .logarithmic,
            value: { $0.activationStandardDeviation }),
        Statistic(file: "activation-mean", title: "activation mean", scale: .linear, value: { $0.activationMean }),
        Statistic(file: "dead-relu", title: "dead ReLU fraction", scale: .linear, value: { $0.deadFraction }),
        Statistic(
            file: "weight-gradient-std", title: "weight-gradient std", scale: .logarithmic,
            value: { $0.weightGradientStandardDeviation }),
        Statistic(
            file: "update-ratio", title: "update-to-weight ratio", scale: .logarithmic,
            value: { $0.updateToWeightRatio }),
        Statistic(file: "symmetry", title: "symmetry breaking", scale: .linear, value: { $0.symmetryBreaking }),
        Statistic(file: "saturation", title: "saturated fraction", scale: .linear, value: { $0.saturatedFraction }),
    ]

    /// `statistic` of `records` against the step, a curve per layer (in the records' order), titled
    /// `title`; `xLabel` names the step axis.
    static func chart(_ records: [LayerDiagnosticsRecord], statistic: Statistic, title: String, xLabel: String)
        -> LineChart
    {
        var layers: [String] = []
        for record in records where !layers.contains(record.layer) { layers.append(record.layer) }
        let series = layers.map { layer -> ChartSeries in
            let chosen = records.filter { $0.layer == layer && statistic.value($0) != nil }
            return ChartSeries(
                "layer \(layer)", x: chosen.map { Double($0.step) }, y: chosen.map { statistic.value($0)! })
        }
        // A panel with nothing positive to draw on a log axis (zeros: every gradient is exactly 0)
        // shows its values on a linear one instead of an empty plot.
        let drawable = series.contains { $0.y.contains { $0 > 0 && $0.isFinite } }
        return LineChart(
            title: title, xLabel: xLabel, yLabel: statistic.title, yScale: drawable ? statistic.scale : .linear,
            series: series.filter { !$0.x.isEmpty })
    }
}
