import ArgumentParser
import Foundation
import Kindling

/// `kindling propagate`: the deep-signal experiment.
struct Propagate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Push N(0, 1) inputs through a deep stack of Linear layers and print each layer's activation std.",
        discussion: "Stops at the first layer whose output is not finite. Layers are counted from 0."
    )

    @Option(parsing: .unconditional, help: "Number of Linear(width, width, bias: false) layers (at least 1).")
    var layers = 100

    @Option(parsing: .unconditional, help: "Width of every layer (at least 1).")
    var width = 256

    @Option(parsing: .unconditional, help: "Rows of the input batch (at least 2).")
    var batchSize = 16

    @Option(
        help:
            "Activation after every layer: \(SignalPropagation.Activation.allCases.map(\.rawValue).joined(separator: ", "))."
    )
    var activation = SignalPropagation.Activation.none

    @Option(name: .customLong("init"), help: "Weight initialization: \(InitializerRegistry.nameList).")
    var initialization: InitializationName = "normal"

    @Option(
        parsing: .unconditional,
        help:
            "Gain for the initializations that take one: xavier, xavier-normal, he (kaiming), kaiming-uniform, orthogonal (default: the activation's calculateGain)."
    )
    var gain: Double?

    @Option(
        parsing: .unconditional, help: "Seed of the generator that draws the input and the weights (0 to 4294967295).")
    var seed = 0

    @Flag(help: "Also print each layer's weight-gradient std from a backward pass of the output's mean.")
    var gradients = false

    @Option(help: "Precision: float or double.")
    var precision = InitializationComparison.Precision.float

    @Option(help: "Write a report charting std per layer for every initialization in --compare.")
    var report: String?

    @Option(help: "Comma-separated initializations for the report's chart.")
    var compare = "normal,scaled,xavier,kaiming,orthogonal"

    @Flag(
        help:
            "Also predict each layer's activation std and two inputs' correlation by mean-field theory (Poole et al. 2016, Schoenholz et al. 2017), print q*, c*, chi1, xi_q, xi_c, and (with --report) chart prediction against measurement and the sigma_w^2-sigma_b^2 phase diagram."
    )
    var theory = false

    @Option(
        parsing: .unconditional,
        help:
            "With --theory: the correlation of the input pairs whose pre-activation correlation is followed, in [-1, 1]."
    )
    var inputCorrelation = 0.5

    func makeConfiguration(_ initialization: InitializationName) -> SignalPropagation.Configuration {
        var configuration = SignalPropagation.Configuration()
        configuration.layers = layers
        configuration.width = width
        configuration.batchSize = batchSize
        configuration.activation = activation
        configuration.initialization = initialization
        configuration.gain = gain
        configuration.seed = UInt32(seed)  // checked by validate()
        configuration.gradients = gradients
        configuration.inputCorrelation = theory ? inputCorrelation : nil
        return configuration
    }

    func comparedInitializations() throws -> [InitializationName] {
        try parseInitializations(compare, option: "compare")
    }

    func validate() throws {
        guard layers >= 1 else { throw ValidationError("--layers must be at least 1, got \(layers)") }
        guard width >= 1 else { throw ValidationError("--width must be at least 1, got \(width)") }
        guard batchSize >= 2 else {
            throw ValidationError("--batch-size must be at least 2 (a std needs two rows), got \(batchSize)")
        }
        if let gain, !(gain > 0) || !gain.isFinite {
            throw ValidationError("--gain must be a positive number, got \(gain)")
        }
        _ = try generatorSeed(seed)
        guard inputCorrelation >= -1 && inputCorrelation <= 1 else {
            throw ValidationError("--input-correlation must lie in [-1, 1], got \(inputCorrelation)")
        }
        _ = try comparedInitializations()
        if let report { try ReportDestination.check(report) }
    }

    func run(_ configuration: SignalPropagation.Configuration) -> SignalPropagation.Result {
        switch precision {
        case .float: return SignalPropagation.run(configuration, as: Float.self)
        case .double: return SignalPropagation.run(configuration, as: Double.self)
        }
    }

    func run() throws {
        let configuration = makeConfiguration(initialization)
        let scaling =
            initialization.entry.fitsToData
            ? "each Linear output scaled to std 1 ± 0.1 on the batch" : "gain \(configuration.effectiveGain)"
        print(
            "activation \(activation.rawValue), init \(initialization.rawValue), \(scaling), \(layers) layers of \(width), batch \(batchSize), \(precision.rawValue)"
        )
        let result = run(configuration)
        let prediction =
            theory ? PropagationTheory(activation: activation, result: result, inputCorrelation: inputCorrelation) : nil
        for layer in result.layers {
            var line = "layer \(layer.layer): std \(layer.activationStandardDeviation)"
            if let gradient = layer.gradientStandardDeviation { line += ", weight gradient std \(gradient)" }
            if let prediction { line += prediction.layerText(layer.layer) }
            print(line)
        }
        if let layer = result.firstNonFiniteLayer { print("non-finite at layer \(layer)") }
        if let prediction { print(prediction.summary) }

        guard let report else { return }
        let url = try ReportDestination.check(report)
        var series: [(name: String, values: [Double])] = []
        for initialization in try comparedInitializations() {
            var compared = makeConfiguration(initialization)
            compared.gradients = false
            compared.inputCorrelation = nil
            series.append((initialization.rawValue, run(compared).layers.map(\.activationStandardDeviation)))
        }
        var document = Report(title: "Kindling: signal through \(layers) layers (\(activation.rawValue))")
        document.addText(
            "Activation std per layer for \(layers) Linear(\(width), \(width)) layers without bias, batch \(batchSize) of N(0, 1) inputs, \(activation.rawValue) after every layer, seed \(seed), \(precision.rawValue) precision. A curve ends where the activations stop being finite."
        )
        let chart = LineChart.perLayer(
            title: "Activation std per layer (\(activation.rawValue))", statistic: "std", series: series)
        document.addChart(chart.svg, fileName: "std-per-layer.svg", caption: "Activation std per layer, log scale")
        let curves = series.map { ChartSeries($0.name, x: $0.values.indices.map(Double.init), y: $0.values) }
        document.addFile(
            CSVTable.curves(curves, xName: "layer").text, fileName: "std-per-layer.csv",
            caption: "The std per layer as CSV, one column per initialization")
        if let prediction { prediction.add(to: &document, label: initialization.rawValue) }
        try document.write(to: url)
        print("Report written to \(url.path)/index.html")
    }
}

extension PropagationTheory {
    /// ", predicted std ..., correlation ... (predicted ...)" for one layer's line.
    func layerText(_ layer: Int) -> String {
        var text = ", predicted std \(predictedStandardDeviations[layer])"
        if layer < measuredCorrelations.count {
            text += ", pair correlation \(measuredCorrelations[layer]) (predicted \(predictedCorrelations[layer]))"
        }
        return text
    }

    /// The prediction's charts and table, added to a report.
    func add(to document: inout Report, label: String) {
        document.addText(
            "Mean-field theory (Poole et al. 2016; Schoenholz et al. 2017) beside the run above: σ_w² of each layer from the weights it drew, σ_b² = 0. "
                + summary.replacingOccurrences(of: "\n", with: "; ") + ".")
        document.addChart(
            standardDeviationChart.svg, fileName: "theory-std.svg",
            caption: "Activation std per layer, measured and predicted by the length map")
        document.addChart(
            correlationChart.svg, fileName: "theory-correlation.svg",
            caption:
                "Correlation of two inputs' pre-activations per layer, measured and predicted by the correlation map")
        document.addChart(
            phaseDiagram(label: label).svg, fileName: "phase-diagram.svg",
            caption: "Depth scale ξ_c over σ_w² and σ_b², the edge of chaos χ₁ = 1, and this network")
        document.addFile(
            table.text, fileName: "theory.csv", caption: "Measured and predicted std and correlation per layer")
    }
}
