import Foundation
import KindlingCore

/// What to do with a missing value (an empty field, `NA`, `N/A` or `?`) in a feature column.
public enum MissingValues: String, Sendable, Codable, CaseIterable {
    /// Stop with the file, line and column of the first one.
    case error
    /// Leave out every row that has one.
    case drop
    /// Fill a number column with its mean, a categorical column with its most frequent category (scikit-learn's
    /// `SimpleImputer(strategy="mean")` and `"most_frequent"`).
    case mean
    /// Fill a number column with its median, a categorical column with its most frequent category.
    case median
}

/// What to do with a category that a model was not trained on.
public enum UnknownCategories: String, Sendable, Codable, CaseIterable {
    /// Stop, naming the file, line, column and category.
    case error
    /// Encode it as all zeros (scikit-learn's `OneHotEncoder(handle_unknown="ignore")`).
    case ignore
}

/// The choices about a table made when a model is trained on it.
public struct TableOptions: Sendable, Equatable {
    /// The delimiter; nil: sniffed from the first lines (see `CSVFormat.sniffed(from:delimiter:)`).
    public var delimiter: CSVDelimiter?
    /// The decimal separator; nil: detected with the delimiter.
    public var decimalSeparator: DecimalSeparator?
    /// Columns one-hot encoded, by name (or 0-based index).
    public var categorical: [String] = []
    /// Columns left out, by name (or 0-based index): an ID column.
    public var ignored: [String] = []
    /// Missing values in feature columns.
    public var missingValues = MissingValues.error
    /// The most distinct values a non-numeric column that is not named in `categorical` may have to be encoded
    /// as categorical (automatically); a column with more (an ID, free text) is an error.
    public var maximumCategories = 20

    /// The defaults: the format sniffed, no categorical or ignored columns named, missing values an error.
    public init() {}

    /// The format these options force, sniffing what they leave open from `bytes`.
    func format(sniffing bytes: some Collection<UInt8>) -> CSVFormat {
        var format = CSVFormat.sniffed(from: bytes, delimiter: delimiter)
        if let decimalSeparator { format.decimalSeparator = decimalSeparator }
        return format
    }
}

/// How a table's columns become a model's features, as fitted to the training file and applied unchanged to
/// new files: the file's format, the feature columns in order, each numeric (one feature) or categorical (one
/// feature per category, one-hot in the categories' order, as scikit-learn's `OneHotEncoder`), the fill value
/// of each column when missing values are filled, and the columns left out.
///
/// New data is matched by column name when both files have a header (any order; extra columns are left out
/// and reported in `RawExamples.notes`; missing ones are an error that lists them), by position otherwise.
///
/// ```swift
/// var options = TableOptions()
/// options.ignored = ["id"]
/// options.missingValues = .median
/// let training = try RawExamples(contentsOf: URL(fileURLWithPath: "patients.csv"), table: options)
/// let preprocessing = training.table!   // saved with the model
/// let new = try RawExamples(contentsOf: URL(fileURLWithPath: "new.csv"), applying: preprocessing, label: .none)
/// ```
public struct TablePreprocessing: Sendable, Codable, Equatable {
    /// A feature column.
    public struct Column: Sendable, Codable, Equatable {
        /// The column's name.
        public var name: String
        /// The categories of a categorical column, in feature order (sorted: numerically when all are
        /// numbers); nil for a numeric column.
        public var categories: [String]?
        /// The value a missing field is filled with: a hexadecimal float ("0x1.8p+1", exact) for a numeric
        /// column, a category for a categorical one; nil when missing values are not filled.
        public var fill: String?

        /// A column from its parts.
        public init(name: String, categories: [String]? = nil, fill: String? = nil) {
            self.name = name
            self.categories = categories
            self.fill = fill
        }

        /// The number of features the column becomes.
        public var width: Int { categories?.count ?? 1 }
    }

    /// The training file's delimiter and decimal separator.
    public var format: CSVFormat
    /// Whether the training file had a header (its names are then matched by name).
    public var hasHeader: Bool
    /// Every column of the training file, in order (to match a file without a header by position).
    public var sourceColumns: [String]
    /// The feature columns, in the training file's order.
    public var columns: [Column]
    /// The columns left out.
    public var ignoredColumns: [String]
    /// The label column's name.
    public var labelName: String?
    /// What was done with missing values.
    public var missingValues: MissingValues

    /// The names of the model's input features: a numeric column's name, or `name=category` per category.
    public var featureNames: [String] {
        columns.flatMap { column in column.categories.map { $0.map { "\(column.name)=\($0)" } } ?? [column.name] }
    }

    /// The number of the model's input features.
    public var featureCount: Int { columns.reduce(0) { $0 + $1.width } }

    /// The preprocessing of `table`, whose text columns (besides the label) are the categorical ones and whose
    /// skipped columns are `options.ignored`: categories and fill values from all its rows.
    public init(fittedTo table: CSVTableFile, options: TableOptions) throws {
        format = table.format
        hasHeader = table.hasHeader
        sourceColumns = table.columnNames
        labelName = table.labelName
        missingValues = options.missingValues
        ignoredColumns = table.columnKinds.indices.filter { table.columnKinds[$0] == .skipped }.map {
            table.columnNames[$0]
        }
        let named = Set(options.categorical)
        var numberPosition = 0
        var columns: [Column] = []
        for (index, kind) in table.columnKinds.enumerated() where index != table.labelColumn && kind != .skipped {
            let name = table.columnNames[index]
            if kind == .number {
                let position = numberPosition
                numberPosition += 1
                var column = Column(name: name)
                if options.missingValues == .mean || options.missingValues == .median {
                    let values = stride(from: position, to: table.features.count, by: table.featureCount).map {
                        table.features[$0]
                    }.filter { !$0.isNaN }
                    guard !values.isEmpty else { throw TableError.emptyColumn(path: table.path, column: name) }
                    let fill = options.missingValues == .mean ? Self.mean(values) : Self.median(values)
                    column.fill = String(format: "%a", fill)
                }
                columns.append(column)
                continue
            }
            let texts = table.texts(ofColumn: index).map { $0.trimmingCharacters(in: .whitespaces) }
            let present = texts.filter { !CSVScanner.isMissingMarker($0) }
            guard !present.isEmpty else { throw TableError.emptyColumn(path: table.path, column: name) }
            let distinct = Set(present)
            let explicitly = named.contains(name) || (Int(name) == nil && named.contains(String(index)))
            if !explicitly && distinct.count > options.maximumCategories {
                let row = texts.firstIndex { !CSVScanner.isMissingMarker($0) && table.format.number($0) == nil } ?? 0
                throw TableError.notNumeric(
                    location: "\(table.path):\(table.line(ofRow: row))", column: name, text: texts[row],
                    distinct: distinct.count, maximum: options.maximumCategories)
            }
            var column = Column(name: name, categories: Self.sorted(distinct, format: table.format))
            if options.missingValues == .mean || options.missingValues == .median {
                var counts: [String: Int] = [:]
                for text in present { counts[text, default: 0] += 1 }
                let top = counts.values.max()!
                column.fill = column.categories!.first { counts[$0] == top }
            }
            columns.append(column)
        }
        self.columns = columns
    }

    /// The mean, summed in order.
    private static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// The median (numpy's: the mean of the two middle values of an even count).
    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Categories in order: numerically when every one is a number, else as text.
    private static func sorted(_ categories: Set<String>, format: CSVFormat) -> [String] {
        let numbers = categories.map { format.number($0) }
        if numbers.allSatisfy({ $0 != nil }) {
            return categories.sorted { format.number($0)! < format.number($1)! }
        }
        return categories.sorted()
    }

    /// How to read a file for this preprocessing: its feature columns (categorical ones as text), the label
    /// (kept by the caller's `LabelColumn`), every other column skipped; names by position when the file has no
    /// header (`fileColumnCount` columns: the training file's, or those less the label).
    func columnsToRead(fileHasHeader: Bool, fileColumnCount: Int, path: String) throws -> CSVColumns {
        var reading = CSVColumns()
        reading.text = Set(columns.filter { $0.categories != nil }.map(\.name))
        reading.only = Set(columns.map(\.name))
        reading.allowsMissingValues = missingValues != .error
        if !(fileHasHeader && hasHeader) {
            if fileColumnCount == sourceColumns.count {
                reading.namesWithoutHeader = sourceColumns
            } else if let labelName, fileColumnCount == sourceColumns.count - 1 {
                reading.namesWithoutHeader = sourceColumns.filter { $0 != labelName }
            } else {
                throw TableError.columnCount(
                    path: path, found: fileColumnCount, expected: sourceColumns.count, labelName: labelName)
            }
        }
        return reading
    }

    /// The features of `table` (read with `columnsToRead`): one-hot categories and filled values, in this
    /// preprocessing's feature order, with the rows kept (all but those `.drop` leaves out; with `dropsRows`
    /// false, as for predictions that must keep one row per input row, a missing value is an error instead).
    public func encode(_ table: CSVTableFile, unknownCategories: UnknownCategories = .error, dropsRows: Bool = true)
        throws -> (values: [Double], rows: [Int])
    {
        let missingColumns = columns.map(\.name).filter { !table.columnNames.contains($0) }
        guard missingColumns.isEmpty else {
            throw TableError.missingColumns(path: table.path, columns: missingColumns)
        }
        enum Source {
            case number(position: Int, fill: Double?)
            case category(texts: [String], index: [String: Int], fill: String?)
        }
        let numberColumns = table.featureColumns
        let sources: [Source] = columns.map { column in
            let index = table.columnNames.firstIndex(of: column.name)!
            if let categories = column.categories {
                let texts = table.texts(ofColumn: index).map { $0.trimmingCharacters(in: .whitespaces) }
                let lookup = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
                return .category(texts: texts, index: lookup, fill: column.fill)
            }
            return .number(position: numberColumns.firstIndex(of: index)!, fill: column.fill.flatMap(Double.init))
        }
        let width = featureCount
        let stride = table.featureCount
        var values: [Double] = []
        values.reserveCapacity(table.rowCount * width)
        var rows: [Int] = []
        rows.reserveCapacity(table.rowCount)
        rowLoop: for row in 0..<table.rowCount {
            let start = values.count
            for (column, source) in zip(columns, sources) {
                switch source {
                case .number(let position, let fill):
                    let value = table.features[row * stride + position]
                    if value.isNaN {
                        guard let fill else {
                            if missingValues == .drop && dropsRows {
                                values.removeSubrange(start...)
                                continue rowLoop
                            }
                            throw TableError.missingValue(
                                location: "\(table.path):\(table.line(ofRow: row))", column: column.name)
                        }
                        values.append(fill)
                    } else {
                        values.append(value)
                    }
                case .category(let texts, let index, let fill):
                    var text = texts[row]
                    if CSVScanner.isMissingMarker(text) {
                        guard let fill else {
                            if missingValues == .drop && dropsRows {
                                values.removeSubrange(start...)
                                continue rowLoop
                            }
                            throw TableError.missingValue(
                                location: "\(table.path):\(table.line(ofRow: row))", column: column.name)
                        }
                        text = fill
                    }
                    var oneHot = [Double](repeating: 0, count: column.width)
                    if let position = index[text] {
                        oneHot[position] = 1
                    } else if unknownCategories == .error {
                        throw TableError.unknownCategory(
                            location: "\(table.path):\(table.line(ofRow: row))", column: column.name, category: text,
                            known: column.categories ?? [])
                    }
                    values += oneHot
                }
            }
            rows.append(row)
        }
        guard !rows.isEmpty else { throw TableError.everyRowDropped(path: table.path) }
        return (values, rows)
    }
}

extension CSVFormat {
    /// The number a field's text holds in this format, or nil.
    func number(_ text: String) -> Double? {
        decimalSeparator == .comma ? text.replacingOccurrences(of: ",", with: ".").decimalValue : text.decimalValue
    }
}

/// A table that does not fit the choices made for it, or the model it is applied to. Each message names the
/// file (and line, where there is one), the column and the problem.
public enum TableError: Error, Equatable, CustomStringConvertible {
    /// A column holds no value at all.
    case emptyColumn(path: String, column: String)
    /// A column that is not numeric has too many distinct values to be a categorical one.
    case notNumeric(location: String, column: String, text: String, distinct: Int, maximum: Int)
    /// A feature field is missing and missing values are not filled or dropped.
    case missingValue(location: String, column: String)
    /// A category the model was not trained on.
    case unknownCategory(location: String, column: String, category: String, known: [String])
    /// Feature columns of the model that the file lacks.
    case missingColumns(path: String, columns: [String])
    /// A file without a header whose number of columns is not the training file's.
    case columnCount(path: String, found: Int, expected: Int, labelName: String?)
    /// Every row had a missing value and was dropped.
    case everyRowDropped(path: String)
    /// A table with a label column but no feature column.
    case noFeatures(path: String, columns: [String], delimiter: CSVDelimiter)

    /// What went wrong, naming the file, the column and the problem.
    public var description: String {
        switch self {
        case .emptyColumn(let path, let column):
            return "\(path): column '\(column)' holds no value"
        case .notNumeric(let location, let column, let text, let distinct, let maximum):
            return
                "\(location): column '\(column)' is not numeric ('\(text)') and has \(distinct) distinct values "
                + "(at most \(maximum) are encoded as categories automatically): leave it out (an ID) or name it "
                + "as categorical"
        case .missingValue(let location, let column):
            return "\(location): column '\(column)' is missing a value (missing values are not allowed)"
        case .unknownCategory(let location, let column, let category, let known):
            return
                "\(location): column '\(column)': category '\(category)' was not seen in training "
                + "(the model knows \(known.map { "'\($0)'" }.joined(separator: ", ")))"
        case .missingColumns(let path, let columns):
            return
                "\(path): the model's column\(columns.count == 1 ? "" : "s") "
                + columns.map { "'\($0)'" }.joined(separator: ", ") + " \(columns.count == 1 ? "is" : "are") missing"
        case .columnCount(let path, let found, let expected, let labelName):
            let without = labelName.map { " (or \(expected - 1) without the label column '\($0)')" } ?? ""
            return
                "\(path): \(found) column\(found == 1 ? "" : "s") and no header, but the model was trained on \(expected) columns\(without)"
        case .everyRowDropped(let path):
            return "\(path): every row has a missing value, so dropping them leaves nothing"
        case .noFeatures(let path, let columns, let delimiter):
            let shown = columns.count == 1 ? "one column ('\(columns[0])')" : "only the label column"
            return
                "\(path): \(shown), so no features to learn from (read with the delimiter '\(delimiter.name)'; "
                + "is the file separated by another one?)"
        }
    }
}

extension TableError: LocalizedError {
    /// The same text as `description`.
    public var errorDescription: String? { description }
}
