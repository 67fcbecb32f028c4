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
            return "\(path):\(line):\(column): \(field): '\(text)' is not a number"
        case .nonFinite(let path, let line, let column, let field, let text):
            return "\(path):\(line):\(column): \(field): '\(text)' is not finite (NaN and infinity are not allowed)"
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
        case .mismatch(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}

extension DataError: LocalizedError {
    /// The same text as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}

/// The file at `url` opened for reading, with its size, or a `DataError` naming it when it is missing, a
/// folder or unreadable. The caller closes the descriptor.
func openForReading(_ url: URL) throws -> (descriptor: Int32, size: Int) {
    let path = url.path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw DataError.fileNotFound(path: path)
    }
    if isDirectory.boolValue { throw DataError.unreadable(path: path, reason: "it is a folder") }
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw DataError.unreadable(path: path, reason: String(cString: strerror(errno))) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
        let reason = String(cString: strerror(errno))
        close(descriptor)
        throw DataError.unreadable(path: path, reason: reason)
    }
    return (descriptor, Int(status.st_size))
}

/// The bytes of a file, or a `DataError` naming it when it is missing or unreadable. Read with POSIX
/// `read` straight into the array (one copy fewer than going through `Data`).
func readBytes(_ url: URL) throws -> [UInt8] {
    let path = url.path
    let (descriptor, size) = try openForReading(url)
    defer { close(descriptor) }
    var failure: String?
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        count = 0
        while count < size {
            let done = read(descriptor, buffer.baseAddress! + count, size - count)
            if done < 0 && errno == EINTR { continue }
            if done < 0 { failure = String(cString: strerror(errno)) }
            if done <= 0 { break }
            count += done
        }
    }
    if let failure { throw DataError.unreadable(path: path, reason: failure) }
    return bytes
}
