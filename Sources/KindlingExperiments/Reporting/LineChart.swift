import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform

/// One named curve of a chart: y against x.
public struct ChartSeries: Sendable, Equatable {
    /// The legend entry.
    public var name: String
    /// The x values.
    public var x: [Double]
    /// The y values, one per x.
    public var y: [Double]

    /// A curve through the points (x[i], y[i]).
    public init(_ name: String, x: [Double], y: [Double]) {
        require(x.count == y.count, "ChartSeries '\(name)': \(x.count) x values but \(y.count) y values")
        self.name = name
        self.x = x
        self.y = y
    }

    /// The recorded loss of a training run against the step.
    public init(_ name: String, history: TrainingHistory) {
        self.init(name, x: history.steps.map(Double.init), y: history.losses)
    }
}

/// A line chart as a standalone SVG document: several series with a legend, ticked and labelled axes, a
/// title, and a linear or logarithmic y axis (loss curves, per-layer statistics).
///
/// Points that cannot be drawn (NaN or infinite values, and values <= 0 on a log axis) are left out, the
/// line is broken there, and a note under the title says how many were left out.
///
/// ```swift
/// let chart = LineChart(title: "Training loss", xLabel: "iteration", yLabel: "cost", yScale: .logarithmic,
///                       series: [ChartSeries("he", history: heHistory), ChartSeries("zeros", history: zeros)])
/// try chart.svg.write(to: url, atomically: true, encoding: .utf8)
/// ```
public struct LineChart: Sendable {
    /// The heading above the plot.
    public var title: String
    /// The x axis label.
    public var xLabel: String
    /// The y axis label.
    public var yLabel: String
    /// Linear or logarithmic y axis (the x axis is linear).
    public var yScale: AxisScale
    /// The curves, drawn in order with the palette's colors.
    public var series: [ChartSeries]
    /// Shaded ranges, each under the series of the same index and in its color (a spread over seeds).
    public var bands: [ChartBand] = []

    /// A chart of `series`.
    public init(title: String, xLabel: String, yLabel: String, yScale: AxisScale = .linear, series: [ChartSeries]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yScale = yScale
        self.series = series
    }

    /// A per-layer statistic (such as each layer's activation standard deviation) against the layer
    /// index counted from 0, one series per configuration, on a log scale. A series may stop early (at
    /// the first non-finite layer).
    public static func perLayer(title: String, statistic: String, series: [(name: String, values: [Double])])
        -> LineChart
    {
        LineChart(
            title: title, xLabel: "layer", yLabel: statistic, yScale: .logarithmic,
            series: series.map { ChartSeries($0.name, x: $0.values.indices.map(Double.init), y: $0.values) })
    }

    /// The number of points that cannot be drawn (non-finite, or <= 0 on a log axis).
    public var omittedPointCount: Int {
        series.reduce(0) { total, curve in
            total
                + zip(curve.x, curve.y).filter { x, y in
                    !x.isFinite || !y.isFinite || (yScale == .logarithmic && y <= 0)
                }.count
        }
    }

    /// The chart as an SVG document.
    public var svg: String {
        let width = 760.0
        let height = 460.0
        let left = 78.0
        let right = width - 190
        let top = 62.0
        let bottom = height - 58
        var writer = SVGWriter(width: width, height: height)
        let xAxis = ChartAxis(values: series.flatMap(\.x), scale: .linear)
        let yAxis = ChartAxis(values: series.flatMap(\.y) + bands.flatMap { $0.lower + $0.upper }, scale: yScale)

        writer.text(title, x: (left + right) / 2, y: 26, anchor: .middle, size: 16, bold: true)
        let omitted = omittedPointCount
        if omitted > 0 {
            let reason = yScale == .logarithmic ? "non-finite or not positive" : "non-finite"
            writer.text(
                "\(omitted) point\(omitted == 1 ? "" : "s") not drawn (\(reason))",
                x: (left + right) / 2, y: 44, anchor: .middle, size: 11, color: "#b00020")
        }
        writer.raw("<g class=\"y-ticks\">")
        for tick in yAxis.ticks {
            let y = yAxis.position(tick, from: bottom, to: top)
            writer.line(x1: left, y1: y, x2: right, y2: y, stroke: "#e6e6e6")
            writer.text(yAxis.label(tick), x: left - 6, y: y + 4, anchor: .end, size: 11)
        }
        writer.raw("</g>")
        writer.raw("<g class=\"x-ticks\">")
        for tick in xAxis.ticks {
            let x = xAxis.position(tick, from: left, to: right)
            writer.line(x1: x, y1: top, x2: x, y2: bottom, stroke: "#f0f0f0")
            writer.text(xAxis.label(tick), x: x, y: bottom + 16, anchor: .middle, size: 11)
        }
        writer.raw("</g>")
        writer.rect(
            x: left, y: top, width: right - left, height: bottom - top, fill: "none",
            extra: "stroke=\"#444444\" stroke-width=\"1\"")
        writer.text(xLabel, x: (left + right) / 2, y: height - 18, anchor: .middle)
        writer.text(
            yLabel + (yScale == .logarithmic ? " (log scale)" : ""), x: 20, y: (top + bottom) / 2,
            anchor: .middle, rotated: true)

        for (index, band) in bands.enumerated() {
            let outline = band.outline { x, y in
                guard let tx = xAxis.transform(x), let ty = yAxis.transform(y) else { return nil }
                return (xAxis.position(tx, from: left, to: right), yAxis.position(ty, from: bottom, to: top))
            }
            guard outline.count > 2 else { continue }
            let points = outline.map { "\(SVGWriter.number($0.0)),\(SVGWriter.number($0.1))" }.joined(separator: " ")
            writer.raw(
                "<polygon class=\"band\" points=\"\(points)\" fill=\"\(ChartPalette.color(index))\" fill-opacity=\"0.18\" stroke=\"none\"/>"
            )
        }
        for (index, curve) in series.enumerated() {
            let color = ChartPalette.color(index)
            writer.raw("<g class=\"series\" data-name=\"\(SVGWriter.escape(curve.name))\">")
            var segment: [(Double, Double)] = []
            var drawn: [(Double, Double)] = []
            for (x, y) in zip(curve.x, curve.y) {
                guard let tx = xAxis.transform(x), let ty = yAxis.transform(y) else {
                    if segment.count > 1 { writer.polyline(segment, stroke: color) }
                    segment = []
                    continue
                }
                let point = (xAxis.position(tx, from: left, to: right), yAxis.position(ty, from: bottom, to: top))
                segment.append(point)
                drawn.append(point)
            }
            if segment.count > 1 { writer.polyline(segment, stroke: color) }
            if drawn.count <= 60 {
                for (x, y) in drawn { writer.circle(x: x, y: y, radius: 2.6, fill: color) }
            }
            writer.raw("</g>")

            let legendY = top + 10 + Double(index) * 20
            writer.line(x1: right + 16, y1: legendY, x2: right + 40, y2: legendY, stroke: color, width: 3)
            writer.text(curve.name, x: right + 46, y: legendY + 4)
        }
        return writer.document
    }
}

/// A shaded range between two curves over the same x values (such as the minimum and maximum over seeds).
public struct ChartBand: Sendable, Equatable {
    /// The x values.
    public var x: [Double]
    /// The lower edge, one per x.
    public var lower: [Double]
    /// The upper edge, one per x.
    public var upper: [Double]

    /// The range between `lower` and `upper` at each x.
    public init(x: [Double], lower: [Double], upper: [Double]) {
        require(
            x.count == lower.count && x.count == upper.count,
            "ChartBand: \(x.count) x values but \(lower.count) lower and \(upper.count) upper values")
        self.x = x
        self.lower = lower
        self.upper = upper
    }

    /// The polygon along the upper edge and back along the lower one, through the points `place` can draw.
    func outline(_ place: (Double, Double) -> (Double, Double)?) -> [(Double, Double)] {
        let drawable = x.indices.compactMap { i -> ((Double, Double), (Double, Double))? in
            guard let high = place(x[i], upper[i]), let low = place(x[i], lower[i]) else { return nil }
            return (high, low)
        }
        return drawable.map(\.0) + drawable.reversed().map(\.1)
    }
}
