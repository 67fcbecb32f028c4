import Foundation

/// What every fuzz target shares: a scratch folder of its own (in /dev/shm when there is one) where an
/// input is written as the file a reader opens.
enum FuzzScratch {
    /// The folder, made once per process.
    static let folder: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let url = URL(fileURLWithPath: base).appendingPathComponent("kindling-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzScratch.folder.path) }
        return url
    }()

    /// Writes `bytes` to `name` in the folder and returns its URL.
    static func file(_ name: String, _ bytes: UnsafeRawBufferPointer) -> URL {
        let url = folder.appendingPathComponent(name)
        try? Data(bytes).write(to: url)
        return url
    }
}
