import Foundation
import KindlingCore
import KindlingNN

/// Examples as read from a file, before their labels become classes or regression targets: the values
/// of every example (a row of features, or an image), the label text of each, and where each came from.
///
/// The format is recognized from the file's first bytes: NPY (`\x93NUMPY`), IDX (two zero bytes, plain or
/// gzip-compressed), or CSV (anything else). An NPY or IDX file holds the features only; its labels come
/// from a second file (`labels:`) of one number per example. Arrays of rank 1 are one feature per example,
/// rank 2 a table, rank 3 images (N × H × W, read as N × 1 × H × W) and rank 4 images with channels; the
/// unsigned bytes of images are divided by 255, so that pixels lie in [0, 1].
///
/// ```swift
/// let digits = try RawExamples(contentsOf: URL(fileURLWithPath: "train-images-idx3-ubyte.gz"),
///                              labels: URL(fileURLWithPath: "train-labels-idx1-ubyte.gz"))
/// digits.exampleShape   // [1, 28, 28]
/// ```
public struct RawExamples: Sendable {
    /// The features file's path.
    public let path: String
    /// The shape of one example: [featureCount] for a table, [channels, height, width] for images.
    public let exampleShape: [Int]
    /// The name of each feature (the CSV header, `name=category` for a one-hot feature, or `column n` /
    /// `feature n`).
    public let featureNames: [String]
    /// The name of the label column, if the labels came from one.
    public let labelName: String?
    /// The number of examples.
    public let count: Int
    /// Every example's values, one after another (count × product(exampleShape)).
    public let values: [Double]
    /// The label of each example as text (numbers are written without a fractional part when whole), or
    /// nil when the data carries no labels.
    public let labels: [String]?
    /// How a table's columns became the features (fitted by `init(from:labels:header:label:table:)`, applied
    /// by `init(from:applying:header:label:format:unknownCategories:)`); nil for NPY and IDX files and the
    /// plain reader.
    public let table: TablePreprocessing?
    /// What the reader left out and the caller may want to say (columns of the file that the model does not
    /// use).
    public private(set) var notes: [String]
    private let origin: Origin

    private enum Origin: Sendable {
        /// The table, and the table row of each example (rows with missing values may have been dropped).
        case csv(CSVTableFile, rows: [Int]?)
        case array(labelsPath: String?)
    }

    /// The number of values per example.
    public var featureCount: Int { exampleShape.reduce(1, *) }

    /// Reads a features file and, for NPY and IDX features, an optional file of labels. For CSV, `header`
    /// and `label` say which row names the columns and which column holds the labels; the delimiter is
    /// sniffed and every other column is a number.
    public init(
        contentsOf url: URL, labels labelsURL: URL? = nil, header: CSVHeader = .detect,
        label: LabelColumn = .last
    ) throws {
        try self.init(
            storage: MappedBytes(contentsOf: url), path: url.path, labels: labelsURL, header: header,
            table: .plain(label))
    }

    /// Reads a features file (a CSV file read with the choices of `table`: the categories and fill values
    /// are fitted to it and kept in `table`) and, for NPY and IDX features, an optional file of labels.
    public init(
        from source: DataSource, labels labelsURL: URL? = nil, header: CSVHeader = .detect,
        label: LabelColumn = .last, table options: TableOptions
    ) throws {
        let (storage, path) = try source.read()
        try self.init(storage: storage, path: path, labels: labelsURL, header: header, table: .fit(options, label))
    }

    /// Reads a file with the training file's preprocessing: a CSV file's columns matched by name when both
    /// have a header (by position otherwise), categories one-hot encoded and missing values filled as in
    /// training. `label` nil takes the training file's label column when the file has it (else no labels);
    /// `format` overrides the delimiter and decimal separator saved with the model, which are sniffed
    /// instead when the saved delimiter splits no line of the file. A model trained with
    /// `MissingValues.drop` drops rows with a missing value here too, unless `dropsRows` is false (predictions,
    /// one per input row), where such a row is an error. NPY and IDX files, and any file when `preprocessing`
    /// is nil, are read as by `init(contentsOf:labels:header:label:)`.
    public init(
        from source: DataSource, applying preprocessing: TablePreprocessing?, labels labelsURL: URL? = nil,
        header: CSVHeader = .detect, label: LabelColumn? = nil, format: CSVFormat? = nil,
        unknownCategories: UnknownCategories = .error, dropsRows: Bool = true
    ) throws {
        let (storage, path) = try source.read()
        let reading: Reading =
            preprocessing.map { .apply($0, label, format, unknownCategories, dropsRows) } ?? .plain(label ?? .last)
        try self.init(storage: storage, path: path, labels: labelsURL, header: header, table: reading)
    }

    /// How a CSV file is read.
    private enum Reading {
        /// Every column but the label a number.
        case plain(LabelColumn)
        /// Fitting a preprocessing with these options.
        case fit(TableOptions, LabelColumn)
        /// Applying a fitted preprocessing, with the label column (nil: the training file's, when present),
        /// a format that overrides the saved one, what to do with unknown categories, and whether rows with
        /// missing values may be dropped.
        case apply(TablePreprocessing, LabelColumn?, CSVFormat?, UnknownCategories, Bool)
    }

    /// The encoded features of `table`, the number of rows kept, their labels and where they came from.
    private static func encode(
        _ table: CSVTableFile, _ preprocessing: TablePreprocessing, unknownCategories: UnknownCategories,
        dropsRows: Bool = true
    ) throws -> ([Double], Int, [String]?, Origin) {
        let (values, rows) = try preprocessing.encode(
            table, unknownCategories: unknownCategories, dropsRows: dropsRows)
        let labels = table.labelColumn == nil ? nil : rows.map { table.labels[$0] }
        return (values, rows.count, labels, .csv(table, rows: rows.count == table.rowCount ? nil : rows))
    }

    /// Reads the bytes of `storage` as an NPY or IDX array (with `labelsURL`), or as a CSV file the way
    /// `reading` says.
    private init(
        storage: MappedBytes, path: String, labels labelsURL: URL?, header: CSVHeader, table reading: Reading
    ) throws {
        self.path = path
        if let array = try Self.readArray(storage.buffer, path: path) {
            notes = []
            exampleShape = try Self.exampleShape(ofArray: array.shape, path: path)
            let exampleCount = array.shape[0]
            count = exampleCount
            try Self.checkFinite(array, path: path)
            featureNames = (1...exampleShape.reduce(1, *)).map { "feature \($0)" }
            values = Self.isImage(exampleShape, array.kind) ? array.values.map { $0 / 255 } : array.values
            labelName = nil
            table = nil
            origin = .array(labelsPath: labelsURL?.path)
            labels = try labelsURL.map { try Self.readLabels($0, count: exampleCount, path: path) }
            return
        }
        if let labelsURL {
            throw DataError.mismatch(
                path: labelsURL.path,
                reason: "a CSV file holds its own labels; name their column instead of a labels file")
        }
        let preprocessing: TablePreprocessing
        let table: CSVTableFile
        var unknownCategories = UnknownCategories.error
        var dropsRows = true
        switch reading {
        case .plain(let label):
            let table = try CSVTableFile(
                storage: storage, path: path, header: header, label: label, format: nil, columns: CSVColumns())
            try Self.checkFeatures(table, featureCount: table.featureCount)
            notes = []
            count = table.rowCount
            exampleShape = [table.featureCount]
            featureNames = table.featureNames
            labelName = table.labelName
            values = table.features
            labels = table.labelColumn == nil ? nil : table.labels
            self.table = nil
            origin = .csv(table, rows: nil)
            return
        case .fit(let options, let label):
            var columns = CSVColumns()
            columns.text = Set(options.categorical)
            columns.skipped = Set(options.ignored)
            columns.detectsText = true
            columns.allowsMissingValues = options.missingValues != .error
            table = try CSVTableFile(
                storage: storage, path: path, header: header, label: label,
                format: options.format(sniffing: storage.buffer.prefix(CSVFormat.sniffedBytes)), columns: columns)
            preprocessing = try TablePreprocessing(fittedTo: table, options: options)
            try Self.checkFeatures(table, featureCount: preprocessing.featureCount)
            notes = []
        case .apply(let fitted, let label, let forced, let unknown, let drops):
            preprocessing = fitted
            unknownCategories = unknown
            dropsRows = drops
            var (format, fileHasHeader, fileNames) = try CSVTableFile.peek(
                storage, path: path, header: header, format: forced ?? fitted.format)
            if forced == nil, fileNames.count == 1, fitted.sourceColumns.count > 1 {
                // One column with the training file's delimiter: this file is written with another one.
                (format, fileHasHeader, fileNames) = try CSVTableFile.peek(
                    storage, path: path, header: header, format: nil)
            }
            let columns = try fitted.columnsToRead(
                fileHasHeader: fileHasHeader, fileColumnCount: fileNames.count, path: path)
            let names = columns.namesWithoutHeader ?? fileNames
            let missing = fitted.columns.map(\.name).filter { !names.contains($0) }
            guard missing.isEmpty else { throw TableError.missingColumns(path: path, columns: missing) }
            let labelColumn =
                label ?? fitted.labelName.flatMap { names.contains($0) ? LabelColumn.name($0) : nil } ?? .none
            table = try CSVTableFile(
                storage: storage, path: path, header: fileHasHeader ? .present : .absent, label: labelColumn,
                format: format, columns: columns)
            let used = Set(fitted.columns.map(\.name) + fitted.ignoredColumns + [table.labelName].compactMap { $0 })
            let extra = names.filter { !used.contains($0) }
            notes =
                extra.isEmpty
                ? []
                : [
                    "\(path): column\(extra.count == 1 ? "" : "s") " + extra.map { "'\($0)'" }.joined(separator: ", ")
                        + " not used by the model, left out"
                ]
        }
        (values, count, labels, origin) = try Self.encode(
            table, preprocessing, unknownCategories: unknownCategories, dropsRows: dropsRows)
        if count < table.rowCount {
            let dropped = table.rowCount - count
            notes.append("\(path): \(dropped) row\(dropped == 1 ? "" : "s") with a missing value left out")
        }
        exampleShape = [preprocessing.featureCount]
        featureNames = preprocessing.featureNames
        labelName = table.labelName
        self.table = preprocessing
    }

    /// Throws when a table with a label column has no feature column (a file read with the wrong delimiter
    /// is one column).
    private static func checkFeatures(_ table: CSVTableFile, featureCount: Int) throws {
        guard featureCount == 0, table.labelColumn != nil else { return }
        let columns = table.hasHeader || table.columnNames.count > 1 ? table.columnNames : [table.labels[0]]
        throw TableError.noFeatures(path: table.path, columns: columns, delimiter: table.format.delimiter)
    }

    /// The shape of one example of an NPY or IDX array of shape `shape` (examples along the first axis):
    /// [1] for rank 1, [1, H, W] for rank 3, the rest of the shape otherwise. Throws when the array holds no
    /// example or its examples no value.
    static func exampleShape(ofArray shape: [Int], path: String) throws -> [Int] {
        guard let first = shape.first, first > 0 else { throw DataError.empty(path: path) }
        let rest = Array(shape.dropFirst())
        guard !rest.contains(0) else {
            throw DataError.badFormat(path: path, reason: "its examples of shape \(rest) hold no values")
        }
        return rest.isEmpty ? [1] : rest.count == 2 ? [1] + rest : rest
    }

    /// Whether examples of this shape and element kind are images of bytes (divided by 255 when read).
    static func isImage(_ exampleShape: [Int], _ kind: NumericArray.ElementKind) -> Bool {
        exampleShape.count == 3 && kind == .unsignedInteger(bits: 8)
    }

    /// The labels of `count` examples of `path` from an NPY or IDX file of one number per example, as text.
    static func readLabels(_ labelsURL: URL, count: Int, path: String) throws -> [String] {
        let labelBytes = try readBytes(labelsURL)
        guard
            let labelArray = try labelBytes.withUnsafeBufferPointer({
                try Self.readArray($0, path: labelsURL.path)
            })
        else {
            throw DataError.badFormat(
                path: labelsURL.path, reason: "labels must be an NPY or IDX file of one number per example")
        }
        guard labelArray.values.count == labelArray.shape.first ?? 0 else {
            throw DataError.mismatch(
                path: labelsURL.path,
                reason: "labels must hold one number per example, got shape \(labelArray.shape)")
        }
        guard labelArray.values.count == count else {
            throw DataError.mismatch(
                path: labelsURL.path, reason: "\(labelArray.values.count) labels for the \(count) examples of \(path)")
        }
        try Self.checkFinite(labelArray, path: labelsURL.path)
        return labelArray.values.map(Self.text(of:))
    }

    /// Throws naming the first NaN or infinite value of an array by its index (numpy's `array[i, j]`).
    private static func checkFinite(_ array: NumericArray, path: String) throws {
        guard let flat = array.values.firstIndex(where: { !$0.isFinite }) else { return }
        throw nonFinite(array.values[flat], element: flat, shape: array.shape, path: path)
    }

    /// The error for `value`, NaN or infinite, at position `flat` of the row-major elements of an array of
    /// shape `shape`: it names the element by its index (numpy's `array[i, j]`) and its example.
    static func nonFinite(_ value: Double, element flat: Int, shape: [Int], path: String) -> DataError {
        var index: [Int] = []
        var rest = flat
        for size in shape.reversed() {
            index.insert(rest % size, at: 0)
            rest /= size
        }
        return DataError.mismatch(
            path: path,
            reason: "element [\(index.map(String.init).joined(separator: ", "))] (example \(index[0] + 1)) is "
                + "\(value.isNaN ? "NaN" : value > 0 ? "infinity" : "-infinity"); NaN and infinity are not allowed")
    }

    /// Where example `index` is, for messages: `file:line` for CSV, `file: example n` otherwise.
    public func location(ofExample index: Int) -> String {
        switch origin {
        case .csv(let table, let rows): return "\(path):\(table.line(ofRow: rows?[index] ?? index))"
        case .array(let labelsPath): return "\(labelsPath ?? path): example \(index + 1)"
        }
    }

    /// The features as a tensor of shape [count] + exampleShape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func features<Scalar: TensorScalar>(as _: Scalar.Type = Scalar.self) -> Tensor<Scalar> {
        Tensor(shape: [count] + exampleShape, scalars: values.map { Scalar($0) })
    }

    /// A number as label text: whole numbers without a fractional part ("3", not "3.0").
    package static func text(of value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    /// The file as an NPY or IDX array, or nil when it is neither (CSV).
    private static func readArray(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws -> NumericArray? {
        if bytes.count >= 6, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) {
            return try NumericArray(npyBuffer: bytes, path: path)
        }
        if Gzip.isCompressed(Array(bytes.prefix(2))) || (bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0) {
            return try NumericArray(idxBytes: Array(bytes), path: path)
        }
        return nil
    }
}

/// Where a data file's bytes come from.
public enum DataSource: Sendable, Equatable {
    /// A file (mapped into memory when it can be).
    case file(URL)
    /// The process's standard input, read to its end (named `standard input` in messages).
    case standardInput

    /// The source a command-line argument names: `-` for standard input, else a file path.
    public init(argument: String) {
        self = argument == "-" ? .standardInput : .file(URL(fileURLWithPath: argument))
    }

    /// The bytes and the name for messages.
    func read() throws -> (MappedBytes, String) {
        switch self {
        case .file(let url): return (try MappedBytes(contentsOf: url), url.path)
        case .standardInput:
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard !data.isEmpty else { throw DataError.empty(path: "standard input") }
            return (MappedBytes(copying: [UInt8](data)), "standard input")
        }
    }
}
