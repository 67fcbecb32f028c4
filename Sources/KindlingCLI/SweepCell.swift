import ArgumentParser
import Foundation
import Kindling

/// The JSON file one cell of a `compare-init` study writes (`--cell INIT:SEED --result FILE`): the whole
/// study's configuration, so that `kindling merge` can check that the cells belong together, and the run.
struct CellResult: Codable {
    static let currentFormat = "kindling compare-init cell 1"

    let format: String
    let configuration: InitializationComparison.Configuration
    let run: InitializationComparison.Run

    init(configuration: InitializationComparison.Configuration, run: InitializationComparison.Run) {
        format = Self.currentFormat
        var study = configuration
        study.showsProgress = false
        study.runsConcurrently = true
        self.configuration = study
        self.run = run
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Writes the result to `path` through a temporary file in the same folder and a rename, so that a
    /// reader never sees half a file.
    func write(to path: String) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        do {
            try Self.encoder().encode(self).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ValidationError("--result: cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    /// Reads a result file, naming the file in every error.
    static func read(_ path: String) throws -> CellResult {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("'\(path)': cannot read the file (\(error.localizedDescription))")
        }
        let result: CellResult
        do {
            result = try decoder().decode(CellResult.self, from: data)
        } catch {
            throw ValidationError("'\(path)': not a compare-init cell result (\(describe(error)))")
        }
        guard result.format == currentFormat else {
            throw ValidationError("'\(path)': format '\(result.format)' is not '\(currentFormat)'")
        }
        return result
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing key '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            let at = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (at.isEmpty ? "" : "at '\(at)': ") + context.debugDescription
        default:
            return "\(error)"
        }
    }
}

/// A word as a POSIX shell reads it back: unchanged when it is safe, else in single quotes.
func shellQuoted(_ word: String) -> String {
    let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./,:=+")
    if !word.isEmpty && word.unicodeScalars.allSatisfy({ safe.contains($0) }) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
