import Foundation
import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform
import KindlingText

/// A classifier's decision regions as a standalone SVG document: the plane is cut into a grid of cells,
/// each colored by the model's predicted class probabilities (the class colors mixed in those
/// proportions, so a binary model shades from class 0's color through a neutral mix at p = 0.5 to class 1's), with
/// the data points on top colored by their label.
///
/// ```swift
/// let chart = DecisionBoundaryChart(title: "He initialization", model: model, data: train)
/// try chart.svg.write(to: url, atomically: true, encoding: .utf8)
/// ```
public struct DecisionBoundaryChart: Sendable {
    /// The heading above the plot.
    public var title: String
    /// The plotted range of the first feature.
    public let xRange: ClosedRange<Double>
    /// The plotted range of the second feature.
    public let yRange: ClosedRange<Double>
    /// Cells per side of the grid.
    public let resolution: Int
    /// Per cell, the probability of each class. Cell (column i, row j) is at index j * resolution + i; its
    /// center is (xmin + (i + 1/2) dx, ymin + (j + 1/2) dy), row 0 at the bottom.
    public let probabilities: [[Double]]
    /// The data points: the first two features and the label.
    public let points: [(x: Double, y: Double, label: Int)]

    /// A chart from precomputed probabilities (`resolution * resolution` cells).
    public init(
        title: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, resolution: Int,
        probabilities: [[Double]], points: [(x: Double, y: Double, label: Int)]
    ) {
        require(resolution >= 1, "DecisionBoundaryChart: resolution must be positive, got \(resolution)")
        require(
            probabilities.count == resolution * resolution,
            "DecisionBoundaryChart: \(probabilities.count) cells for a \(resolution) x \(resolution) grid")
        self.title = title
        self.xRange = xRange
        self.yRange = yRange
        self.resolution = resolution
        self.probabilities = probabilities
        self.points = points
    }

    /// The decision regions of `model` (whose output is logits: one column for a binary model, read
    /// through the sigmoid, or one per class, read through the softmax) over the range of `data`'s first
    /// two features widened by `margin` on each side. The model runs in evaluation mode without a graph.
    public init<Model: Module>(
        title: String, model: Model, data: Dataset<Model.Scalar>, resolution: Int = 100,
        margin: Double = 0.25
    ) {
        require(
            data.featureCount == 2,
            "DecisionBoundaryChart: the data must have 2 features, got \(data.featureCount)")
        let xs = (0..<data.count).map { Double(data.features.scalars[2 * $0]) }
        let ys = (0..<data.count).map { Double(data.features.scalars[2 * $0 + 1]) }
        let xRange = ((xs.min() ?? 0) - margin)...((xs.max() ?? 1) + margin)
        let yRange = ((ys.min() ?? 0) - margin)...((ys.max() ?? 1) + margin)
        let dx = (xRange.upperBound - xRange.lowerBound) / Double(resolution)
        let dy = (yRange.upperBound - yRange.lowerBound) / Double(resolution)
        var grid: [Model.Scalar] = []
        grid.reserveCapacity(2 * resolution * resolution)
        for j in 0..<resolution {
            for i in 0..<resolution {
                grid.append(Model.Scalar(xRange.lowerBound + (Double(i) + 0.5) * dx))
                grid.append(Model.Scalar(yRange.lowerBound + (Double(j) + 0.5) * dy))
            }
        }
        let logits = model.withEvaluationMode {
            withoutGradient { model(Tensor(shape: [resolution * resolution, 2], scalars: grid)) }
        }
        let columns = logits.count / (resolution * resolution)
        let probabilities = (0..<(resolution * resolution)).map { cell in
            Self.probabilities(fromLogits: logits.scalars[(cell * columns)..<((cell + 1) * columns)].map { Double($0) })
        }
        self.init(
            title: title, xRange: xRange, yRange: yRange, resolution: resolution,
            probabilities: probabilities, points: (0..<data.count).map { (xs[$0], ys[$0], data.labels[$0]) })
    }

    /// [1 - sigmoid(z), sigmoid(z)] for one logit, the softmax for several.
    private static func probabilities(fromLogits logits: [Double]) -> [Double] {
        if logits.count == 1 {
            let p = 1 / (1 + exp(-logits[0]))
            return [1 - p, p]
        }
        let largest = logits.max() ?? 0
        let exponentials = logits.map { exp($0 - largest) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }

    /// The number of cells whose probabilities are not finite (drawn grey).
    public var nonFiniteCellCount: Int { probabilities.filter { !$0.allSatisfy(\.isFinite) }.count }

    /// The chart as an SVG document.
    public var svg: String {
        let plot = 440.0
        let left = 60.0
        let top = 56.0
        let width = left + plot + 150
        let height = top + plot + 50
        var writer = SVGWriter(width: width, height: height)
        writer.text(title, x: left + plot / 2, y: 26, anchor: .middle, size: 16, bold: true)
        let broken = nonFiniteCellCount
        if broken > 0 {
            writer.text(
                "\(broken) cells have non-finite predictions (grey)", x: left + plot / 2, y: 44,
                anchor: .middle, size: 11, color: "#b00020")
        }

        // Cells, with equal neighbours in a row merged into one rectangle.
        let cell = plot / Double(resolution)
        writer.raw("<g class=\"cells\" shape-rendering=\"crispEdges\">")
        for j in 0..<resolution {
            let y = top + plot - Double(j + 1) * cell
            var i = 0
            while i < resolution {
                let color = cellColor(probabilities[j * resolution + i])
                var end = i + 1
                while end < resolution && cellColor(probabilities[j * resolution + end]) == color { end += 1 }
                writer.rect(
                    x: left + Double(i) * cell, y: y, width: Double(end - i) * cell + 0.3, height: cell + 0.3,
                    fill: color)
                i = end
            }
        }
        writer.raw("</g>")

        let xSpan = xRange.upperBound - xRange.lowerBound
        let ySpan = yRange.upperBound - yRange.lowerBound
        writer.raw("<g class=\"points\">")
        for point in points {
            let x = left + (point.x - xRange.lowerBound) / xSpan * plot
            let y = top + plot - (point.y - yRange.lowerBound) / ySpan * plot
            writer.circle(x: x, y: y, radius: 3.4, fill: ChartPalette.color(point.label), stroke: "#111111")
        }
        writer.raw("</g>")
        writer.rect(
            x: left, y: top, width: plot, height: plot, fill: "none", extra: "stroke=\"#444444\" stroke-width=\"1\"")

        let xAxis = ChartAxis(values: [xRange.lowerBound, xRange.upperBound], scale: .linear)
        let yAxis = ChartAxis(values: [yRange.lowerBound, yRange.upperBound], scale: .linear)
        for tick in xAxis.ticks where xRange.contains(tick) {
            let x = left + (tick - xRange.lowerBound) / xSpan * plot
            writer.line(x1: x, y1: top + plot, x2: x, y2: top + plot + 5, stroke: "#444444")
            writer.text(xAxis.label(tick), x: x, y: top + plot + 18, anchor: .middle, size: 11)
        }
        for tick in yAxis.ticks where yRange.contains(tick) {
            let y = top + plot - (tick - yRange.lowerBound) / ySpan * plot
            writer.line(x1: left - 5, y1: y, x2: left, y2: y, stroke: "#444444")
            writer.text(yAxis.label(tick), x: left - 8, y: y + 4, anchor: .end, size: 11)
        }
        writer.text("x₁", x: left + plot / 2, y: height - 10, anchor: .middle)
        writer.text("x₂", x: 18, y: top + plot / 2, anchor: .middle)

        let classCount = Swift.max(probabilities.first?.count ?? 2, (points.map(\.label).max() ?? 0) + 1)
        let legendX = left + plot + 20
        writer.text("class (points)", x: legendX, y: top + 8, bold: true)
        for label in 0..<classCount {
            let y = top + 28 + Double(label) * 20
            writer.circle(x: legendX + 6, y: y - 4, radius: 4, fill: ChartPalette.color(label), stroke: "#111111")
            writer.text("\(label)", x: legendX + 18, y: y)
        }
        let barTop = top + 48 + Double(classCount) * 20
        writer.text("background:", x: legendX, y: barTop - 18, bold: true)
        writer.text("predicted probability", x: legendX, y: barTop - 4, size: 11)
        if classCount == 2 {
            for step in 0...10 {
                let p = Double(10 - step) / 10
                writer.rect(
                    x: legendX, y: barTop + 6 + Double(step) * 14, width: 18, height: 14, fill: cellColor([1 - p, p]))
                if step % 5 == 0 {
                    writer.text(
                        "P(1) = \(String(format: "%g", p))", x: legendX + 24, y: barTop + 17 + Double(step) * 14,
                        size: 11)
                }
            }
        }
        return writer.document
    }

    /// The class colors, lightened, mixed in proportion to the probabilities (quantized to steps of 1/16
    /// so that neighbouring cells share colors); grey for non-finite probabilities.
    private func cellColor(_ probabilities: [Double]) -> String {
        guard probabilities.allSatisfy(\.isFinite) else { return "#bdbdbd" }
        var red = 0.0
        var green = 0.0
        var blue = 0.0
        for (label, p) in probabilities.enumerated() {
            let (r, g, b) = ChartPalette.components(ChartPalette.color(label))
            let weight = (p * 16).rounded() / 16
            red += weight * (r + (255 - r) * 0.45)
            green += weight * (g + (255 - g) * 0.45)
            blue += weight * (b + (255 - b) * 0.45)
        }
        return ChartPalette.hex(red, green, blue)
    }
}
