import ArgumentParser
import Foundation

/// Checks a report folder before an experiment runs, so that a bad path fails at once with a message
/// naming it instead of after minutes of training.
enum ReportDestination {
    @discardableResult
    static func check(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let parent = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        let manager = FileManager.default
        if manager.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError("--report: '\(path)' exists and is not a folder")
        }
        guard manager.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--report: the folder '\(parent.path)' that would hold '\(url.lastPathComponent)' does not exist")
        }
        guard manager.isWritableFile(atPath: parent.path) else {
            throw ValidationError("--report: cannot write into '\(parent.path)' (permission denied)")
        }
        return url
    }
}
