import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform
import KindlingText

/// A confusion matrix as an SVG heat map: rows are true classes, columns predicted classes, each cell
/// shaded by its share of its row and labelled with its count.
public struct ConfusionMatrixChart: Sendable {
    /// The chart's title.
    public var title: String
    /// The class names, in class-index order.
    public var classNames: [String]
    /// confusion[i][j]: examples of true class i predicted as class j.
    public var confusion: [[Int]]

    /// A chart of `confusion` with these class names.
    public init(title: String, classNames: [String], confusion: [[Int]]) {
        require(
            confusion.count == classNames.count && confusion.allSatisfy { $0.count == classNames.count },
            "ConfusionMatrixChart: a \(confusion.count)-row matrix for \(classNames.count) class names")
        self.title = title
        self.classNames = classNames
        self.confusion = confusion
    }

    /// The SVG document.
    public var svg: String {
        let count = classNames.count
        let cell = max(24.0, min(60.0, 480.0 / Double(max(count, 1))))
        let labelWidth = min(140.0, 12 + 7 * Double(classNames.map(\.count).max() ?? 1))
        let left = labelWidth + 30
        let top = 60.0
        // The title is 15-pixel bold text, about 9 pixels a character: the chart is at least that wide.
        let titleWidth = 9.0 * Double(title.count) + 20
        var writer = SVGWriter(
            width: max(left + cell * Double(count) + 20, titleWidth),
            height: top + cell * Double(count) + labelWidth + 30)
        writer.text(title, x: writer.width / 2, y: 22, anchor: .middle, size: 15, bold: true)
        writer.text(
            "predicted class", x: left + cell * Double(count) / 2, y: top + cell * Double(count) + labelWidth + 22,
            anchor: .middle)
        writer.text("true class", x: 14, y: top + cell * Double(count) / 2, anchor: .middle, rotated: true)
        for (row, counts) in confusion.enumerated() {
            let total = max(1, counts.reduce(0, +))
            writer.text(classNames[row], x: left - 6, y: top + cell * (Double(row) + 0.5) + 4, anchor: .end)
            for (column, value) in counts.enumerated() {
                let share = Double(value) / Double(total)
                let shade = 255 - 200 * share
                writer.rect(
                    x: left + cell * Double(column), y: top + cell * Double(row), width: cell, height: cell,
                    fill: ChartPalette.hex(shade, shade, 255), extra: "stroke=\"#ffffff\"")
                writer.text(
                    "\(value)", x: left + cell * (Double(column) + 0.5), y: top + cell * (Double(row) + 0.5) + 4,
                    anchor: .middle, size: cell < 30 ? 9 : 11, color: share > 0.5 ? "#ffffff" : "#222222")
            }
        }
        for (column, name) in classNames.enumerated() {
            writer.text(
                name, x: left + cell * (Double(column) + 0.5) + 4, y: top + cell * Double(count) + 8,
                anchor: .end, rotated: true)
        }
        return writer.document
    }
}
