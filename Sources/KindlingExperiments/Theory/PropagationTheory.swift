import Foundation
import KindlingCore
import KindlingPlatform

extension SignalPropagation.Activation {
    /// The same nonlinearity for mean-field theory (`none` is the identity).
    public var meanField: MeanField.Activation {
        switch self {
        case .none: return .linear
        case .tanh: return .tanh
        case .relu: return .relu
        case .sigmoid: return .sigmoid
        }
    }
}

/// Mean-field theory (`MeanField`) beside a `SignalPropagation` run: the predicted activation std and
/// pre-activation correlation of two inputs per layer, next to the measured ones, and the fixed point of
/// the network's (σ_w², σ_b²).
///
/// The theory takes each layer's σ_w² from the weights the run drew (`SignalPropagation.Result.weightVariances`:
/// fan_in × their mean square), σ_b² = 0 (the study's layers have no bias), and inputs with second moment 1
/// (N(0, 1) entries) and the pairs' correlation. Layer l's predicted std is √(E[φ(√qˡ z)²] − E[φ(√qˡ z)]²).
/// The fixed point and depth scales use the mean of the layers' σ_w².
public struct PropagationTheory: Sendable {
    /// The theory at the mean σ_w² of the layers and σ_b² = 0.
    public let theory: MeanField
    /// q*, c*, χ₁, ξ_q and ξ_c of `theory`.
    public let fixedPoint: MeanField.FixedPoint
    /// The σ_w² of the order-to-chaos boundary at σ_b² = 0 (nil when there is none in 0.01...10).
    public let criticalWeightVariance: Double?
    /// The predicted std of each layer's output (after the activation).
    public let predictedStandardDeviations: [Double]
    /// The predicted correlation of the two inputs' pre-activations at each layer.
    public let predictedCorrelations: [Double]
    /// The measured std of each layer reached.
    public let measuredStandardDeviations: [Double]
    /// The measured mean pair correlation of each layer reached (empty when the run did not measure it).
    public let measuredCorrelations: [Double]
    /// The pairs' input correlation.
    public let inputCorrelation: Double

    /// The prediction for a run of `SignalPropagation` with this activation whose inputs had this correlation.
    public init(
        activation: SignalPropagation.Activation, result: SignalPropagation.Result, inputCorrelation: Double,
        nodeCount: Int = 300
    ) {
        let rule = GaussHermiteRule(nodeCount: nodeCount)
        let variances = result.weightVariances
        let mean = variances.reduce(0, +) / Double(max(variances.count, 1))
        let theory = MeanField(activation: activation.meanField, weightVariance: mean, biasVariance: 0, rule: rule)
        self.theory = theory
        fixedPoint = theory.fixedPoint()
        criticalWeightVariance = MeanField.criticalWeightVariance(
            activation: activation.meanField, biasVariance: 0, rule: rule)
        let layers = theory.layers(inputs: (1, 1, inputCorrelation), weightVariances: variances)
        predictedStandardDeviations = layers.map { theory.activationStandardDeviation(length: $0.q1) }
        predictedCorrelations = layers.map(\.correlation)
        measuredStandardDeviations = result.layers.map(\.activationStandardDeviation)
        measuredCorrelations = result.pairCorrelations ?? []
        self.inputCorrelation = inputCorrelation
    }

    /// "ordered", "chaotic" or "critical" by χ₁ (within 1e-9 of 1 is critical); "q diverges" without q*.
    public var phase: String {
        guard fixedPoint.q.isFinite else { return "q diverges: no fixed point" }
        if abs(fixedPoint.chi1 - 1) < 1e-9 { return "critical" }
        return fixedPoint.chi1 < 1 ? "ordered phase" : "chaotic phase"
    }

    /// The key numbers, one line each.
    public var summary: String {
        func format(_ value: Double) -> String { String(format: "%.6g", value) }
        let point = fixedPoint
        var lines = [
            "mean field (\(theory.activation.rawValue), σ_w² = \(format(theory.weightVariance)) from the drawn weights, σ_b² = 0): \(phase)",
            "q* = \(format(point.q)), c* = \(format(point.c)), χ₁ = \(format(point.chi1)), χ_c = \(format(point.chiC)), ξ_q = \(format(point.lengthDepth)), ξ_c = \(format(point.correlationDepth)) layers",
        ]
        if let critical = criticalWeightVariance {
            lines.append("order-to-chaos boundary (χ₁ = 1) at σ_b² = 0: σ_w² = \(format(critical))")
        }
        return lines.joined(separator: "\n")
    }

    /// Measured against predicted std (log scale) per layer.
    public var standardDeviationChart: LineChart {
        LineChart.perLayer(
            title: "Activation std per layer: measured and mean-field prediction (\(theory.activation.rawValue))",
            statistic: "std",
            series: [("measured", measuredStandardDeviations), ("mean field", predictedStandardDeviations)])
    }

    /// Measured against predicted pre-activation correlation of the input pairs per layer.
    public var correlationChart: LineChart {
        func curve(_ name: String, _ values: [Double]) -> ChartSeries {
            ChartSeries(name, x: values.indices.map(Double.init), y: values)
        }
        return LineChart(
            title: "Correlation of two inputs per layer (input correlation \(inputCorrelation))", xLabel: "layer",
            yLabel: "pre-activation correlation",
            series: [curve("measured", measuredCorrelations), curve("mean field", predictedCorrelations)])
    }

    /// The σ_w²–σ_b² phase diagram of the activation: ξ_c over the plane (gray where q* is infinite), the
    /// order-to-chaos line χ₁ = 1, and this network's point.
    public func phaseDiagram(label: String) -> HeatMapChart {
        var chart = PhaseDiagram.chart(activation: theory.activation)
        chart.markers = [HeatMapChart.Marker(label, x: theory.weightVariance, y: 0)]
        return chart
    }

    /// Layer, measured and predicted std and correlation, as CSV.
    public var table: CSVTable {
        func cell(_ values: [Double], _ index: Int) -> String {
            index < values.count ? "\(values[index])" : ""
        }
        let rows = predictedStandardDeviations.indices.map { index in
            [
                "\(index)", cell(measuredStandardDeviations, index), cell(predictedStandardDeviations, index),
                cell(measuredCorrelations, index), cell(predictedCorrelations, index),
            ]
        }
        return CSVTable(
            header: ["layer", "measured std", "predicted std", "measured correlation", "predicted correlation"],
            rows: rows)
    }
}

/// The σ_w²–σ_b² phase diagram of mean-field theory for one activation.
public enum PhaseDiagram {
    /// ξ_c over σ_w² in 0.125...4 and σ_b² in 0...0.5 (a 40-node rule: a picture, not a table), colored on a
    /// log scale from 0.5 to 200 layers, with the critical line χ₁ = 1 (a 60-node rule).
    public static func chart(activation: MeanField.Activation) -> HeatMapChart {
        let weightVariances = (1...32).map { Double($0) / 8 }
        let biasVariances = (0...10).map { Double($0) * 0.05 }
        let rule = GaussHermiteRule(nodeCount: 40)
        let values = biasVariances.map { biasVariance in
            weightVariances.map { weightVariance in
                MeanField(
                    activation: activation, weightVariance: weightVariance, biasVariance: biasVariance, rule: rule
                )
                .fixedPoint().correlationDepth
            }
        }
        var chart = HeatMapChart(
            title: "Phase diagram of \(activation.rawValue) networks: depth scale ξ_c", xLabel: "σ_w²",
            yLabel: "σ_b²", colorLabel: "ξ_c (layers)", x: weightVariances, y: biasVariances, values: values)
        chart.colorScale = .logarithmic
        chart.colorRange = 0.5...200
        let fine = GaussHermiteRule(nodeCount: 60)
        let line = biasVariances.compactMap { biasVariance in
            MeanField.criticalWeightVariance(activation: activation, biasVariance: biasVariance, rule: fine)
                .map { ($0, biasVariance) }
        }
        chart.curves = [ChartSeries("χ₁ = 1 (edge of chaos)", x: line.map(\.0), y: line.map(\.1))]
        return chart
    }
}
