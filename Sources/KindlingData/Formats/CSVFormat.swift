import Foundation

/// The byte between the fields of a delimited text file.
public enum CSVDelimiter: String, Sendable, Codable, CaseIterable {
    case comma = ","
    case semicolon = ";"
    case tab = "\t"
    case pipe = "|"

    /// The delimiter's byte.
    var byte: UInt8 { rawValue.utf8.first! }

    /// The delimiter as written on a command line: `,`, `;`, `tab` or `|`.
    public var name: String { self == .tab ? "tab" : rawValue }

    /// The delimiter written as `,`, `;`, `|`, `tab` (or a tab character), `comma`, `semicolon` or `pipe`.
    public init?(name: String) {
        switch name {
        case ",", "comma": self = .comma
        case ";", "semicolon": self = .semicolon
        case "\t", "tab", "\\t": self = .tab
        case "|", "pipe": self = .pipe
        default: return nil
        }
    }
}

/// The character between a number's whole and fractional parts.
public enum DecimalSeparator: String, Sendable, Codable, CaseIterable {
    /// `3.14`.
    case point = "."
    /// `3,14`, as written where the semicolon separates fields.
    case comma = ","
}

/// How a delimited file is written: the delimiter between fields and the decimal separator of its numbers.
///
/// `sniffed(from:)` guesses both from the first lines of a file, as Python's `csv.Sniffer` does for the
/// delimiter: the candidate (comma, semicolon, tab, pipe) that occurs the same number of times, outside quotes,
/// on each of the first lines.
///
/// ```swift
/// let format = CSVFormat.sniffed(from: Array("a;b;c\n1,5;2,0;x\n".utf8))
/// format.delimiter          // .semicolon
/// format.decimalSeparator   // .comma
/// ```
public struct CSVFormat: Sendable, Equatable, Codable {
    /// The byte between fields.
    public var delimiter: CSVDelimiter
    /// The decimal separator of the numbers; `.comma` needs a delimiter other than the comma.
    public var decimalSeparator: DecimalSeparator

    /// A format from its parts: RFC 4180's comma and decimal point by default.
    public init(delimiter: CSVDelimiter = .comma, decimalSeparator: DecimalSeparator = .point) {
        self.delimiter = delimiter
        self.decimalSeparator = decimalSeparator
    }

    /// The lines looked at, and the bytes they may span.
    static let sniffedLines = 20
    static let sniffedBytes = 1 << 16

    /// The format of the file whose bytes begin with `bytes`, from its first 20 lines (at most 64 KiB).
    ///
    /// The delimiter is the candidate found on every line (outside quotes) the same number of times, the
    /// most often; ties go to the semicolon, tab and pipe before the comma (a semicolon file with decimal
    /// commas can have as many commas as semicolons). When no candidate occurs the same number of times on
    /// every line, the one whose fewest occurrences on a line are the most; the comma when none occurs (a file
    /// of one column). `delimiter` forces the delimiter. The decimal separator is the comma when the delimiter
    /// is not one and some field is written as digits, a comma and digits ("1,5") while none is written with
    /// a decimal point ("1.5").
    public static func sniffed(from bytes: some Collection<UInt8>, delimiter: CSVDelimiter? = nil) -> CSVFormat {
        let lines = firstLines(of: bytes)
        let chosen = delimiter ?? sniffDelimiter(lines)
        guard chosen != .comma else { return CSVFormat(delimiter: chosen) }
        var commaNumbers = false
        var pointNumbers = false
        for line in lines {
            for field in line.split(separator: chosen.byte, omittingEmptySubsequences: false) {
                let text = String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                if parts.count == 2, parts[1].allSatisfy(\.isNumber), !parts[1].isEmpty,
                    parts[0].drop(while: { $0 == "-" || $0 == "+" }).allSatisfy(\.isNumber)
                {
                    commaNumbers = true
                } else if text.contains("."), text.decimalValue != nil {
                    pointNumbers = true
                }
            }
        }
        return CSVFormat(delimiter: chosen, decimalSeparator: commaNumbers && !pointNumbers ? .comma : .point)
    }

    /// The first non-blank lines of `bytes`, each without its line break (a line break inside quotes does
    /// not end a line).
    private static func firstLines(of bytes: some Collection<UInt8>) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        var quoted = false
        for byte in bytes.prefix(sniffedBytes) {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if byte == UInt8(ascii: "\n") && !quoted {
                if line.contains(where: { $0 > 32 }) { lines.append(line) }
                line = []
                if lines.count == sniffedLines { return lines }
            } else if byte != UInt8(ascii: "\r") {
                line.append(byte)
            }
        }
        if line.contains(where: { $0 > 32 }) { lines.append(line) }
        return lines
    }

    /// The delimiter of `lines` (see `sniffed(from:delimiter:)`).
    private static func sniffDelimiter(_ lines: [[UInt8]]) -> CSVDelimiter {
        let candidates: [CSVDelimiter] = [.semicolon, .tab, .pipe, .comma]
        func counts(_ candidate: CSVDelimiter) -> [Int] {
            lines.map { line in
                var quoted = false
                var count = 0
                for byte in line {
                    if byte == UInt8(ascii: "\"") { quoted.toggle() }
                    if byte == candidate.byte && !quoted { count += 1 }
                }
                return count
            }
        }
        let found = candidates.map { (delimiter: $0, counts: counts($0)) }
        let consistent = found.filter { Set($0.counts).count == 1 && ($0.counts.first ?? 0) > 0 }
        if let best = consistent.max(by: { $0.counts[0] < $1.counts[0] }) {
            return consistent.first { $0.counts[0] == best.counts[0] }!.delimiter
        }
        let fewest = found.map { (delimiter: $0.delimiter, fewest: $0.counts.min() ?? 0) }
        if let best = fewest.max(by: { $0.fewest < $1.fewest }), best.fewest > 0 {
            return fewest.first { $0.fewest == best.fewest }!.delimiter
        }
        return .comma
    }
}

/// What a column of a CSV file becomes when it is read.
public enum CSVColumnKind: Sendable, Equatable {
    /// A number per row (a feature).
    case number
    /// The field's text (the label, or a categorical feature).
    case text
    /// Nothing: the column is not read (an ID column, or one the model does not use).
    case skipped
}
