import Foundation
import Kindling

/// Mean, spread and median of one quantity over the seeds of one initialization.
struct SeedStatistics {
    let values: [Double]

    var mean: Double { values.reduce(0, +) / Double(values.count) }
    /// The sample standard deviation (n - 1); 0 for one value or equal values (whose mean may round off
    /// them by an ulp).
    var standardDeviation: Double {
        guard values.count > 1, minimum != maximum else { return 0 }
        let mean = self.mean
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
    }
    var minimum: Double { values.min() ?? .nan }
    var maximum: Double { values.max() ?? .nan }
    /// The middle value, or the mean of the two middle values.
    var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// "mean ± sd" with `digits` significant digits.
    func formatted(digits: Int = 4) -> String {
        String(format: "%.\(digits)g ± %.2g", mean, standardDeviation)
    }
}

/// The runs of one initialization over its seeds.
struct SeedGroup {
    let initialization: InitializationName
    let runs: [InitializationComparison.Run]

    /// The runs grouped by initialization, in first-seen order.
    static func groups(_ runs: [InitializationComparison.Run]) -> [SeedGroup] {
        var order: [InitializationName] = []
        for run in runs where !order.contains(run.initialization) { order.append(run.initialization) }
        return order.map { initialization in
            SeedGroup(initialization: initialization, runs: runs.filter { $0.initialization == initialization })
        }
    }

    var finalCost: SeedStatistics { SeedStatistics(values: runs.compactMap { $0.history.losses.last }) }
    var trainAccuracy: SeedStatistics { SeedStatistics(values: runs.map(\.trainAccuracy)) }
    var testAccuracy: SeedStatistics { SeedStatistics(values: runs.map(\.testAccuracy)) }
    var divergedCount: Int { runs.filter { $0.history.divergence != nil }.count }

    /// At each recorded step, the median, minimum and maximum cost over the seeds that reached it.
    var costBand: (median: ChartSeries, band: ChartBand) {
        var byStep: [Int: [Double]] = [:]
        for run in runs {
            for record in run.history.records { byStep[record.step, default: []].append(record.loss) }
        }
        let steps = byStep.keys.sorted()
        let statistics = steps.map { SeedStatistics(values: byStep[$0]!) }
        let x = steps.map(Double.init)
        return (
            ChartSeries("\(initialization.rawValue) (median of \(runs.count))", x: x, y: statistics.map(\.median)),
            ChartBand(x: x, lower: statistics.map(\.minimum), upper: statistics.map(\.maximum))
        )
    }
}
