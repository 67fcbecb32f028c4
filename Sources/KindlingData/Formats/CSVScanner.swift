import Dispatch
import Foundation
import KindlingCore
import KindlingNN

/// The byte-level CSV parser behind `CSVTableFile`: records of text fields for the header and the first
/// rows, and a fast pass that turns the data rows into numbers without building strings.
struct CSVScanner: @unchecked Sendable {
    /// The text, kept alive by its owner (a `MappedBytes`) while the scanner is in use.
    package let bytes: UnsafeBufferPointer<UInt8>
    /// The byte between fields (a comma, semicolon, tab or pipe).
    let delimiter: UInt8
    /// The delimiter in each byte of a word, for finding it eight bytes at a time.
    private let delimiterWord: UInt64
    /// The byte besides the space that is skipped around fields: the tab, or the space again when the tab
    /// is the delimiter (where it cannot be padding).
    private let padding: UInt8
    /// The delimiter and decimal separator.
    let format: CSVFormat

    private static let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

    init(bytes: UnsafeBufferPointer<UInt8>, format: CSVFormat = CSVFormat()) {
        self.bytes = bytes
        delimiter = format.delimiter.byte
        delimiterWord = UInt64(delimiter) &* 0x0101_0101_0101_0101
        padding = delimiter == Self.tab ? Self.space : Self.tab
        self.format = format
    }

    /// Where the columns go: what each becomes, and whether number columns may have missing values.
    struct Layout {
        /// One per column.
        let kinds: [CSVColumnKind]
        /// Whether an empty field of a number column, or `NA`, `N/A` or `?`, is a missing value (NaN) instead
        /// of an error.
        let allowsMissing: Bool
        var columnCount: Int { kinds.count }
        var numberCount: Int { kinds.filter { $0 == .number }.count }
        var textCount: Int { kinds.filter { $0 == .text }.count }
    }

    /// The rows of the file: features row-major, the text columns' fields row-major and where each row starts.
    struct Rows {
        package var features: [Double] = []
        package var texts: [String] = []
        var rowOffsets: [Int] = []
    }

    /// What one contiguous part of the file held besides its features, which it writes in place.
    private struct Part {
        var rowCount = 0
        package var texts: [String] = []
        var rowOffsets: [Int] = []
    }

    /// Whether a field's text marks a missing value: empty, `NA`, `N/A` or `?` (pandas' commonest markers).
    static func isMissingMarker(_ text: String) -> Bool {
        text.isEmpty || text == "NA" || text == "N/A" || text == "?"
    }

    /// The number a field's text holds, with the decimal comma read as a point when the file uses one.
    func number(_ text: String) -> Double? { format.number(text) }

    /// A problem at a byte offset, turned into a `DataError` with line and column by `dataError`.
    struct Problem: Error {
        enum Kind {
            case missing, malformed, nonFinite
            case ragged(expected: Int, found: Int)
            case quoting
            case tooManyColumns
        }
        let kind: Kind
        package let offset: Int
        package let field: Int
        package let text: String

        func dataError(path: String, scanner: CSVScanner, columnNames: [String]) -> DataError {
            let (line, column) = scanner.location(of: offset)
            let name = field < columnNames.count ? "field \(field + 1) ('\(columnNames[field])')" : "field \(field + 1)"
            switch kind {
            case .missing: return .missingValue(path: path, line: line, column: column, field: name)
            case .malformed: return .malformedNumber(path: path, line: line, column: column, field: name, text: text)
            case .nonFinite: return .nonFinite(path: path, line: line, column: column, field: name, text: text)
            case .ragged(let expected, let found):
                return .raggedRow(path: path, line: line, expected: expected, found: found)
            case .quoting: return .badQuoting(path: path, line: line, column: column)
            case .tooManyColumns:
                return .limitExceeded(
                    path: path, reason: "line \(line) has more than \(ReadingLimits.maximumColumnCount) columns")
            }
        }
    }

    /// Line and column (from 1; the column counts characters, not bytes) of a byte offset.
    func location(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == Self.newline {
            line += 1
            lineStart = index + 1
        }
        let column = bytes[lineStart..<min(offset, bytes.count)].filter { $0 & 0xC0 != 0x80 }.count + 1
        return (line, column)
    }

    /// The offset of the first line at or after `offset` holding something other than spaces.
    func skipBlankLines(from offset: Int) -> Int {
        var lineStart = offset
        var index = offset
        while index < bytes.count {
            switch bytes[index] {
            case Self.space, Self.tab, Self.carriageReturn: index += 1
            case Self.newline:
                index += 1
                lineStart = index
            default: return lineStart
            }
        }
        return bytes.count
    }

    /// The text fields of the record starting at `offset`, and where the next record starts.
    package func record(at offset: Int) -> Result<(fields: [String], next: Int), Problem> {
        let buffer = bytes
        var fields: [String] = []
        var index = offset
        while true {
            let field: String
            switch readField(buffer, at: &index, fieldNumber: fields.count) {
            case .success(let text): field = text
            case .failure(let problem): return .failure(problem)
            }
            fields.append(field)
            guard fields.count <= ReadingLimits.maximumColumnCount else {
                return .failure(Problem(kind: .tooManyColumns, offset: offset, field: fields.count, text: ""))
            }
            if index < buffer.count, buffer[index] == delimiter {
                index += 1
                continue
            }
            return .success((fields, endOfLine(buffer, index)))
        }
    }

    /// Reads one field (quoted or not) as text, leaving `index` at the delimiter or line end after it.
    private func readField(_ buffer: UnsafeBufferPointer<UInt8>, at index: inout Int, fieldNumber: Int) -> Result<
        String, Problem
    > {
        while index < buffer.count, buffer[index] == Self.space || buffer[index] == padding { index += 1 }
        if index < buffer.count, buffer[index] == Self.quote {
            let opening = index
            var text: [UInt8] = []
            index += 1
            while true {
                guard index < buffer.count else {
                    return .failure(Problem(kind: .quoting, offset: opening, field: fieldNumber, text: ""))
                }
                if buffer[index] == Self.quote {
                    if index + 1 < buffer.count, buffer[index + 1] == Self.quote {
                        text.append(Self.quote)
                        index += 2
                        continue
                    }
                    index += 1
                    break
                }
                text.append(buffer[index])
                index += 1
            }
            while index < buffer.count,
                buffer[index] == Self.space || buffer[index] == padding || buffer[index] == Self.carriageReturn
            {
                index += 1
            }
            guard index == buffer.count || buffer[index] == delimiter || buffer[index] == Self.newline else {
                return .failure(Problem(kind: .quoting, offset: opening, field: fieldNumber, text: ""))
            }
            return .success(String(decoding: text, as: UTF8.self))
        }
        let start = index
        while index < buffer.count, buffer[index] != delimiter, buffer[index] != Self.newline { index += 1 }
        var end = index
        while end > start, [Self.space, padding, Self.carriageReturn].contains(buffer[end - 1]) { end -= 1 }
        return .success(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self))
    }

    /// The first delimiter or line break at or after `position` (or `end`), looked for eight bytes at a time.
    @inline(__always)
    private func delimiterOrNewline(from position: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> UnsafePointer<
        UInt8
    > {
        var position = position
        while end - position >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(position).loadUnaligned(as: UInt64.self))
            let found = Self.zeroBytes(word ^ delimiterWord) | Self.zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
            if found != 0 { return position + found.trailingZeroBitCount / 8 }
            position += 8
        }
        while position < end, position.pointee != delimiter, position.pointee != Self.newline { position += 1 }
        return position
    }

    /// The high bit of each byte of `word` that is zero, exact up to the first such byte (above it, a borrow
    /// can mark other bytes too).
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    /// The first byte at or after `position` that is not a space, padding tab or carriage return.
    @inline(__always)
    private func delimiter(after position: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> UnsafePointer<
        UInt8
    > {
        var position = position
        while position < end,
            position.pointee == Self.space || position.pointee == padding || position.pointee == Self.carriageReturn
        { position += 1 }
        return position
    }

    /// The offset after the line break at or after `index` (or the end of the file).
    private func endOfLine(_ buffer: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int {
        var index = index
        while index < buffer.count, buffer[index] != Self.newline { index += 1 }
        return min(index + 1, buffer.count)
    }

    /// Parses every data row from `offset` to the end. A large file without quotes is split at line
    /// breaks into one part per core, parsed concurrently; each part writes its features straight into its
    /// region of the result (sized by its count of line breaks, an upper bound on its rows), and the regions
    /// are closed up afterwards when blank lines left gaps.
    func parseRows(from offset: Int, layout: Layout) throws -> Rows {
        let length = bytes.count - offset
        let hasQuotes = memchr(bytes.baseAddress! + offset, Int32(Self.quote), length) != nil
        let partCount = hasQuotes || length < 1 << 20 ? 1 : ParallelChunks.coreCount
        var boundaries = [offset]
        for part in 1..<max(partCount, 1) {
            var cut = offset + length * part / partCount
            while cut < bytes.count, bytes[cut - 1] != Self.newline { cut += 1 }
            boundaries.append(max(cut, boundaries.last!))
        }
        boundaries.append(bytes.count)
        let ranges = (0..<boundaries.count - 1).map { boundaries[$0]..<boundaries[$0 + 1] }
        var maximumRows = [Int](repeating: 0, count: ranges.count)
        maximumRows.withUnsafeMutableBufferPointer { counts in
            nonisolated(unsafe) let counts = counts
            DispatchQueue.concurrentPerform(iterations: ranges.count) { part in
                // A row holds columnCount - 1 delimiters and ends at a line break: no more rows start in a
                // range than its bytes allow, however many blank lines it has.
                counts[part] = min(lineCount(ranges[part]), ranges[part].count / layout.columnCount + 1)
            }
        }
        let width = layout.numberCount
        let starts = maximumRows.indices.map { maximumRows[..<$0].reduce(0, +) * width }
        var results = [Result<Part, Problem>](repeating: .success(Part()), count: ranges.count)
        let features = [Double](unsafeUninitializedCapacity: maximumRows.reduce(0, +) * width) { buffer, count in
            let base = buffer.baseAddress
            results.withUnsafeMutableBufferPointer { slots in
                nonisolated(unsafe) let slots = slots
                nonisolated(unsafe) let base = base
                DispatchQueue.concurrentPerform(iterations: ranges.count) { part in
                    slots[part] = parse(ranges[part], layout: layout, into: base.map { $0 + starts[part] })
                }
            }
            count = 0
            for (part, result) in results.enumerated() {
                guard case .success(let rows) = result, let base else { return }
                if starts[part] != count {
                    (base + count).update(from: base + starts[part], count: rows.rowCount * width)
                }
                count += rows.rowCount * width
            }
        }
        var rows = Rows(features: features)
        for result in results {
            let part = try result.get()
            rows.texts += part.texts
            rows.rowOffsets += part.rowOffsets
        }
        return rows
    }

    /// The number of lines that start in `range`: its line breaks, plus one for a last line without one.
    private func lineCount(_ range: Range<Int>) -> Int {
        let buffer = UnsafeBufferPointer(rebasing: bytes[range])
        var count = 0
        var position = buffer.baseAddress!
        let end = position + buffer.count
        while position < end, let found = memchr(position, Int32(Self.newline), end - position) {
            count += 1
            position = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) + 1
        }
        return count + (range.isEmpty || bytes[range.upperBound - 1] == Self.newline ? 0 : 1)
    }

    /// The rows whose records start in `range`.
    /// Writes the features to `output`, row after row.
    private func parse(_ range: Range<Int>, layout: Layout, into output: UnsafeMutablePointer<Double>?) -> Result<
        Part, Problem
    > {
        let buffer = bytes
        var part = Part()
        var written = 0
        part.rowOffsets.reserveCapacity(range.count / max(1, layout.columnCount * 4))
        let base = buffer.baseAddress!
        let bufferEnd = base + buffer.count
        // The columns' kinds behind a pointer: read once per field, without a bounds check.
        let kinds = UnsafeMutablePointer<CSVColumnKind>.allocate(capacity: layout.columnCount)
        kinds.initialize(from: layout.kinds, count: layout.columnCount)
        defer { kinds.deallocate() }
        let allowsMissing = layout.allowsMissing
        var index = skipBlankLines(from: range.lowerBound)
        while index < range.upperBound {
            part.rowOffsets.append(index)
            for column in 0..<layout.columnCount {
                while index < buffer.count, buffer[index] == Self.space || buffer[index] == padding { index += 1 }
                let fieldStart = index
                let kind = kinds[column]
                // The field's end is found apart from its number, so that the next field does not wait
                // for this one's digits to be read: the parses of neighbouring fields overlap.
                if kind == .number,
                    case let fieldEnd = delimiterOrNewline(from: base + fieldStart, end: bufferEnd),
                    let (value, stop) = scanDecimal(base + fieldStart, end: bufferEnd),
                    delimiter(after: stop, end: bufferEnd) == fieldEnd
                {
                    output![written] = value
                    written += 1
                    index = fieldEnd - base
                } else if kind != .number || (index < buffer.count && buffer[index] == Self.quote) {
                    var text: String
                    switch readField(buffer, at: &index, fieldNumber: column) {
                    case .success(let value): text = value
                    case .failure(let problem): return .failure(problem)
                    }
                    if kind == .text {
                        part.texts.append(text)
                    } else if kind == .number {
                        text = text.trimmingCharacters(in: .whitespaces)
                        switch numberField(text, offset: fieldStart, column: column, allowsMissing: allowsMissing) {
                        case .success(let value): output![written] = value
                        case .failure(let problem): return .failure(problem)
                        }
                        written += 1
                    }
                } else {
                    while index < buffer.count, buffer[index] != delimiter, buffer[index] != Self.newline {
                        index += 1
                    }
                    var end = index
                    while end > fieldStart,
                        buffer[end - 1] == Self.space || buffer[end - 1] == padding
                            || buffer[end - 1] == Self.carriageReturn
                    { end -= 1 }
                    if end > fieldStart, let value = parseDecimal(base + fieldStart, count: end - fieldStart),
                        value.isFinite
                    {
                        output![written] = value
                    } else {
                        let text = String(
                            decoding: UnsafeBufferPointer(rebasing: buffer[fieldStart..<end]), as: UTF8.self)
                        switch numberField(text, offset: fieldStart, column: column, allowsMissing: allowsMissing) {
                        case .success(let value): output![written] = value
                        case .failure(let problem): return .failure(problem)
                        }
                    }
                    written += 1
                }
                let atDelimiter = index < buffer.count && buffer[index] == delimiter
                if column < layout.columnCount - 1 {
                    guard atDelimiter else {
                        return .failure(
                            Problem(
                                kind: .ragged(expected: layout.columnCount, found: column + 1),
                                offset: part.rowOffsets.last!, field: column, text: ""))
                    }
                    index += 1
                } else if atDelimiter {
                    var found = layout.columnCount
                    var scan = index
                    while scan < buffer.count, buffer[scan] != Self.newline {
                        if buffer[scan] == delimiter { found += 1 }
                        scan += 1
                    }
                    return .failure(
                        Problem(
                            kind: .ragged(expected: layout.columnCount, found: found),
                            offset: part.rowOffsets.last!, field: column, text: ""))
                }
            }
            index = skipBlankLines(from: endOfLine(buffer, index))
        }
        part.rowCount = part.rowOffsets.count
        return .success(part)
    }

    /// The value of a number column's field that the fast paths did not read: a decimal comma, a missing
    /// value (NaN when allowed), or the problem with it.
    private func numberField(_ text: String, offset: Int, column: Int, allowsMissing: Bool) -> Result<
        Double, Problem
    > {
        if Self.isMissingMarker(text) {
            guard allowsMissing else {
                return .failure(
                    Problem(kind: text.isEmpty ? .missing : .malformed, offset: offset, field: column, text: text))
            }
            return .success(.nan)
        }
        guard let value = number(text) else {
            return .failure(Problem(kind: .malformed, offset: offset, field: column, text: text))
        }
        guard value.isFinite else {
            return .failure(Problem(kind: .nonFinite, offset: offset, field: column, text: text))
        }
        return .success(value)
    }
}
