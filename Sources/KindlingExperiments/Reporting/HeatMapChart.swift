import Foundation
import KindlingPlatform

/// A heat map as a standalone SVG document: a value per cell of a grid (x across, y up), colored on a
/// linear or logarithmic color scale with a color bar, with curves and labelled points drawn on top (a
/// trainable-depth prediction over measured accuracies, a critical line over a phase diagram).
///
/// The grid need not be regular: each cell spans half-way to its neighbours. Cells whose value is NaN or
/// infinite, or not positive on a logarithmic color scale, are drawn gray and counted in a note under the
/// title. Curves are clipped to the plot.
///
/// ```swift
/// let chart = HeatMapChart(
///     title: "Held-out accuracy", xLabel: "σ_w²", yLabel: "depth", colorLabel: "accuracy",
///     x: [1, 2, 3], y: [10, 50], values: [[0.9, 0.95, 0.9], [0.2, 0.9, 0.3]])
/// try chart.svg.write(to: url, atomically: true, encoding: .utf8)
/// ```
public struct HeatMapChart: Sendable {
    /// A labelled point drawn on top of the map.
    public struct Marker: Sendable, Equatable {
        /// The label written next to the point.
        public var label: String
        /// The point's x.
        public var x: Double
        /// The point's y.
        public var y: Double

        /// A point at (x, y) with a label.
        public init(_ label: String, x: Double, y: Double) {
            self.label = label
            self.x = x
            self.y = y
        }
    }

    /// The heading above the plot.
    public var title: String
    /// The x axis label.
    public var xLabel: String
    /// The y axis label.
    public var yLabel: String
    /// The color bar's label.
    public var colorLabel: String
    /// The cells' x values (columns), increasing.
    public var x: [Double]
    /// The cells' y values (rows), increasing.
    public var y: [Double]
    /// values[row][column]: the value at (x[column], y[row]).
    public var values: [[Double]]
    /// How values map to colors.
    public var colorScale: AxisScale = .linear
    /// The values at the two ends of the color scale; nil: the smallest and largest drawable values.
    public var colorRange: ClosedRange<Double>?
    /// Curves drawn over the map (clipped to it), in the palette's colors, with a legend.
    public var curves: [ChartSeries] = []
    /// Labelled points drawn over the map.
    public var markers: [Marker] = []

    /// A heat map of `values` (one row per y, one column per x).
    public init(
        title: String, xLabel: String, yLabel: String, colorLabel: String, x: [Double], y: [Double],
        values: [[Double]]
    ) {
        require(
            values.count == y.count && values.allSatisfy { $0.count == x.count } && !x.isEmpty && !y.isEmpty,
            "HeatMapChart '\(title)': \(values.count) rows of \(values.map(\.count)) values for \(y.count) y and \(x.count) x values"
        )
        require(
            zip(x, x.dropFirst()).allSatisfy { $0 < $1 } && zip(y, y.dropFirst()).allSatisfy { $0 < $1 },
            "HeatMapChart '\(title)': x and y must increase")
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.colorLabel = colorLabel
        self.x = x
        self.y = y
        self.values = values
    }

    /// Whether a value can be colored on the color scale.
    func isDrawable(_ value: Double) -> Bool { value.isFinite && (colorScale == .linear || value > 0) }

    /// The number of cells drawn gray (no drawable value).
    public var missingCellCount: Int { values.joined().filter { !isDrawable($0) }.count }

    /// The cells' edges along one axis: half-way between neighbours, and as far again beyond the ends.
    static func edges(_ centers: [Double]) -> [Double] {
        guard centers.count > 1 else { return [centers[0] - 0.5, centers[0] + 0.5] }
        let middles = zip(centers, centers.dropFirst()).map { ($0 + $1) / 2 }
        return [centers[0] - (middles[0] - centers[0])] + middles
            + [centers[centers.count - 1] + (centers[centers.count - 1] - middles[middles.count - 1])]
    }

    /// matplotlib's viridis at a few stops, interpolated linearly: 0 is dark purple, 1 yellow.
    static func color(_ fraction: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
            (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
        ]
        let t = min(1, max(0, fraction.isFinite ? fraction : 0)) * Double(stops.count - 1)
        let index = min(stops.count - 2, Int(t))
        let f = t - Double(index)
        let (a, b) = (stops[index], stops[index + 1])
        return ChartPalette.hex(a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
    }

    /// The SVG document.
    public var svg: String {
        let width = 800.0
        let height = 500.0
        let left = 78.0
        let right = width - 230
        let top = 62.0
        let bottom = height - 58
        var writer = SVGWriter(width: width, height: height)
        let xEdges = Self.edges(x)
        let yEdges = Self.edges(y)
        let xAxis = HeatMapAxis(xEdges[0], xEdges[xEdges.count - 1])
        let yAxis = HeatMapAxis(yEdges[0], yEdges[yEdges.count - 1])
        let drawable = values.joined().filter(isDrawable)
        let colorAxis = ChartAxis(
            values: colorRange.map { [$0.lowerBound, $0.upperBound] } ?? drawable, scale: colorScale)
        let colorLow = colorRange.flatMap { colorAxis.transform($0.lowerBound) } ?? colorAxis.lower
        let colorHigh = colorRange.flatMap { colorAxis.transform($0.upperBound) } ?? colorAxis.upper
        func fraction(_ value: Double) -> Double {
            guard let t = colorAxis.transform(value) else { return .nan }
            return colorHigh > colorLow ? (t - colorLow) / (colorHigh - colorLow) : 0.5
        }
        func px(_ value: Double) -> Double { xAxis.position(value, from: left, to: right) }
        func py(_ value: Double) -> Double { yAxis.position(value, from: bottom, to: top) }

        writer.text(title, x: (left + right) / 2, y: 26, anchor: .middle, size: 16, bold: true)
        let missing = missingCellCount
        if missing > 0 {
            writer.text(
                "\(missing) cell\(missing == 1 ? "" : "s") without a value (gray)", x: (left + right) / 2, y: 44,
                anchor: .middle, size: 11, color: "#b00020")
        }
        writer.raw("<g class=\"cells\">")
        for (row, rowValues) in values.enumerated() {
            for (column, value) in rowValues.enumerated() {
                let x0 = px(xEdges[column])
                let x1 = px(xEdges[column + 1])
                let y0 = py(yEdges[row + 1])
                let y1 = py(yEdges[row])
                let fill = isDrawable(value) ? Self.color(fraction(value)) : "#c8c8c8"
                writer.rect(
                    x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill: fill,
                    extra: "data-value=\"\(value.isFinite ? String(format: "%.6g", value) : "\(value)")\"")
            }
        }
        writer.raw("</g>")
        for tick in yAxis.ticks {
            writer.line(x1: left - 4, y1: py(tick), x2: left, y2: py(tick), stroke: "#444444")
            writer.text(yAxis.label(tick), x: left - 6, y: py(tick) + 4, anchor: .end, size: 11)
        }
        for tick in xAxis.ticks {
            writer.line(x1: px(tick), y1: bottom, x2: px(tick), y2: bottom + 4, stroke: "#444444")
            writer.text(xAxis.label(tick), x: px(tick), y: bottom + 16, anchor: .middle, size: 11)
        }
        writer.rect(
            x: left, y: top, width: right - left, height: bottom - top, fill: "none",
            extra: "stroke=\"#444444\" stroke-width=\"1\"")
        writer.text(xLabel, x: (left + right) / 2, y: height - 18, anchor: .middle)
        writer.text(yLabel, x: 20, y: (top + bottom) / 2, anchor: .middle, rotated: true)

        writer.raw(
            "<clipPath id=\"plot\"><rect x=\"\(SVGWriter.number(left))\" y=\"\(SVGWriter.number(top))\" "
                + "width=\"\(SVGWriter.number(right - left))\" height=\"\(SVGWriter.number(bottom - top))\"/></clipPath>"
        )
        for (index, curve) in curves.enumerated() {
            let color = Self.curveColor(index)
            writer.raw("<g class=\"curve\" clip-path=\"url(#plot)\" data-name=\"\(SVGWriter.escape(curve.name))\">")
            var segment: [(Double, Double)] = []
            for (cx, cy) in zip(curve.x, curve.y) {
                guard cx.isFinite, cy.isFinite else {
                    if segment.count > 1 { writer.polyline(segment, stroke: color, width: 2.5) }
                    segment = []
                    continue
                }
                // Far-off values (a diverging depth scale) are pinned just outside the plot.
                let clampedY = min(max(cy, yAxis.lower - (yAxis.upper - yAxis.lower)), 2 * yAxis.upper - yAxis.lower)
                segment.append((px(cx), py(clampedY)))
            }
            if segment.count > 1 { writer.polyline(segment, stroke: color, width: 2.5) }
            writer.raw("</g>")
            let legendY = bottom - 10 - Double(curves.count - 1 - index) * 20
            writer.line(x1: right + 90, y1: legendY, x2: right + 114, y2: legendY, stroke: color, width: 3)
            writer.text(curve.name, x: right + 120, y: legendY + 4)
        }
        for marker in markers where marker.x.isFinite && marker.y.isFinite {
            writer.circle(x: px(marker.x), y: py(marker.y), radius: 5, fill: "#ffffff", stroke: "#000000")
            writer.text(marker.label, x: px(marker.x) + 8, y: py(marker.y) - 6, size: 11, bold: true)
        }

        // The color bar.
        let barLeft = right + 24
        let barWidth = 18.0
        let steps = 60
        for step in 0..<steps {
            let y0 = bottom - (bottom - top) * Double(step + 1) / Double(steps)
            writer.rect(
                x: barLeft, y: y0, width: barWidth, height: (bottom - top) / Double(steps) + 0.5,
                fill: Self.color((Double(step) + 0.5) / Double(steps)))
        }
        for tick in colorAxis.ticks where tick >= colorLow - 1e-12 && tick <= colorHigh + 1e-12 {
            let y = bottom - (bottom - top) * (colorHigh > colorLow ? (tick - colorLow) / (colorHigh - colorLow) : 0.5)
            writer.line(x1: barLeft + barWidth, y1: y, x2: barLeft + barWidth + 4, y2: y, stroke: "#444444")
            writer.text(colorAxis.label(tick), x: barLeft + barWidth + 6, y: y + 4, size: 11)
        }
        writer.text(
            colorLabel + (colorScale == .logarithmic ? " (log scale)" : ""), x: barLeft + barWidth / 2, y: top - 10,
            anchor: .middle, size: 11)
        return writer.document
    }

    /// Curve colors that stand out on viridis: white, red, orange, then the palette.
    static func curveColor(_ index: Int) -> String {
        let colors = ["#ffffff", "#d62728", "#ff7f0e"]
        return index < colors.count ? colors[index] : ChartPalette.color(index)
    }
}

/// A linear axis exactly from one cell edge to the other, with "nice" ticks (`ChartAxis.niceStep`) inside.
struct HeatMapAxis {
    let lower: Double
    let upper: Double
    let ticks: [Double]

    init(_ lower: Double, _ upper: Double) {
        self.lower = lower
        self.upper = upper
        let step = ChartAxis.niceStep((upper - lower) / 6)
        let first = (lower / step).rounded(.up)
        let last = (upper / step).rounded(.down)
        ticks = first <= last ? stride(from: first, through: last, by: 1).map { $0 * step } : []
    }

    func position(_ value: Double, from start: Double, to end: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    func label(_ tick: Double) -> String { String(format: "%g", abs(tick) < 1e-12 ? 0 : tick) }
}
