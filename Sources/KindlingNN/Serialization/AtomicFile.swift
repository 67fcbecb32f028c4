import Foundation

#if canImport(Glibc)
    import Glibc
    import KindlingCore
#endif

/// Writes a file so that readers see either the previous file or the complete new one: the bytes go to
/// a temporary file in the same folder (a rename is atomic only within one file system), which is flushed
/// with fsync and then renamed over the destination; the folder is flushed too, so that the rename
/// survives a crash. On failure the temporary file is removed and the destination is untouched.
enum AtomicFile {
    /// Where `write(to:_:)` sends the bytes.
    struct Sink {
        fileprivate let descriptor: Int32
        fileprivate let path: String

        /// Appends `bytes`, retrying short writes and interruptions.
        package func write(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let written = Glibc.write(descriptor, raw.baseAddress! + done, raw.count - done)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw SafeTensorsError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
                    }
                    done += written
                }
            }
        }
    }

    /// Writes what `body` sends to the sink into `url`, atomically.
    ///
    /// - Throws: `SafeTensorsError.cannotWrite` naming `url` and the system's reason.
    package static func write(to url: URL, _ body: (Sink) throws -> Void) throws {
        let destination = url.standardizedFileURL.path
        let folder = (destination as NSString).deletingLastPathComponent
        let name = (destination as NSString).lastPathComponent
        func failure(_ reason: String) -> SafeTensorsError { .cannotWrite(path: destination, reason: reason) }
        func systemReason() -> String { String(cString: strerror(errno)) }

        var template = Array("\(folder)/.\(name).tmp-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw failure("cannot create a temporary file in \(folder): \(systemReason())") }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do {
            defer { close(descriptor) }
            try body(Sink(descriptor: descriptor, path: destination))
            guard fchmod(descriptor, 0o666 & ~creationMask) == 0 else { throw failure("chmod: \(systemReason())") }
            guard fsync(descriptor) == 0 else { throw failure("fsync: \(systemReason())") }
        }
        guard rename(temporary, destination) == 0 else { throw failure("rename: \(systemReason())") }
        renamed = true
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    /// The process's file-creation mask (mkstemp creates files readable by their owner only, where
    /// `open` would have applied the umask to 0666), read once.
    private static let creationMask: mode_t = {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }()
}
