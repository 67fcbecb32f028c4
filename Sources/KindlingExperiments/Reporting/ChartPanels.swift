import Foundation
import KindlingPlatform

/// Several charts side by side in one SVG document (one panel per configuration), each drawn at its own
/// size and scale.
public struct ChartPanels: Sendable {
    /// The panels, left to right, wrapping after `columns`.
    public var charts: [LineChart]
    /// Panels per row.
    public var columns: Int

    /// Panels for `charts`, `columns` per row.
    public init(_ charts: [LineChart], columns: Int = 3) {
        require(columns >= 1, "ChartPanels: columns must be at least 1, got \(columns)")
        self.charts = charts
        self.columns = columns
    }

    /// The panels as one SVG document: each chart's document nested at its place.
    public var svg: String {
        let panelWidth = 760.0
        let panelHeight = 460.0
        let rows = (charts.count + columns - 1) / columns
        var writer = SVGWriter(
            width: panelWidth * Double(Swift.min(columns, Swift.max(charts.count, 1))),
            height: panelHeight * Double(Swift.max(rows, 1)))
        for (index, chart) in charts.enumerated() {
            let x = panelWidth * Double(index % columns)
            let y = panelHeight * Double(index / columns)
            let nested = chart.svg.split(separator: "\n", omittingEmptySubsequences: false)
                .drop { $0.hasPrefix("<?xml") }.joined(separator: "\n")
            writer.raw(
                nested.replacingOccurrences(
                    of: "<svg xmlns=\"http://www.w3.org/2000/svg\" ",
                    with:
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" x=\"\(SVGWriter.number(x))\" y=\"\(SVGWriter.number(y))\" "
                ))
        }
        return writer.document
    }
}
