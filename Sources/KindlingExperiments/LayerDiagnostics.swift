import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform
import KindlingText

/// Per-layer statistics of one weight layer at one recorded training step.
public struct LayerDiagnosticsRecord: Sendable, Equatable, Codable {
    /// The step (0-based count of optimizer updates before this one), as `TrainingHistory.Record.step`.
    public let step: Int
    /// The weight layer's dotted name in `namedModules` ("0", "conv1").
    public let layer: String
    /// Mean of the layer's activations on the step's batch: the output of the first activation module
    /// after the layer (before the next weight layer), or of the layer itself when there is none.
    public let activationMean: Double
    /// Standard deviation (unbiased) of those activations.
    public let activationStandardDeviation: Double
    /// After a ReLU: the fraction of units (elements of one sample's output) that are not positive for any
    /// sample of the batch, "dead" units that pass no gradient. nil after other activations.
    public let deadFraction: Double?
    /// After a tanh: the fraction of activations with |y| > 0.99; after a sigmoid: outside [0.01, 0.99].
    /// nil after other activations.
    public let saturatedFraction: Double?
    /// Standard deviation (unbiased) of the loss gradient of the layer's weight at this step.
    public let weightGradientStandardDeviation: Double
    /// ‖ΔW‖ / ‖W‖: the Frobenius norm of this step's update of the weight over the norm of the weight
    /// before it (0 when the update is 0, also for a zero weight).
    public let updateToWeightRatio: Double
    /// The largest difference between the incoming weights (and bias) of two units of the layer:
    /// max over inputs k of max_i W[i, k] - min_i W[i, k] (units i are the weight's rows, the bias an extra
    /// input). Exactly 0 while every unit computes the same function, so under zeros initialization it
    /// stays 0: symmetry is never broken. Always 0 for a layer of one unit.
    public let symmetryBreaking: Double

    /// Records as a table: step, layer, then one column per statistic (empty where not applicable).
    public static func table(_ records: [LayerDiagnosticsRecord]) -> CSVTable {
        CSVTable(
            header: [
                "step", "layer", "activation_mean", "activation_std", "dead_fraction", "saturated_fraction",
                "weight_gradient_std", "update_to_weight_ratio", "symmetry_breaking",
            ],
            rows: records.map { record in
                [
                    String(record.step), record.layer, "\(record.activationMean)",
                    "\(record.activationStandardDeviation)",
                    record.deadFraction.map { "\($0)" } ?? "", record.saturatedFraction.map { "\($0)" } ?? "",
                    "\(record.weightGradientStandardDeviation)", "\(record.updateToWeightRatio)",
                    "\(record.symmetryBreaking)",
                ]
            })
    }
}

/// Records `LayerDiagnosticsRecord`s for every weight layer of a model while it trains, every `interval`
/// steps (steps 0, k, 2k, ..., as `train(recordEvery:)`), through forward hooks on the layers and their
/// activations and through the optimizer it wraps:
///
/// ```swift
/// let diagnostics = LayerDiagnostics(model, every: 100)
/// let history = train(model, on: data, loss: loss, optimizer: diagnostics.observing(optimizer), for: .iterations(1000))
/// diagnostics.detach()
/// diagnostics.records          // one per weight layer per recorded step
/// diagnostics.table.text       // as CSV
/// ```
///
/// A step's activations are taken from the first forward pass after the previous update that records the
/// graph (passes without one, such as an evaluation in `withoutGradient`, and later passes are ignored);
/// its gradient and update statistics when the wrapped optimizer
/// steps. Hooks fire for layers called through `callWithHooks` (as `Sequential` calls its layers).
public final class LayerDiagnostics<Scalar: TensorScalar> {
    /// One weight layer and what follows it.
    private struct Watched {
        let name: String
        let layer: any WeightLayer<Scalar>
        let activation: (any Module<Scalar>)?
    }

    /// Activation statistics of the current step, by watched index.
    private struct Activations {
        var mean: Double
        var standardDeviation: Double
        var deadFraction: Double?
        var saturatedFraction: Double?
    }

    /// Recording interval in steps.
    public let interval: Int
    /// Everything recorded so far, by step, then by layer in `namedModules` order.
    public private(set) var records: [LayerDiagnosticsRecord] = []

    private let watched: [Watched]
    private var handles: [HookHandle] = []
    private var stepsTaken = 0
    private var pending: [Int: Activations] = [:]

    /// Watches every weight layer of `model` (each once), recording every `interval` steps.
    public init(_ model: some Module<Scalar>, every interval: Int) {
        require(interval >= 1, "LayerDiagnostics: the interval must be at least 1, got \(interval)")
        self.interval = interval
        let modules = model.namedModules
        var seen = Set<ObjectIdentifier>()
        var watched: [Watched] = []
        for (index, entry) in modules.enumerated() {
            guard let layer = entry.module as? any WeightLayer<Scalar>, seen.insert(ObjectIdentifier(layer)).inserted
            else { continue }
            var activation: (any Module<Scalar>)?
            for later in modules[(index + 1)...] {
                if later.module is any WeightLayer<Scalar> { break }
                if later.module is any ActivationLayer<Scalar> {
                    activation = later.module
                    break
                }
            }
            watched.append(Watched(name: entry.name, layer: layer, activation: activation))
        }
        self.watched = watched
        for (index, entry) in watched.enumerated() {
            let observed: any Module<Scalar> = entry.activation ?? entry.layer
            handles.append(
                observed.registerForwardHook { [unowned self] module, _, output in
                    self.observe(output, of: module, at: index)
                })
        }
    }

    /// `optimizer` wrapped so that each of its steps is observed; train with the wrapper.
    public func observing(_ optimizer: any Optimizer<Scalar>) -> ObservedOptimizer<Scalar> {
        ObservedOptimizer(optimizer, diagnostics: self)
    }

    /// Removes the hooks; the records stay.
    public func detach() {
        for handle in handles { handle.remove() }
        handles = []
    }

    deinit { detach() }

    /// The records as a table (`LayerDiagnosticsRecord.table`).
    public var table: CSVTable { LayerDiagnosticsRecord.table(records) }

    private var isRecordingStep: Bool { stepsTaken % interval == 0 }

    private func observe(_ output: Tensor<Scalar>, of module: any Module<Scalar>, at index: Int) {
        guard isRecordingStep, pending[index] == nil, GradientMode.isEnabled else { return }
        let values = output.scalars.map(Double.init)
        var activations = Activations(mean: mean(values), standardDeviation: standardDeviation(values))
        if module is ReLU<Scalar> {
            let samples = Swift.max(output.shape.first ?? 1, 1)
            let units = values.count / samples
            var alive = [Bool](repeating: false, count: units)
            for (position, value) in values.enumerated() where value > 0 { alive[position % units] = true }
            activations.deadFraction = units == 0 ? 0 : Double(alive.filter { !$0 }.count) / Double(units)
        } else if module is Tanh<Scalar> {
            activations.saturatedFraction = fraction(values) { Swift.abs($0) > 0.99 }
        } else if module is Sigmoid<Scalar> {
            activations.saturatedFraction = fraction(values) { $0 < 0.01 || $0 > 0.99 }
        }
        pending[index] = activations
    }

    /// Called by `ObservedOptimizer` around the wrapped optimizer's step.
    fileprivate func step(_ update: () -> Void) {
        guard isRecordingStep else {
            update()
            stepsTaken += 1
            return
        }
        let before = watched.map { $0.layer.weight.value.scalars.map(Double.init) }
        let gradients = watched.map { entry in entry.layer.weight.grad.map { standardDeviation($0.scalars) } ?? 0 }
        let symmetry = watched.map { symmetryBreaking(of: $0.layer) }
        update()
        for (index, entry) in watched.enumerated() {
            let after = entry.layer.weight.value.scalars
            var change = 0.0
            var norm = 0.0
            for (old, new) in zip(before[index], after) {
                change += (Double(new) - old) * (Double(new) - old)
                norm += old * old
            }
            let activations = pending[index] ?? Activations(mean: .nan, standardDeviation: .nan)
            records.append(
                LayerDiagnosticsRecord(
                    step: stepsTaken, layer: entry.name, activationMean: activations.mean,
                    activationStandardDeviation: activations.standardDeviation, deadFraction: activations.deadFraction,
                    saturatedFraction: activations.saturatedFraction, weightGradientStandardDeviation: gradients[index],
                    updateToWeightRatio: change == 0 ? 0 : (change / norm).squareRoot(),
                    symmetryBreaking: symmetry[index]))
        }
        pending = [:]
        stepsTaken += 1
    }

    private func symmetryBreaking(of layer: any WeightLayer<Scalar>) -> Double {
        let weight = layer.weight.value
        let units = weight.shape[0]
        let inputs = units == 0 ? 0 : weight.count / units
        let bias = layer.bias?.value.scalars
        var largest = 0.0
        for k in 0..<(inputs + (bias == nil ? 0 : 1)) {
            var low = Double.infinity
            var high = -Double.infinity
            for i in 0..<units {
                let value = Double(k < inputs ? weight.scalars[i * inputs + k] : bias![i])
                low = Swift.min(low, value)
                high = Swift.max(high, value)
            }
            if units > 0 { largest = Swift.max(largest, high - low) }
        }
        return largest
    }

    private func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    private func fraction(_ values: [Double], _ predicate: (Double) -> Bool) -> Double {
        values.isEmpty ? 0 : Double(values.filter(predicate).count) / Double(values.count)
    }
}

/// An optimizer whose steps a `LayerDiagnostics` observes; it updates exactly as the wrapped one.
public final class ObservedOptimizer<Scalar: TensorScalar>: Optimizer {
    /// The optimizer that makes the updates.
    public let wrapped: any Optimizer<Scalar>
    private let diagnostics: LayerDiagnostics<Scalar>

    init(_ wrapped: any Optimizer<Scalar>, diagnostics: LayerDiagnostics<Scalar>) {
        self.wrapped = wrapped
        self.diagnostics = diagnostics
    }

    /// The wrapped optimizer's parameters.
    public var parameters: [Parameter<Scalar>] { wrapped.parameters }

    /// The wrapped optimizer's learning rate.
    public var learningRate: Double {
        get { wrapped.learningRate }
        set { wrapped.learningRate = newValue }
    }

    /// The wrapped optimizer's step, with the statistics of a recorded step taken around it.
    public func step() { diagnostics.step { wrapped.step() } }
}
