import Foundation
import KindlingCore
import KindlingPlatform

/// A table written as comma-separated values (RFC 4180: fields holding commas, quotes or line breaks are
/// quoted, quotes doubled).
public struct CSVTable: Sendable, Equatable {
    /// The column names.
    public var header: [String]
    /// The rows, each as long as the header.
    public var rows: [[String]]

    /// A table; every row must have one field per column.
    public init(header: [String], rows: [[String]]) {
        for (index, row) in rows.enumerated() {
            require(
                row.count == header.count,
                "CSVTable: row \(index) has \(row.count) fields for \(header.count) columns")
        }
        self.header = header
        self.rows = rows
    }

    /// Curves side by side: a column of x values (every x of any series, ascending) and one column per
    /// series, empty where a series has no point at that x. Numbers are written in Swift's shortest
    /// round-tripping form ("0.6931471805599453", "inf", "nan").
    public static func curves(_ series: [ChartSeries], xName: String = "step") -> CSVTable {
        let xs = Set(series.flatMap(\.x)).sorted()
        let columns = series.map { curve in Dictionary(zip(curve.x, curve.y), uniquingKeysWith: { first, _ in first }) }
        func format(_ value: Double) -> String {
            value == value.rounded() && Swift.abs(value) < 1e15 ? String(Int(value)) : "\(value)"
        }
        return CSVTable(
            header: [xName] + series.map(\.name),
            rows: xs.map { x in [format(x)] + columns.map { $0[x].map { "\($0)" } ?? "" } })
    }

    /// The CSV text, one line per row after the header, each ending in a line feed.
    public var text: String {
        ([header] + rows).map { $0.map(Self.quoted).joined(separator: ",") + "\n" }.joined()
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
