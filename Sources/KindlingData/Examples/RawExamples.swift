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
    /// The name of each feature (the CSV header, or `column n` / `feature n`).
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
    private let origin: Origin

    private enum Origin: Sendable {
        case csv(CSVTableFile)
        case array(labelsPath: String?)
    }

    /// The number of values per example.
    public var featureCount: Int { exampleShape.reduce(1, *) }

    /// Reads a features file and, for NPY and IDX features, an optional file of labels. For CSV, `header`
    /// and `label` say which row names the columns and which column holds the labels.
    public init(
        contentsOf url: URL, labels labelsURL: URL? = nil, header: CSVHeader = .detect,
        label: LabelColumn = .last
    ) throws {
        let storage = try MappedBytes(contentsOf: url)
        path = url.path
        if let array = try Self.readArray(storage.buffer, path: path) {
            guard let first = array.shape.first, first > 0 else { throw DataError.empty(path: path) }
            count = first
            let rest = Array(array.shape.dropFirst())
            exampleShape = rest.isEmpty ? [1] : rest.count == 2 ? [1] + rest : rest
            guard !array.values.isEmpty else {
                throw DataError.badFormat(path: path, reason: "its examples of shape \(rest) hold no values")
            }
            featureNames = (1...exampleShape.reduce(1, *)).map { "feature \($0)" }
            let isImage = exampleShape.count == 3 && array.kind == .unsignedInteger(bits: 8)
            values = isImage ? array.values.map { $0 / 255 } : array.values
            labelName = nil
            origin = .array(labelsPath: labelsURL?.path)
            if let labelsURL {
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
                        path: labelsURL.path,
                        reason: "\(labelArray.values.count) labels for the \(count) examples of \(path)")
                }
                labels = labelArray.values.map(Self.text(of:))
            } else {
                labels = nil
            }
        } else {
            if let labelsURL {
                throw DataError.mismatch(
                    path: labelsURL.path,
                    reason: "a CSV file holds its own labels; name their column instead of a labels file")
            }
            let table = try CSVTableFile(storage: storage, path: path, header: header, label: label)
            count = table.rowCount
            exampleShape = [table.featureCount]
            featureNames = table.featureNames
            labelName = table.labelName
            values = table.features
            labels = table.labelColumn == nil ? nil : table.labels
            origin = .csv(table)
        }
    }

    /// Where example `index` is, for messages: `file:line` for CSV, `file: example n` otherwise.
    public func location(ofExample index: Int) -> String {
        switch origin {
        case .csv(let table): return "\(path):\(table.line(ofRow: index))"
        case .array(let labelsPath): return "\(labelsPath ?? path): example \(index + 1)"
        }
    }

    /// The features as a tensor of shape [count] + exampleShape.
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
            return try NumericArray(npyBytes: Array(bytes), path: path)
        }
        if Gzip.isCompressed(Array(bytes.prefix(2))) || (bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0) {
            return try NumericArray(idxBytes: Array(bytes), path: path)
        }
        return nil
    }
}
