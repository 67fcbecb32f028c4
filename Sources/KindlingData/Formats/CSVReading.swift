import Foundation
import KindlingCore

/// How the first row of a CSV file is treated.
public enum CSVHeader: Sendable, Equatable {
    /// A header when some column holds a number in the second row but not in the first (as a row of
    /// names over numeric data does), or, in a file of one row, when no field of it is a number.
    case detect
    /// The first row names the columns.
    case present
    /// Every row is data; columns are called `column 1`, `column 2`, ...
    case absent
}

/// The column that holds the labels (or targets) of a table.
public enum LabelColumn: Sendable, Equatable {
    /// The last column.
    case last
    /// The column at this 0-based index; negative counts from the end (-1 is the last).
    case index(Int)
    /// The column with this name in the header.
    case name(String)
    /// No labels: every column is a feature (data to predict on).
    case none
}

/// A CSV file read into numbers: every column a feature except the label column, whose fields are kept as
/// text (class names, or numbers for regression).
///
/// RFC 4180: fields are separated by commas, records by LF or CRLF; a field may be quoted with `"`, a quote
/// inside it doubled (`"a ""b"""`), and a quoted field may hold commas and line breaks. Spaces around
/// unquoted fields are ignored; blank lines are skipped. Feature fields must be finite decimal numbers; a
/// missing or non-numeric value throws a `DataError` that names `file:line:column` and the column's name.
///
/// ```swift
/// let table = try CSVTableFile(contentsOf: URL(fileURLWithPath: "wine.csv"), label: .name("class"))
/// table.featureNames.count   // 13
/// table.labels.prefix(2)     // ["class_0", "class_0"]
/// ```
public struct CSVTableFile: Sendable {
    /// The file's path, for messages.
    public let path: String
    /// Whether the first row was a header.
    public let hasHeader: Bool
    /// Every column's name (from the header, or `column 1`, `column 2`, ...).
    public let columnNames: [String]
    /// The index of the label column, if there is one.
    public let labelColumn: Int?
    /// The number of data rows.
    public let rowCount: Int
    /// The features, row-major: rowCount × featureCount values.
    public let features: [Double]
    /// The label column's text in each row (empty without a label column).
    public let labels: [String]
    /// The byte offset where each row starts, from which `line(ofRow:)` counts lines.
    let rowOffsets: [Int]
    private let storage: MappedBytes

    /// The names of the feature columns, in order.
    public var featureNames: [String] {
        columnNames.enumerated().filter { $0.offset != labelColumn }.map(\.element)
    }
    /// The number of features per row.
    public var featureCount: Int { columnNames.count - (labelColumn == nil ? 0 : 1) }
    /// The label column's name.
    public var labelName: String? { labelColumn.map { columnNames[$0] } }

    /// The line (from 1) on which row `row` (from 0) starts.
    public func line(ofRow row: Int) -> Int { location(of: rowOffsets[row]).line }

    /// Maps and parses the file. Large files without quotes are parsed on all cores.
    public init(contentsOf url: URL, header: CSVHeader = .detect, label: LabelColumn = .last) throws {
        try self.init(storage: MappedBytes(contentsOf: url), path: url.path, header: header, label: label)
    }

    /// Parses CSV text held in memory; `path` names it in messages.
    public init(bytes: [UInt8], path: String, header: CSVHeader = .detect, label: LabelColumn = .last) throws {
        try self.init(storage: MappedBytes(copying: bytes), path: path, header: header, label: label)
    }

    /// Parses the bytes of `storage`, which the table keeps for the line numbers of its messages.
    init(storage: MappedBytes, path: String, header: CSVHeader, label: LabelColumn) throws {
        self.path = path
        self.storage = storage
        let bytes = storage.buffer
        let scanner = CSVScanner(bytes: bytes)
        var position = scanner.skipBlankLines(from: 0)
        guard position < bytes.count else { throw DataError.empty(path: path) }
        let first = try scanner.record(at: position).mapError(path: path, scanner: scanner)
        let secondStart = scanner.skipBlankLines(from: first.next)
        let second =
            secondStart < bytes.count ? try scanner.record(at: secondStart).mapError(path: path, scanner: scanner) : nil

        switch header {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .detect:
            if let second {
                hasHeader = zip(first.fields, second.fields).contains {
                    $1.decimalValue != nil && $0.decimalValue == nil
                }
            } else {
                hasHeader = first.fields.allSatisfy { $0.decimalValue == nil }
            }
        }
        let columnCount = first.fields.count
        columnNames = hasHeader ? first.fields : (1...columnCount).map { "column \($0)" }
        if hasHeader { position = secondStart }
        guard position < bytes.count else { throw DataError.empty(path: path) }

        switch label {
        case .none: labelColumn = nil
        case .last: labelColumn = columnCount - 1
        case .index(let index):
            let resolved = index < 0 ? index + columnCount : index
            guard resolved >= 0 && resolved < columnCount else {
                throw DataError.noSuchColumn(
                    path: path, column: "\(index)",
                    available: "the rows have \(columnCount) columns, indices 0..<\(columnCount)")
            }
            labelColumn = resolved
        case .name(let name):
            guard let index = columnNames.firstIndex(of: name) else {
                throw DataError.noSuchColumn(
                    path: path, column: "'\(name)'",
                    available: hasHeader
                        ? "the header names " + columnNames.map { "'\($0)'" }.joined(separator: ", ")
                        : "the file has no header; give the label column's index")
            }
            labelColumn = index
        }

        let layout = CSVScanner.Layout(columnCount: columnCount, labelColumn: labelColumn)
        let rows: CSVScanner.Rows
        do {
            rows = try scanner.parseRows(from: position, layout: layout)
        } catch let problem as CSVScanner.Problem {
            throw problem.dataError(path: path, scanner: scanner, columnNames: hasHeader ? columnNames : [])
        }
        rowCount = rows.rowOffsets.count
        guard rowCount > 0 else { throw DataError.empty(path: path) }
        features = rows.features
        labels = rows.labels
        rowOffsets = rows.rowOffsets
    }

    /// Line and column (from 1) of a byte offset.
    func location(of offset: Int) -> (line: Int, column: Int) { CSVScanner(bytes: storage.buffer).location(of: offset) }
}

extension Result where Failure == CSVScanner.Problem {
    fileprivate func mapError(path: String, scanner: CSVScanner) throws -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let problem): throw problem.dataError(path: path, scanner: scanner, columnNames: [])
        }
    }
}
