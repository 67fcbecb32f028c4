import Foundation

/// A problem with a data file that the caller can report or handle: each case names the file and,
/// where it applies, the line and column (both counted from 1, as editors show them).
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be read as UTF-8 text.
    case unreadable(path: String, reason: String)
    /// The file holds no data rows.
    case empty(path: String)
    /// A field is not a number.
    case malformedNumber(path: String, line: Int, column: Int, text: String)
    /// A field is NaN or infinite.
    case nonFinite(path: String, line: Int, column: Int, text: String)
    /// A row has a different number of fields than the first data row.
    case raggedRow(path: String, line: Int, expected: Int, found: Int)
    /// The label column does not exist in the file.
    case labelColumnOutOfRange(path: String, column: Int, columnCount: Int)
    /// A label is not a non-negative integer.
    case invalidLabel(path: String, line: Int, text: String)

    /// What went wrong, naming the file, line and column.
    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return "\(path): no such file"
        case let .unreadable(path, reason):
            return "\(path): cannot be read (\(reason))"
        case let .empty(path):
            return "\(path): the file holds no data rows"
        case let .malformedNumber(path, line, column, text):
            return "\(path):\(line): column \(column): '\(text)' is not a number"
        case let .nonFinite(path, line, column, text):
            return "\(path):\(line): column \(column): '\(text)' is not finite (NaN and infinity are not allowed)"
        case let .raggedRow(path, line, expected, found):
            return "\(path):\(line): \(found) fields, but the first data row has \(expected)"
        case let .labelColumnOutOfRange(path, column, columnCount):
            return "\(path): label column \(column) does not exist (the rows have \(columnCount) columns, indices 0..<\(columnCount))"
        case let .invalidLabel(path, line, text):
            return "\(path):\(line): label '\(text)' is not a non-negative integer"
        }
    }
}

extension DataError: LocalizedError {
    /// The same text as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}

extension Dataset {
    /// Reads a comma-separated file of numbers: one example per line, the class label (a non-negative
    /// integer such as `1` or `1.0`) in column `labelColumn` (0-based; negative counts from the end, so -1
    /// is the last column) and the features in the other columns, in order. Blank lines are skipped; with
    /// `hasHeader`, the first non-blank line is skipped. Fields are trimmed of spaces; quoting is not
    /// supported.
    ///
    /// Throws a `DataError` naming the file, line and column for a missing or empty file, a field that is
    /// not a number or is NaN/infinite, a row with a different number of fields, or a bad label.
    public static func loadCSV(_ url: URL, labelColumn: Int = -1, hasHeader: Bool = false) throws -> Dataset {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw DataError.fileNotFound(path: path) }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DataError.unreadable(path: path, reason: error.localizedDescription)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { (number: $0.offset + 1, fields: $0.element.trimmingCharacters(in: .whitespacesAndNewlines)) }
            .filter { !$0.fields.isEmpty }
        if hasHeader, !lines.isEmpty { lines.removeFirst() }
        guard let first = lines.first else { throw DataError.empty(path: path) }

        let columnCount = first.fields.split(separator: ",", omittingEmptySubsequences: false).count
        let label = labelColumn < 0 ? labelColumn + columnCount : labelColumn
        guard label >= 0 && label < columnCount else {
            throw DataError.labelColumnOutOfRange(path: path, column: labelColumn, columnCount: columnCount)
        }
        var features: [Scalar] = []
        var labels: [Int] = []
        features.reserveCapacity(lines.count * (columnCount - 1))
        for (number, row) in lines {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columnCount else {
                throw DataError.raggedRow(path: path, line: number, expected: columnCount, found: fields.count)
            }
            for (column, field) in fields.enumerated() {
                let text = field.trimmingCharacters(in: .whitespaces)
                guard let value = Double(text) else {
                    throw DataError.malformedNumber(path: path, line: number, column: column + 1, text: text)
                }
                guard value.isFinite else {
                    throw DataError.nonFinite(path: path, line: number, column: column + 1, text: text)
                }
                if column == label {
                    guard value >= 0, value == value.rounded(), let integer = Int(exactly: value) else {
                        throw DataError.invalidLabel(path: path, line: number, text: text)
                    }
                    labels.append(integer)
                } else {
                    features.append(Scalar(value))
                }
            }
        }
        return Dataset(features: Tensor(shape: [labels.count, columnCount - 1], scalars: features), labels: labels)
    }
}
