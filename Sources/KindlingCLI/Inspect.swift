import ArgumentParser
import Foundation
import Kindling

/// `kindling inspect FILE`: what a safetensors file holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the tensors (key, dtype, shape), the number of values and the metadata of a safetensors file.",
        discussion:
            "Every part of the file is checked; a malformed file is reported with the problem and the key, and a non-zero exit."
    )

    @Argument(help: "The .safetensors file.")
    var file: String

    func run() throws {
        let contents: SafeTensors
        if let reason = unreadableFileReason(file) {
            throw InspectError(description: "\(file): cannot read it (\(reason))")
        }
        do {
            contents = try SafeTensors.read(from: URL(fileURLWithPath: file))
        } catch {
            throw InspectError(description: "\(file): \(error)")
        }
        let keys = contents.tensors.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let total = contents.tensors.values.reduce(0) { $0 + $1.elementCount }
        let bytes = contents.tensors.values.reduce(0) { $0 + $1.bytes.count }
        var perType: [SafeTensorsDType: Int] = [:]
        for entry in contents.tensors.values { perType[entry.dtype, default: 0] += entry.elementCount }
        let breakdown = perType.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
        print(
            "\(file): \(keys.count) tensors, \(total) values (\(breakdown.joined(separator: ", "))), \(bytes) bytes of data"
        )
        if !contents.metadata.isEmpty {
            print("metadata:")
            for (key, value) in contents.metadata.sorted(by: { $0.key < $1.key }) { print("  \(key): \(value)") }
        }
        let width = max(3, keys.map(\.count).max() ?? 0)
        print("key".padding(toLength: width, withPad: " ", startingAt: 0) + "  dtype    shape")
        for key in keys {
            let entry = contents.tensors[key]!
            print(
                key.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + entry.dtype.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0) + "  \(entry.shape)")
        }
    }
}

/// A file that cannot be inspected, named with the reason.
struct InspectError: Error, CustomStringConvertible {
    let description: String
}
