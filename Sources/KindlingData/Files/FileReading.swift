import Foundation

/// The file at `url` opened for reading, with its size, or a `DataError` naming it when it is missing, a
/// folder or unreadable. The caller closes the descriptor.
func openForReading(_ url: URL) throws -> (descriptor: Int32, size: Int) {
    let path = url.path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw DataError.fileNotFound(path: path)
    }
    if isDirectory.boolValue { throw DataError.unreadable(path: path, reason: "it is a folder") }
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw DataError.unreadable(path: path, reason: String(cString: strerror(errno))) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
        let reason = String(cString: strerror(errno))
        close(descriptor)
        throw DataError.unreadable(path: path, reason: reason)
    }
    return (descriptor, Int(status.st_size))
}

/// The bytes of a file, or a `DataError` naming it when it is missing or unreadable. Read with POSIX
/// `read` straight into the array (one copy fewer than going through `Data`).
func readBytes(_ url: URL) throws -> [UInt8] {
    let path = url.path
    let (descriptor, size) = try openForReading(url)
    defer { close(descriptor) }
    var failure: String?
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        count = 0
        while count < size {
            let done = read(descriptor, buffer.baseAddress! + count, size - count)
            if done < 0 && errno == EINTR { continue }
            if done < 0 { failure = String(cString: strerror(errno)) }
            if done <= 0 { break }
            count += done
        }
    }
    if let failure { throw DataError.unreadable(path: path, reason: failure) }
    return bytes
}

/// The bytes of a file that may be at most `limit` bytes long (a configuration file), or a `DataError`
/// naming it when it is missing, unreadable or longer (`limitExceeded`, before anything is read).
package func readBytes(_ url: URL, atMost limit: Int) throws -> [UInt8] {
    let (descriptor, size) = try openForReading(url)
    close(descriptor)
    guard size <= limit else {
        throw DataError.limitExceeded(path: url.path, reason: "\(size) bytes, more than the \(limit) it may have")
    }
    return try readBytes(url)
}
