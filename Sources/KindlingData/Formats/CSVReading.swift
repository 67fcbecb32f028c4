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

/// Which columns of a CSV file are read as text or left out, and whether numbers may be missing. Columns are
/// named as in the header, or `column 1`, `column 2`, ... in a file without one.
public struct CSVColumns: Sendable, Equatable {
    /// Columns read as text (categorical features).
    public var text: Set<String> = []
    /// Columns not read at all (an ID column).
    public var skipped: Set<String> = []
    /// When set, only these columns and the label column are read; the others are skipped.
    public var only: Set<String>?
    /// Whether a column none of whose fields on the first 100 data rows is a number (missing values aside) is
    /// read as text (a column of numbers with a stray word still fails on the word, naming it).
    public var detectsText = false
    /// Whether a missing value in a number column (an empty field, `NA`, `N/A` or `?`) is read as NaN
    /// instead of failing.
    public var allowsMissingValues = false

    /// The columns' names when the file turns out to have no header (instead of `column 1`, ...); the file
    /// must then have as many columns.
    public var namesWithoutHeader: [String]?

    /// Every column but the label a number, no missing values.
    public init() {}
}

/// A CSV file read into numbers: every column a feature except the label column, whose fields are kept as
/// text (class names, or numbers for regression), and the columns that `CSVColumns` reads as text or skips.
///
/// RFC 4180: fields are separated by a delimiter (a comma unless `format` says otherwise; sniffed from the
/// first lines when `format` is nil), records by LF or CRLF; a field may be quoted with `"`, a quote inside it
/// doubled (`"a ""b"""`), and a quoted field may hold delimiters and line breaks. Spaces around unquoted
/// fields are ignored; blank lines are skipped. Feature fields must be finite decimal numbers; a missing or
/// non-numeric value throws a `DataError` that names `file:line:column` and the column's name.
///
/// ```swift
/// let table = try CSVTableFile(contentsOf: URL(fileURLWithPath: "wine.csv"), label: .name("class"))
/// table.featureNames.count   // 13
/// table.labels.prefix(2)     // ["class_0", "class_0"]
/// ```
public struct CSVTableFile: Sendable {
    /// The file's path, for messages.
    public let path: String
    /// The delimiter and decimal separator the file was read with.
    public let format: CSVFormat
    /// Whether the first row was a header.
    public let hasHeader: Bool
    /// Every column's name (from the header, or `column 1`, `column 2`, ...).
    public let columnNames: [String]
    /// What each column was read as (the label column is `.text`).
    public let columnKinds: [CSVColumnKind]
    /// The index of the label column, if there is one.
    public let labelColumn: Int?
    /// The number of data rows.
    public let rowCount: Int
    /// The number columns' values (NaN for a missing value when allowed), row-major: rowCount × featureCount.
    public let features: [Double]
    /// The label column's text in each row (empty without a label column).
    public let labels: [String]
    /// The text columns' fields (the label's included), row-major: rowCount × the number of text columns.
    let texts: [String]
    /// The byte offset where each row starts, from which `line(ofRow:)` counts lines.
    let rowOffsets: [Int]
    private let storage: MappedBytes

    /// The indices of the number columns, in order.
    public var featureColumns: [Int] { columnKinds.indices.filter { columnKinds[$0] == .number } }
    /// The indices of the text columns other than the label, in order.
    public var textColumns: [Int] { columnKinds.indices.filter { columnKinds[$0] == .text && $0 != labelColumn } }
    /// The names of the number columns (the features), in order.
    public var featureNames: [String] { featureColumns.map { columnNames[$0] } }
    /// The number of features per row.
    public var featureCount: Int { columnKinds.filter { $0 == .number }.count }
    /// The label column's name.
    public var labelName: String? { labelColumn.map { columnNames[$0] } }

    /// The line (from 1) on which row `row` (from 0) starts.
    public func line(ofRow row: Int) -> Int { location(of: rowOffsets[row]).line }

    /// The text of text column `column` (an index into `columnNames`) in every row.
    public func texts(ofColumn column: Int) -> [String] {
        let textIndices = columnKinds.indices.filter { columnKinds[$0] == .text }
        guard let position = textIndices.firstIndex(of: column) else { return [] }
        return (0..<rowCount).map { texts[$0 * textIndices.count + position] }
    }

    /// Maps and parses the file. Large files without quotes are parsed on all cores.
    public init(
        contentsOf url: URL, header: CSVHeader = .detect, label: LabelColumn = .last, format: CSVFormat? = nil,
        columns: CSVColumns = CSVColumns()
    ) throws {
        try self.init(
            storage: MappedBytes(contentsOf: url), path: url.path, header: header, label: label, format: format,
            columns: columns)
    }

    /// Parses CSV text held in memory; `path` names it in messages.
    public init(
        bytes: [UInt8], path: String, header: CSVHeader = .detect, label: LabelColumn = .last,
        format: CSVFormat? = nil, columns: CSVColumns = CSVColumns()
    ) throws {
        try self.init(
            storage: MappedBytes(copying: bytes), path: path, header: header, label: label, format: format,
            columns: columns)
    }

    /// Parses the bytes of `storage`, which the table keeps for the line numbers of its messages.
    init(
        storage: MappedBytes, path: String, header: CSVHeader, label: LabelColumn, format: CSVFormat?,
        columns: CSVColumns
    ) throws {
        self.path = path
        self.storage = storage
        let bytes = storage.buffer
        let format = format ?? CSVFormat.sniffed(from: bytes)
        self.format = format
        let scanner = CSVScanner(bytes: bytes, format: format)
        let (detected, firstNames, dataStart) = try Self.header(scanner, path: path, header: header)
        hasHeader = detected
        let columnCount = firstNames.count
        if let names = columns.namesWithoutHeader, !hasHeader {
            guard names.count == columnCount else {
                throw DataError.mismatch(
                    path: path, reason: "\(columnCount) columns, but \(names.count) were expected (no header)")
            }
            columnNames = names
        } else {
            columnNames = hasHeader ? firstNames : (1...columnCount).map { "column \($0)" }
        }
        let position = dataStart
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

        let textSample = columns.detectsText ? try Self.sample(scanner, from: position, path: path) : []
        let names = columnNames
        let labelIndex = labelColumn
        let skipped = try Self.resolve(columns.skipped, in: names, hasHeader: hasHeader, path: path)
        let text = try Self.resolve(columns.text, in: names, hasHeader: hasHeader, path: path)
        columnKinds = names.indices.map { column in
            if column == labelIndex { return .text }
            let name = names[column]
            if skipped.contains(name) || !(columns.only?.contains(name) ?? true) { return .skipped }
            if text.contains(name) { return .text }
            let present = textSample.compactMap { record in
                column < record.count && !CSVScanner.isMissingMarker(record[column]) ? record[column] : nil
            }
            let isText = { (field: String) in scanner.number(field) == nil && !Self.looksLikeANumber(field) }
            return !present.isEmpty && present.allSatisfy(isText) ? .text : .number
        }

        let layout = CSVScanner.Layout(kinds: columnKinds, allowsMissing: columns.allowsMissingValues)
        let rows: CSVScanner.Rows
        do {
            rows = try scanner.parseRows(from: position, layout: layout)
        } catch let problem as CSVScanner.Problem {
            throw problem.dataError(
                path: path, scanner: scanner,
                columnNames: hasHeader || columns.namesWithoutHeader != nil ? columnNames : [])
        }
        rowCount = rows.rowOffsets.count
        guard rowCount > 0 else { throw DataError.empty(path: path) }
        features = rows.features
        texts = rows.texts
        rowOffsets = rows.rowOffsets
        if let labelColumn {
            let textCount = layout.textCount
            let position = columnKinds[..<labelColumn].filter { $0 == .text }.count
            labels = (0..<rowCount).map { rows.texts[$0 * textCount + position] }
        } else {
            labels = []
        }
    }

    /// Whether `field` is longer than any number (`ReadingLimits`) yet made of a number's characters only
    /// (digits, signs, points, commas, exponents): such a field keeps its column numeric, so that reading it
    /// names the field as too long instead of taking the column as text (a date or an ID stays text).
    private static func looksLikeANumber(_ field: String) -> Bool {
        field.utf8.count > ReadingLimits.maximumNumberLength
            && field.utf8.contains { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            && field.utf8.allSatisfy { byte in
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "+-.,eE".utf8.contains(byte)
            }
    }

    /// The column names that `references` mean: each a name, or else a 0-based index; throws naming the
    /// first that is neither.
    private static func resolve(_ references: Set<String>, in names: [String], hasHeader: Bool, path: String) throws
        -> Set<String>
    {
        Set(
            try references.map { reference in
                if names.contains(reference) { return reference }
                if let index = Int(reference), index >= 0, index < names.count { return names[index] }
                throw DataError.noSuchColumn(
                    path: path, column: "'\(reference)'",
                    available: hasHeader
                        ? "the header names " + names.map { "'\($0)'" }.joined(separator: ", ")
                        : "the file has no header; give a 0-based index below \(names.count)")
            })
    }

    /// Whether the file has a header (`header`, or detected: some column holds a number in the second row
    /// but not in the first; in a file of one row, no field is a number), the first record's fields, and the
    /// offset where the data rows start.
    static func header(_ scanner: CSVScanner, path: String, header: CSVHeader) throws -> (
        hasHeader: Bool, fields: [String], dataStart: Int
    ) {
        let bytes = scanner.bytes
        let position = scanner.skipBlankLines(from: 0)
        guard position < bytes.count else { throw DataError.empty(path: path) }
        let first = try scanner.record(at: position).mapError(path: path, scanner: scanner)
        let secondStart = scanner.skipBlankLines(from: first.next)
        let second =
            secondStart < bytes.count ? try scanner.record(at: secondStart).mapError(path: path, scanner: scanner) : nil
        let hasHeader: Bool
        switch header {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .detect:
            if let second {
                hasHeader = zip(first.fields, second.fields).contains {
                    scanner.number($1) != nil && scanner.number($0) == nil
                }
            } else {
                hasHeader = first.fields.allSatisfy { scanner.number($0) == nil }
            }
        }
        return (hasHeader, first.fields, hasHeader ? secondStart : position)
    }

    /// The format (`format`, else sniffed), whether there is a header and the columns' names of a file held
    /// in `storage`, read from its first records only.
    static func peek(_ storage: MappedBytes, path: String, header: CSVHeader, format: CSVFormat?) throws -> (
        format: CSVFormat, hasHeader: Bool, names: [String]
    ) {
        let format = format ?? CSVFormat.sniffed(from: storage.buffer)
        let (hasHeader, fields, _) = try Self.header(
            CSVScanner(bytes: storage.buffer, format: format), path: path, header: header)
        return (format, hasHeader, hasHeader ? fields : (1...fields.count).map { "column \($0)" })
    }

    /// The fields of the first 100 records from `offset` (quoted ones unquoted), for telling text columns.
    private static func sample(_ scanner: CSVScanner, from offset: Int, path: String) throws -> [[String]] {
        var records: [[String]] = []
        var position = offset
        while records.count < 100, position < scanner.bytes.count {
            let record = try scanner.record(at: position).mapError(path: path, scanner: scanner)
            records.append(record.fields)
            position = scanner.skipBlankLines(from: record.next)
        }
        return records
    }

    /// Line and column (from 1) of a byte offset.
    func location(of offset: Int) -> (line: Int, column: Int) {
        CSVScanner(bytes: storage.buffer, format: format).location(of: offset)
    }
}

extension Result where Failure == CSVScanner.Problem {
    fileprivate func mapError(path: String, scanner: CSVScanner) throws -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let problem): throw problem.dataError(path: path, scanner: scanner, columnNames: [])
        }
    }
}
