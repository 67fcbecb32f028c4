import Foundation
import KindlingCore

/// A problem with a labeled text file, naming the file and line.
public enum LabeledTextError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be read as UTF-8.
    case unreadable(path: String, reason: String)
    /// A line has no tab between label and text, or an empty label or text.
    case malformedLine(path: String, line: Int, text: String)
    /// The file holds no labeled lines.
    case empty(path: String)
    /// A label of the test file does not occur in the training file.
    case unknownLabel(path: String, line: Int, label: String)

    /// What went wrong, with file and line.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot be read (\(reason))"
        case .malformedLine(let path, let line, let text):
            return "\(path):\(line): expected 'label<TAB>text', got '\(text)'"
        case .empty(let path): return "\(path): no labeled lines"
        case .unknownLabel(let path, let line, let label):
            return "\(path):\(line): label '\(label)' does not occur in the training file"
        }
    }
}

/// Sentences with class labels, read from a file of `label<TAB>text` lines (empty lines skipped).
public struct LabeledTexts: Sendable {
    /// The sentences.
    public let texts: [String]
    /// The class of each sentence, an index into `classNames`.
    public let labels: [Int]
    /// The class names; index i is class i.
    public let classNames: [String]

    /// The file's sentences; the classes are `classNames` when given (a label outside them is an
    /// error), otherwise the file's labels in sorted order.
    public init(contentsOf url: URL, classNames known: [String]? = nil) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw LabeledTextError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        var rows: [(line: Int, label: String, text: String)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.allSatisfy(\.isWhitespace) { continue }
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].allSatisfy(\.isWhitespace) else {
                throw LabeledTextError.malformedLine(path: url.path, line: index + 1, text: String(line))
            }
            rows.append((index + 1, String(parts[0]), String(parts[1])))
        }
        guard !rows.isEmpty else { throw LabeledTextError.empty(path: url.path) }
        let names = known ?? Array(Set(rows.map(\.label))).sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, $0.offset) })
        labels = try rows.map { row in
            guard let label = index[row.label] else {
                throw LabeledTextError.unknownLabel(path: url.path, line: row.line, label: row.label)
            }
            return label
        }
        texts = rows.map(\.text)
        classNames = names
    }
}
