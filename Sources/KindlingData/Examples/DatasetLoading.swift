import Foundation
import KindlingCore

extension Dataset {
    /// Reads a CSV file of numbers whose class labels are non-negative integers (`1` or `1.0`), used as the
    /// class indices: the label in column `labelColumn` (0-based; negative counts from the end) and the
    /// features in the other columns. Parsing is `CSVTableFile`'s (RFC 4180 quoting, blank lines skipped,
    /// errors naming `file:line:column`); with `hasHeader` the first row is skipped. For string labels,
    /// regression targets and images, use `RawExamples` and `LabeledExamples`.
    ///
    /// ```swift
    /// let data = try Dataset<Double>.loadCSV(URL(fileURLWithPath: "points.csv"), hasHeader: true)
    /// ```
    public static func loadCSV(_ url: URL, labelColumn: Int = -1, hasHeader: Bool = false) throws -> Dataset {
        let table = try CSVTableFile(
            contentsOf: url, header: hasHeader ? .present : .absent, label: .index(labelColumn))
        let labels = try table.labels.enumerated().map { row, text -> Int in
            guard let value = text.decimalValue, value >= 0, value == value.rounded(), let index = Int(exactly: value)
            else {
                throw DataError.invalidLabel(path: table.path, line: table.line(ofRow: row), text: text)
            }
            return index
        }
        return Dataset(
            features: Tensor(shape: [table.rowCount, table.featureCount], scalars: table.features.map { Scalar($0) }),
            labels: labels)
    }
}
