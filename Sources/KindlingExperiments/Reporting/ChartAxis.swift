import Foundation
import KindlingCore
import KindlingData
import KindlingNN

/// How values map to positions along a chart axis.
public enum AxisScale: Sendable, Equatable {
    /// Equal distances for equal differences.
    case linear
    /// Equal distances for equal ratios (base 10); only positive values can be drawn.
    case logarithmic
}

/// An axis's domain and tick marks, chosen from the data ("nice" steps of 1, 2 or 5 times a power of
/// ten; decades, with 2 and 5 in between when they are few, on a log scale).
struct ChartAxis {
    let scale: AxisScale
    /// The ends of the axis in transformed units (log10 of the value on a log scale).
    let lower: Double
    let upper: Double
    let ticks: [Double]

    init(values: [Double], scale: AxisScale) {
        self.scale = scale
        let finite = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        switch scale {
        case .linear:
            var low = finite.min() ?? 0
            var high = finite.max() ?? 1
            if low == high {
                let pad = Swift.max(Swift.abs(low) * 0.1, 1e-9)
                low -= pad
                high += pad
            }
            let step = Self.niceStep((high - low) / 5)
            // A small tolerance keeps 0.3 / 0.1 = 2.9999999999999996 at 3 steps.
            lower = (low / step + 1e-9).rounded(.down) * step
            upper = (high / step - 1e-9).rounded(.up) * step
            ticks = stride(from: lower, through: upper + step / 2, by: step).map { ($0 / step).rounded() * step }
        case .logarithmic:
            var low = log10(finite.min() ?? 0.1)
            var high = log10(finite.max() ?? 10)
            let pad = Swift.max((high - low) * 0.05, 0.05)
            low -= pad
            high += pad
            lower = low
            upper = high
            let decades = Int(low.rounded(.down))...Int(high.rounded(.up))
            let stepDecades = Swift.max(1, (decades.count + 7) / 8)
            let multiples: [Double] = high - low <= 2.5 ? [1, 2, 5] : [1]
            ticks = decades.filter { $0 % stepDecades == 0 }
                .flatMap { decade in multiples.map { log10($0) + Double(decade) } }
                .filter { $0 >= low && $0 <= high }
        }
    }

    /// 1, 2 or 5 times a power of ten, at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        let power = pow(10, (log10(rough)).rounded(.down))
        for multiple in [1.0, 2, 5, 10] where multiple * power >= rough * 0.999 { return multiple * power }
        return 10 * power
    }

    /// The transformed value (log10 on a log scale), nil when it cannot be drawn.
    func transform(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch scale {
        case .linear: return value
        case .logarithmic: return value > 0 ? log10(value) : nil
        }
    }

    /// The position of a transformed value between `start` (at the lower end) and `end`.
    func position(_ transformed: Double, from start: Double, to end: Double) -> Double {
        start + (transformed - lower) / (upper - lower) * (end - start)
    }

    /// The label of a tick (given in transformed units).
    func label(_ tick: Double) -> String {
        switch scale {
        case .linear:
            return String(format: "%g", tick == 0 ? 0 : tick)
        case .logarithmic:
            let value = pow(10, tick)
            let exponent = Int(tick.rounded(.down))
            if (-3...4).contains(exponent) {
                return String(format: "%g", Double(String(format: "%.1g", value)) ?? value)
            }
            let mantissa = (value / pow(10, Double(exponent))).rounded()
            return mantissa == 1 ? "1e\(exponent)" : "\(Int(mantissa))e\(exponent)"
        }
    }
}
