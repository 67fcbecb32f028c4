import Foundation
import KindlingCore
import KindlingNN
import KindlingPlatform

/// An NPY file in C order or an uncompressed IDX file of examples whose examples (the rows along its first
/// axis) are read from the file one at a time (`pread`) and converted when they are asked for: what lets each
/// process of a data-parallel job read only its rows, and hold only the rows it has asked for. Only the header
/// is read when the file is opened (mapped, without reading the rest); the labels (a second file of one number
/// per example) are read whole, as `RawExamples` reads them.
///
/// Element types, byte orders, the shape of an example, the division of image bytes by 255 and the messages
/// for a malformed file are `RawExamples`'s. A gzip-compressed IDX file cannot be read by rows (deflate must
/// be inflated from the start), nor a Fortran-order NPY file of rank 2 or more (an example's values are
/// scattered over the file): the initializer returns nil for them, and for CSV files, which are read whole.
///
/// Rows are read rather than mapped because a mapped file's pages count in the process's resident memory
/// once touched, and Linux maps the page cache's large folios whole: on this machine's kernel (6.18, ext4),
/// touching 64 random rows of a 16 MB mapped file made all 16 MB resident.
package final class ExampleRowsFile: @unchecked Sendable {
    /// The features file's path.
    package let path: String
    /// The number of examples.
    package let count: Int
    /// The shape of one example, as `RawExamples.exampleShape`.
    package let exampleShape: [Int]
    /// `feature 1`, `feature 2`, ...
    package let featureNames: [String]
    /// The label of each example as text, or nil without a labels file.
    package let labels: [String]?
    /// The labels file's path.
    let labelsPath: String?
    /// The shape of the array in the file (examples along the first axis), for messages.
    let arrayShape: [Int]
    private let descriptor: Int32
    private let kind: NumericArray.ElementKind
    private let elementSize: Int
    private let bigEndian: Bool
    private let dataStart: Int
    private let isImage: Bool

    /// The number of values per example.
    package var featureCount: Int { exampleShape.reduce(1, *) }

    /// Opens the features file at `url`, reading its header only, and reads `labelsURL`, if any; nil when the
    /// file cannot be read by rows (CSV, gzip-compressed IDX, Fortran-order NPY). Throws the messages of
    /// `RawExamples(contentsOf:labels:)` for a malformed, empty or missing file.
    package init?(contentsOf url: URL, labels labelsURL: URL?) throws {
        path = url.path
        do {
            let bytes = try MappedBytes(contentsOf: url, populatingPages: false)
            let buffer = bytes.buffer
            if buffer.count >= 6, buffer[0] == 0x93, Array(buffer[1...5]) == Array("NUMPY".utf8) {
                let header = try NPYHeader(buffer, path: path)
                guard !header.fortranOrder || header.shape.count <= 1 else { return nil }
                (arrayShape, kind, elementSize, bigEndian, dataStart) =
                    (header.shape, header.kind, header.size, header.bigEndian, header.dataStart)
            } else if buffer.count >= 4, buffer[0] == 0, buffer[1] == 0 {
                let header = try IDXHeader.ofWholeFile(
                    Array(buffer.prefix(4 + 4 * Int(buffer[3]))), fileByteCount: buffer.count, path: path)
                (arrayShape, kind, elementSize, bigEndian, dataStart) =
                    (header.shape, header.kind, header.size, true, header.dataStart)
            } else {
                return nil
            }
        }
        exampleShape = try RawExamples.exampleShape(ofArray: arrayShape, path: path)
        let count = arrayShape[0]
        self.count = count
        featureNames = (1...exampleShape.reduce(1, *)).map { "feature \($0)" }
        isImage = RawExamples.isImage(exampleShape, kind)
        labelsPath = labelsURL?.path
        labels = try labelsURL.map { try RawExamples.readLabels($0, count: count, path: url.path) }
        descriptor = try openForReading(url).descriptor
    }

    deinit { close(descriptor) }

    /// Reads the values of example `row` into `values` (`featureCount` of them), as `RawExamples.values` holds
    /// them (image bytes divided by 255), using `bytes` (`featureCount` × the element size) for the file's
    /// bytes; throws naming the file when it cannot be read (it was shortened since it was opened).
    func read(row: Int, into values: UnsafeMutableBufferPointer<Double>, using bytes: UnsafeMutableBufferPointer<UInt8>)
        throws
    {
        if let cause = readFully(
            descriptor, into: UnsafeMutableRawBufferPointer(bytes), atOffset: dataStart + row * bytes.count)
        {
            throw DataError.unreadable(path: path, reason: "example \(row + 1) cannot be read (\(cause))")
        }
        readElements(
            UnsafeBufferPointer(bytes), offset: 0, into: values, size: elementSize, bigEndian: bigEndian,
            elementConversion(kind: kind, size: elementSize))
        if isImage {
            for index in values.indices { values[index] /= 255 }
        }
    }

    /// Calls `body` with a buffer for one example's values and one for its bytes in the file.
    func withRowBuffers<Result>(
        _ body: (UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result {
        let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: featureCount)
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: featureCount * elementSize)
        defer {
            values.deallocate()
            bytes.deallocate()
        }
        values.initialize(repeating: 0)
        bytes.initialize(repeating: 0)
        return try body(values, bytes)
    }

    /// Throws naming the first NaN or infinite value of example `row`, whose values are `values`, by its index in
    /// the file's array (as `RawExamples` does for the whole file).
    func checkFinite(_ values: UnsafeBufferPointer<Double>, row: Int) throws {
        guard let column = values.firstIndex(where: { !$0.isFinite }) else { return }
        throw RawExamples.nonFinite(values[column], element: row * featureCount + column, shape: arrayShape, path: path)
    }

    /// Where example `row` is, for messages (as `RawExamples.location(ofExample:)`).
    func location(ofExample row: Int) -> String { "\(labelsPath ?? path): example \(row + 1)" }
}

/// Examples of an `ExampleRowsFile` that have not been read: their rows in the file, the shape the model takes
/// them in, and the standardization to apply when they are read.
struct UnreadRows {
    let file: ExampleRowsFile
    /// The file row of each example, in order.
    var rows: [Int]
    /// The shape of one example as the model takes it (the file's, or a reshaping of it).
    let exampleShape: [Int]
    /// Applied to the values once converted to the scalar type, as `Standardization.apply(to:)` does.
    var standardization: Standardization?

    /// The examples at `positions` (of `rows`) as a tensor of shape [positions.count] + exampleShape, each row
    /// shown to `inspect` (its values as read, and its file row) before it is converted. Specialized for Float
    /// and Double: unspecialized, the conversions between Double and `Scalar` of each value made a training
    /// step twice as slow.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func features<Scalar: TensorScalar>(
        at positions: [Int], inspecting inspect: (UnsafeBufferPointer<Double>, _ row: Int) throws -> Void
    ) throws -> Tensor<Scalar> {
        let width = file.featureCount
        var scalars = [Scalar](repeating: 0, count: positions.count * width)
        try file.withRowBuffers { values, bytes in
            try scalars.withUnsafeMutableBufferPointer { scalars in
                for (index, position) in positions.enumerated() {
                    let row = rows[position]
                    try file.read(row: row, into: values, using: bytes)
                    try inspect(UnsafeBufferPointer(values), row)
                    let start = index * width
                    if let standardization {
                        for column in 0..<width {
                            let value = Double(Scalar(values[column]))
                            scalars[start + column] = Scalar(
                                (value - standardization.mean[column]) / standardization.scale[column])
                        }
                    } else {
                        for column in 0..<width { scalars[start + column] = Scalar(values[column]) }
                    }
                }
            }
        }
        return Tensor(shape: [positions.count] + exampleShape, scalars: scalars)
    }

    /// `features(at:inspecting:)` without inspection, for `rows(_:)`, which cannot throw: a file that can no
    /// longer be read (shortened while training, as a mapped file's SIGBUS) stops the process with the message.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func features<Scalar: TensorScalar>(at positions: [Int]) -> Tensor<Scalar> {
        do {
            return try features(at: positions) { _, _ in }
        } catch {
            fatalError("\(error)")
        }
    }

    /// Per feature, over the rows of part `part` of `parts` (equal contiguous runs of the rows sorted in file
    /// order, so that each part reads its own stretch of the file), the sum of the values as `Scalar` holds them
    /// (`mean` nil), or of their squared deviations from `mean`. Throws naming a NaN or infinite value.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func sums<Scalar: TensorScalar>(
        as _: Scalar.Type, part: Int, of parts: Int, deviationsFrom mean: [Double]?
    ) throws -> [Double] {
        require(parts >= 1 && (0..<parts).contains(part), "UnreadRows: part \(part) of \(parts) does not exist")
        let sorted = rows.sorted()
        let slice = sorted[(part * sorted.count / parts)..<((part + 1) * sorted.count / parts)]
        var sums = [Double](repeating: 0, count: file.featureCount)
        try file.withRowBuffers { values, bytes in
            for row in slice {
                try file.read(row: row, into: values, using: bytes)
                try file.checkFinite(UnsafeBufferPointer(values), row: row)
                for column in values.indices {
                    let value = Double(Scalar(values[column]))
                    if let mean {
                        let difference = value - mean[column]
                        sums[column] += difference * difference
                    } else {
                        sums[column] += value
                    }
                }
            }
        }
        return sums
    }
}

extension LabeledExamples {
    /// The examples of `file`, with labels turned into class indices by `classes` (classification) or read as
    /// numbers (regression), as `init(_:task:classes:)` does; each example has shape `exampleShape` (a
    /// reshaping of the file's). No value of the file is read now: `rows(_:)` reads and converts a batch's rows
    /// when it is taken, `features` reads them all. Check them before training with
    /// `fittedStandardization(part:of:sum:)` or `checkFinite(part:of:)`.
    package init(rowsOf file: ExampleRowsFile, exampleShape: [Int], task: Task, classes: ClassEncoding?) throws {
        require(
            exampleShape.reduce(1, *) == file.featureCount,
            "LabeledExamples: examples of shape \(exampleShape) from a file of \(file.featureCount) values per example")
        guard let labels = file.labels else {
            throw DataError.mismatch(path: file.path, reason: "the data has no labels to train or evaluate on")
        }
        self.init(
            storage: .file(UnreadRows(file: file, rows: Array(0..<file.count), exampleShape: exampleShape)),
            targets: try Self.targets(of: labels, task: task, classes: classes, location: file.location(ofExample:)))
    }

    /// Whether the features are still in their file (read by `rows(_:)` a batch at a time).
    package var isReadByRows: Bool {
        if case .file = storage { return true }
        return false
    }

    /// The examples with their features in memory: read from their file (throwing, naming it, for a NaN
    /// or infinite value), or these examples when they already are.
    package func materialized() throws -> LabeledExamples {
        guard case .file(let unread) = storage else { return self }
        let features: Tensor<Scalar> = try unread.features(
            at: Array(unread.rows.indices), inspecting: unread.file.checkFinite)
        return LabeledExamples(features: features, targets: targets)
    }

    /// The examples standardized by `standardization` (of rank-2 features): applied now to features in
    /// memory, to the others as each batch is read.
    package func standardized(by standardization: Standardization) -> LabeledExamples {
        guard case .file(var unread) = storage else {
            return LabeledExamples(features: standardization.apply(to: features), targets: targets)
        }
        require(
            unread.standardization == nil && unread.exampleShape == [standardization.mean.count],
            "LabeledExamples: \(standardization.mean.count) statistics for examples of shape \(unread.exampleShape)")
        unread.standardization = standardization
        return LabeledExamples(storage: .file(unread), targets: targets)
    }

    /// `Standardization(fittedTo: features)` of rank-2 examples, computed by `parts` processes together without
    /// any of them reading every row when the features are read by rows: process `part` reads its contiguous run of
    /// the rows (in file order) twice, first for the sums of the features, then, after `sum` has added up the
    /// processes' sums (an allreduce; called with the same count on every process), for the sums of squared
    /// deviations from the mean; a NaN or infinite value in its rows is thrown, naming the element. The
    /// results differ from one process's at rounding level only (the sums are added in another order). For
    /// features in memory, which every process holds, the statistics of all of them, without `sum`.
    package func fittedStandardization(part: Int, of parts: Int, sum: ([Double]) throws -> [Double]) throws
        -> Standardization
    {
        guard case .file(let unread) = storage else { return Standardization(fittedTo: features) }
        require(unread.exampleShape.count == 1, "Standardization: examples of shape \(unread.exampleShape)")
        let total = Double(count)
        let mean = try sum(unread.sums(as: Scalar.self, part: part, of: parts, deviationsFrom: nil)).map { $0 / total }
        let variance = try sum(unread.sums(as: Scalar.self, part: part, of: parts, deviationsFrom: mean))
        return Standardization(mean: mean, scale: variance.map { $0 == 0 ? 1 : ($0 / total).squareRoot() })
    }

    /// Reads part `part` of `parts` of the rows still in their file (as `fittedStandardization` does), throwing for a NaN or
    /// infinite value; so the parts together check every row before training. Nothing for features in memory
    /// (checked when they were read).
    package func checkFinite(part: Int, of parts: Int) throws {
        guard case .file(let unread) = storage else { return }
        _ = try unread.sums(as: Scalar.self, part: part, of: parts, deviationsFrom: nil)
    }
}
