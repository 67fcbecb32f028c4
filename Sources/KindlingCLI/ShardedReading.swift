import Foundation
import Kindling
import KindlingDistributed

/// A file of training examples as `train` describes and reads it: read whole (`RawExamples`), or, under MPI,
/// read by rows (`ExampleRowsFile`).
protocol ExamplesFile {
    var path: String { get }
    var count: Int { get }
    var exampleShape: [Int] { get }
    var featureCount: Int { get }
    var featureNames: [String] { get }
    var labelName: String? { get }
    var labels: [String]? { get }
    var table: TablePreprocessing? { get }

    /// The labeled examples, each of shape `shape` (a reshaping of `exampleShape`).
    func examples<Scalar: TensorScalar>(as _: Scalar.Type, shape: [Int], task: Task, classes: ClassEncoding?) throws
        -> LabeledExamples<Scalar>
}

extension RawExamples: ExamplesFile {
    func examples<Scalar: TensorScalar>(as _: Scalar.Type, shape: [Int], task: Task, classes: ClassEncoding?) throws
        -> LabeledExamples<Scalar>
    {
        var examples = try LabeledExamples<Scalar>(self, task: task, classes: classes)
        examples.features = examples.features.reshaped([count] + shape)
        return examples
    }
}

extension ExampleRowsFile: ExamplesFile {
    var labelName: String? { nil }
    var table: TablePreprocessing? { nil }

    func examples<Scalar: TensorScalar>(as _: Scalar.Type, shape: [Int], task: Task, classes: ClassEncoding?) throws
        -> LabeledExamples<Scalar>
    {
        try LabeledExamples(rowsOf: self, exampleShape: shape, task: task, classes: classes)
    }
}

extension DataOptions {
    /// Under MPI (`world`), --data opened to be read by rows, so that each rank reads only the rows it uses: an NPY file in C order
    /// or an uncompressed IDX file. Nil in one process, for standard input, and for the files that are read
    /// whole (CSV, gzip-compressed IDX, Fortran-order NPY).
    func rowsToShare(among world: Communicator?, resuming saved: SavedModel?) throws -> ExampleRowsFile? {
        guard world != nil, data != "-", saved?.specification.table == nil else { return nil }
        return try ExampleRowsFile(
            contentsOf: URL(fileURLWithPath: data), labels: labels.map { URL(fileURLWithPath: $0) })
    }
}

extension LabeledExamples {
    /// The features' standardization; for examples read by rows under MPI, fitted by the ranks together, each reading
    /// its part of the rows and checking them (`fittedStandardization(part:of:sum:)`, the sums added by
    /// allreduce).
    func fittedStandardization(sharedBy world: Communicator?) throws -> Standardization {
        try fittedStandardization(part: world?.rank ?? 0, of: world?.size ?? 1) { sums in
            guard let world else { return sums }
            return try world.allreduce(Tensor<Double>(shape: [sums.count], scalars: sums)).scalars
        }
    }

    /// Under MPI, each rank checks its part of the rows still in their file for NaN and infinity (together: every row).
    func checkFinite(sharedBy world: Communicator?) throws {
        try checkFinite(part: world?.rank ?? 0, of: world?.size ?? 1)
    }
}
