import ArgumentParser
import Foundation
import Kindling

/// The options that say where examples are and how to read them (train, evaluate, predict, compare-init).
struct DataOptions: ParsableArguments {
    @Option(
        help:
            "The examples: a CSV file (features and a label column), or an NPY or IDX file (plain or .gz) of features; - reads standard input."
    )
    var data: String

    @Option(help: "For NPY or IDX features: a file of one label per example.")
    var labels: String?

    @Flag(inversion: .prefixedNo, help: "Whether the CSV's first row names the columns (default: detected).")
    var header: Bool?

    @Option(
        parsing: .unconditional,
        help:
            "The CSV's label column: a name from the header, or an index (0-based; negative counts from the end). Default: the last column."
    )
    var labelColumn: String?

    @Option(
        help:
            "The CSV's delimiter: , ; tab or | (default: sniffed from the first lines; evaluate and predict use the model's)."
    )
    var delimiter: CSVDelimiter?

    @Option(help: "The decimal separator: . or , (default: , when the delimiter is not a comma and numbers read 1,5).")
    var decimal: DecimalSeparator?

    @Option(
        help:
            "Training: comma-separated columns to one-hot encode (names or 0-based indices). Non-numeric columns with at most 20 distinct values are encoded without it."
    )
    var categorical: String?

    @Option(help: "Training: comma-separated columns to leave out (names or 0-based indices), such as an ID column.")
    var ignoreColumns: String?

    @Option(
        help:
            "Training: missing values (empty, NA, N/A, ?) in features: error, drop (the row), mean or median (fill; categorical columns: the most frequent category)."
    )
    var missing: MissingValues?

    var csvHeader: CSVHeader { header.map { $0 ? .present : .absent } ?? .detect }

    var labelColumnSelection: LabelColumn {
        guard let labelColumn else { return .last }
        if let index = Int(labelColumn) { return .index(index) }
        return .name(labelColumn)
    }

    /// The choices for a training file.
    var tableOptions: TableOptions {
        var options = TableOptions()
        options.delimiter = delimiter
        options.decimalSeparator = decimal
        options.categorical = list(categorical)
        options.ignored = list(ignoreColumns)
        options.missingValues = missing ?? .error
        return options
    }

    private func list(_ text: String?) -> [String] {
        text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
    }

    /// The training examples: the table's categories and fill values fitted to the file (or, when resuming,
    /// `saved`, the preprocessing of the model being resumed).
    func read(resuming saved: TablePreprocessing? = nil) throws -> RawExamples {
        if let saved { return try read(applying: saved, label: labelColumn == nil ? nil : labelColumnSelection) }
        do {
            return try RawExamples(
                from: DataSource(argument: data), labels: labels.map { URL(fileURLWithPath: $0) }, header: csvHeader,
                label: labelColumnSelection, table: tableOptions)
        } catch let error as DataError {
            guard case .missingValue = error else { throw error }
            throw CommandError("\(error); give --missing drop, mean or median to allow them")
        } catch let error as TableError {
            switch error {
            case .missingValue: throw CommandError("\(error); give --missing drop, mean or median to allow them")
            case .notNumeric(_, let column, _, _, _):
                throw CommandError("\(error) (--ignore-columns '\(column)', or --categorical '\(column)')")
            default: throw error
            }
        }
    }

    /// Examples read as the model's training data was (`preprocessing`; nil for NPY and IDX data): `label` nil
    /// takes the training file's label column when the file has it. Prints the reader's notes on stderr.
    func read(
        applying preprocessing: TablePreprocessing?, label: LabelColumn?,
        unknownCategories: UnknownCategories = .error, dropsRows: Bool = true
    ) throws -> RawExamples {
        var format: CSVFormat?
        if delimiter != nil || decimal != nil {
            format = preprocessing?.format ?? CSVFormat()
            if let delimiter { format?.delimiter = delimiter }
            if let decimal { format?.decimalSeparator = decimal }
        }
        let raw = try RawExamples(
            from: DataSource(argument: data), applying: preprocessing, labels: labels.map { URL(fileURLWithPath: $0) },
            header: csvHeader, label: label, format: format, unknownCategories: unknownCategories,
            dropsRows: dropsRows)
        for note in raw.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        return raw
    }

    /// Throws when a choice that belongs to training (saved with the model) is given to evaluate or predict.
    func checkNoTrainingChoices(command: String) throws {
        let given = [
            categorical.map { _ in "--categorical" }, ignoreColumns.map { _ in "--ignore-columns" },
            missing.map { _ in "--missing" },
        ].compactMap { $0 }
        guard given.isEmpty else {
            throw ValidationError(
                "\(given.joined(separator: ", ")): chosen when training and saved with the model; \(command) applies the model's"
            )
        }
    }
}

/// A failure the command reports as it is (the message names the file and the problem).
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Checks that a file can be written at `path` (its folder exists and a file can be created in it, and it is
/// not a folder) before any work starts, so that a bad path fails at once and nothing is half-written.
@discardableResult
func checkWritableFile(_ path: String, option: String) throws -> URL {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    let folder = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    let manager = FileManager.default
    if manager.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw ValidationError("--\(option): '\(path)' is a folder")
    }
    guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("--\(option): the folder '\(folder)' does not exist")
    }
    if let reason = fileCreationFailure(in: folder) {
        throw ValidationError("--\(option): cannot write into '\(folder)': \(reason)")
    }
    return url
}

/// Writes `text` to `url` through a temporary file in the same folder and a rename, so that readers see
/// the old file or the whole new one, never a part.
func writeAtomically(_ text: String, to url: URL) throws {
    do {
        try Data(text.utf8).write(to: url, options: .atomic)
    } catch {
        throw CommandError("\(url.path): cannot be written (\((error as NSError).localizedDescription))")
    }
}

extension ModelSpecification.Architecture: ExpressibleByArgument {}
extension ModelSpecification.Activation: ExpressibleByArgument {}
extension Task: ExpressibleByArgument {}
extension MissingValues: ExpressibleByArgument {}
extension UnknownCategories: ExpressibleByArgument {}
extension DecimalSeparator: ExpressibleByArgument {}
extension CSVDelimiter: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
}

/// A number for tables: up to 4 decimals.
func formatted(_ value: Double) -> String { String(format: "%.4f", value) }
