import ArgumentParser
import Kindling

/// A subcommand that works with a model saved by `kindling train --save`: it opens the file and runs in the
/// model's own precision.
protocol SavedModelCommand: ParsableCommand {
    /// The checkpoint's path.
    var model: String { get }
    /// The command's work, in the precision the model was saved in.
    func run<Scalar: TensorScalar>(_ saved: SavedModel, as _: Scalar.Type) throws
}

extension SavedModelCommand {
    func run() throws {
        let saved = try SavedModel(path: model)
        switch saved.precision {
        case .float: try run(saved, as: Float.self)
        case .double: try run(saved, as: Double.self)
        }
    }
}
