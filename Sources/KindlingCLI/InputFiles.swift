import ArgumentParser
import Foundation

/// Why `path` cannot be read as a file, before anything else is tried: it does not exist, it is a folder, or
/// the system refuses to read it (the reason in the system's words); nil when it can be opened.
func unreadableFileReason(_ path: String) -> String? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
    if isDirectory.boolValue { return "is a folder, not a file" }
    guard access(path, R_OK) == 0 else { return "cannot be read: " + String(cString: strerror(errno)) }
    return nil
}

/// The non-blank lines of the UTF-8 text in `path` for the option `--option`: `-` (or `/dev/stdin`) reads
/// standard input to its end, and a named pipe is read to its end too. Each failure names the path and its
/// cause: a missing file, a folder, a file that cannot be opened, or bytes that are not UTF-8 (with the
/// offset and line of the first bad byte).
func readTextLines(_ path: String, option: String) throws -> [String] {
    let data: Data
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        if let reason = unreadableFileReason(path) { throw ValidationError("--\(option): '\(path)': \(reason)") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ValidationError("--\(option): '\(path)': cannot be opened: \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw ValidationError("--\(option): '\(path)': cannot be read: \((error as NSError).localizedDescription)")
        }
    }
    let bytes = [UInt8](data)
    if let offset = firstInvalidUTF8Offset(bytes) {
        let line = bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        throw ValidationError(
            "--\(option): '\(path == "-" ? "standard input" : path)' is not UTF-8 text "
                + "(byte \(offset), on line \(line), starts no valid UTF-8 character)")
    }
    return String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init).filter {
        !$0.allSatisfy(\.isWhitespace)
    }
}

/// The offset of the first byte of `bytes` that does not begin a valid UTF-8 sequence, or nil when all do.
func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
        switch parser.parseScalar(from: &iterator) {
        case .valid(let encoded): offset += encoded.count
        case .error: return offset
        case .emptyInput: return nil
        }
    }
}
