import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform
import KindlingText

/// A comparison run as JSON, so that the cells of a sweep can run as separate processes (or machines)
/// and be merged into one table and report: the recorded costs, where training diverged, the accuracies,
/// the seconds, the decision boundary's grid and the diagnostics, every number exactly (Swift's
/// shortest round-tripping form; "inf", "-inf" and "nan" as strings when the coder is set up so, as
/// `JSONEncoder.nonConformingFloatEncodingStrategy = .convertToString(...)`).
extension InitializationComparison.Run: Codable {
    private enum CodingKeys: String, CodingKey {
        case initialization, seed, steps, losses, metrics, stepsCompleted, divergence, trainAccuracy, testAccuracy
        case seconds, decisionBoundary, diagnostics
    }

    private struct Divergence: Codable {
        let step: Int
        let loss: Double
    }

    private struct Boundary: Codable {
        let title: String
        let xRange: [Double]
        let yRange: [Double]
        let resolution: Int
        let probabilities: [[Double]]
        let points: [[Double]]
    }

    /// Decodes a run written by `encode(to:)`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let steps = try container.decode([Int].self, forKey: .steps)
        let losses = try container.decode([Double].self, forKey: .losses)
        let metrics = try container.decode([[String: Double]].self, forKey: .metrics)
        guard steps.count == losses.count && steps.count == metrics.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .losses, in: container,
                debugDescription: "\(steps.count) steps but \(losses.count) losses and \(metrics.count) metrics")
        }
        var history = TrainingHistory()
        history.records = steps.indices.map {
            TrainingHistory.Record(step: steps[$0], loss: losses[$0], metrics: metrics[$0])
        }
        history.stepsCompleted = try container.decode(Int.self, forKey: .stepsCompleted)
        history.divergence = try container.decodeIfPresent(Divergence.self, forKey: .divergence)
            .map { TrainingHistory.Divergence(step: $0.step, loss: $0.loss) }
        let boundary = try container.decodeIfPresent(Boundary.self, forKey: .decisionBoundary)
        if let boundary {
            guard boundary.xRange.count == 2, boundary.yRange.count == 2, boundary.resolution >= 1,
                boundary.probabilities.count == boundary.resolution * boundary.resolution,
                boundary.points.allSatisfy({ $0.count == 3 })
            else {
                throw DecodingError.dataCorruptedError(
                    forKey: .decisionBoundary, in: container,
                    debugDescription: "the decision boundary's ranges, grid or points are malformed")
            }
        }
        self.init(
            initialization: try container.decode(InitializationName.self, forKey: .initialization),
            seed: try container.decode(UInt32.self, forKey: .seed), history: history,
            trainAccuracy: try container.decode(Double.self, forKey: .trainAccuracy),
            testAccuracy: try container.decode(Double.self, forKey: .testAccuracy),
            seconds: try container.decode(Double.self, forKey: .seconds),
            decisionBoundary: boundary.map { boundary in
                DecisionBoundaryChart(
                    title: boundary.title, xRange: boundary.xRange[0]...boundary.xRange[1],
                    yRange: boundary.yRange[0]...boundary.yRange[1], resolution: boundary.resolution,
                    probabilities: boundary.probabilities,
                    points: boundary.points.map { ($0[0], $0[1], Int($0[2])) })
            },
            diagnostics: try container.decode([LayerDiagnosticsRecord].self, forKey: .diagnostics))
    }

    /// Encodes everything the comparison's table and report show.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(initialization, forKey: .initialization)
        try container.encode(seed, forKey: .seed)
        try container.encode(history.steps, forKey: .steps)
        try container.encode(history.losses, forKey: .losses)
        try container.encode(history.records.map(\.metrics), forKey: .metrics)
        try container.encode(history.stepsCompleted, forKey: .stepsCompleted)
        try container.encodeIfPresent(
            history.divergence.map { Divergence(step: $0.step, loss: $0.loss) }, forKey: .divergence)
        try container.encode(trainAccuracy, forKey: .trainAccuracy)
        try container.encode(testAccuracy, forKey: .testAccuracy)
        try container.encode(seconds, forKey: .seconds)
        try container.encodeIfPresent(
            decisionBoundary.map { chart in
                Boundary(
                    title: chart.title, xRange: [chart.xRange.lowerBound, chart.xRange.upperBound],
                    yRange: [chart.yRange.lowerBound, chart.yRange.upperBound], resolution: chart.resolution,
                    probabilities: chart.probabilities, points: chart.points.map { [$0.x, $0.y, Double($0.label)] })
            }, forKey: .decisionBoundary)
        try container.encode(diagnostics, forKey: .diagnostics)
    }
}
