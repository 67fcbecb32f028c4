import ArgumentParser
import Foundation
import Kindling

/// The options that say where examples are and how to read them (train, evaluate, predict, compare-init).
struct DataOptions: ParsableArguments {
    @Option(
        help:
            "The examples: a CSV file (features and a label column), or an NPY or IDX file (plain or .gz) of features.")
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

    var csvHeader: CSVHeader { header.map { $0 ? .present : .absent } ?? .detect }

    var labelColumnSelection: LabelColumn {
        guard let labelColumn else { return .last }
        if let index = Int(labelColumn) { return .index(index) }
        return .name(labelColumn)
    }

    /// The features file with its labels.
    func read() throws -> RawExamples {
        try RawExamples(
            contentsOf: URL(fileURLWithPath: data), labels: labels.map { URL(fileURLWithPath: $0) },
            header: csvHeader, label: labelColumnSelection)
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

/// A number for tables: up to 4 decimals.
func formatted(_ value: Double) -> String { String(format: "%.4f", value) }
