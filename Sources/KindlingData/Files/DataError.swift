import Foundation

/// A problem with a data file that the caller can report or handle. Each message starts with the file,
/// and where it applies the line and column as `file:line:column` (both counted from 1, as editors show
/// them; the column counts characters from the start of the line to the start of the field).
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be read.
    case unreadable(path: String, reason: String)
    /// The file holds no data rows.
    case empty(path: String)
    /// A field is empty where a number belongs.
    case missingValue(path: String, line: Int, column: Int, field: String)
    /// A field is not a number.
    case malformedNumber(path: String, line: Int, column: Int, field: String, text: String)
    /// A field is NaN or infinite.
    case nonFinite(path: String, line: Int, column: Int, field: String, text: String)
    /// A row has a different number of fields than the first data row.
    case raggedRow(path: String, line: Int, expected: Int, found: Int)
    /// A quoted field is not closed, or a closing quote is followed by something other than a delimiter.
    case badQuoting(path: String, line: Int, column: Int)
    /// The label column named or numbered does not exist.
    case noSuchColumn(path: String, column: String, available: String)
    /// A class label that is not a non-negative integer (`Dataset.loadCSV`).
    case invalidLabel(path: String, line: Int, text: String)
    /// A label that the model was not trained on, at `location` ("file:line" or "file: row n").
    case unseenLabel(location: String, label: String, known: [String])
    /// The file's bytes do not follow its format (NPY, IDX, gzip).
    case badFormat(path: String, reason: String)
    /// Two files or a file and a model do not fit together (row counts, feature counts).
    case mismatch(path: String, reason: String)
    /// The file passes one of the `ReadingLimits` (columns, dimensions, sizes that overflow, a gzip
    /// stream longer than its header promises).
    case limitExceeded(path: String, reason: String)

    /// What went wrong, naming the file, line and column.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .unreadable(let path, let reason):
            return "\(path): cannot be read (\(reason))"
        case .empty(let path):
            return "\(path): the file holds no data rows"
        case .missingValue(let path, let line, let column, let field):
            return "\(path):\(line):\(column): \(field) is empty (missing values are not allowed)"
        case .malformedNumber(let path, let line, let column, let field, let text):
            if text.utf8.count > ReadingLimits.maximumNumberLength {
                return "\(path):\(line):\(column): \(field): '\(Self.shortened(text))' (\(text.utf8.count) bytes) "
                    + "is longer than any number (at most \(ReadingLimits.maximumNumberLength) bytes)"
            }
            return "\(path):\(line):\(column): \(field): '\(Self.shortened(text))' is not a number"
        case .nonFinite(let path, let line, let column, let field, let text):
            return
                "\(path):\(line):\(column): \(field): '\(Self.shortened(text))' is not finite (NaN and infinity are not allowed)"
        case .raggedRow(let path, let line, let expected, let found):
            return "\(path):\(line): \(found) fields, but the first data row has \(expected)"
        case .badQuoting(let path, let line, let column):
            return
                "\(path):\(line):\(column): a quoted field must end with a quote followed by a comma or the end of the line"
        case .noSuchColumn(let path, let column, let available):
            return "\(path): no column \(column) (\(available))"
        case .invalidLabel(let path, let line, let text):
            return "\(path):\(line): label '\(text)' is not a non-negative integer"
        case .unseenLabel(let location, let label, let known):
            let shown =
                known.count <= 12 ? known.joined(separator: ", ") : known.prefix(12).joined(separator: ", ") + ", ..."
            return "\(location): label '\(label)' was not seen in training (the model knows \(shown))"
        case .badFormat(let path, let reason):
            return "\(path): \(reason)"
        case .mismatch(let path, let reason), .limitExceeded(let path, let reason):
            return "\(path): \(reason)"
        }
    }

    /// `text` when short, else its first 40 characters and an ellipsis (a message quotes a field, never
    /// megabytes of it).
    private static func shortened(_ text: String) -> String {
        text.utf8.count <= 60 ? text : String(text.prefix(40)) + "…"
    }
}

extension DataError: LocalizedError {
    /// The same text as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}
