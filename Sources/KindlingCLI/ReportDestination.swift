import ArgumentParser
import Foundation

/// Checks a report folder before an experiment runs, so that a bad path fails at once with a message
/// naming it and the reason instead of after minutes of training.
///
/// The check does what writing the report will do: it creates the folder (its parent must exist) and a
/// probe file in it, then removes the probe. Permission bits alone would not do: as root every folder
/// looks writable, yet `/proc/x` cannot be created. A folder the check created is removed again, so a run
/// that fails or is interrupted later leaves nothing on disk; `Report.write` creates it with the report.
/// Under `mpirun`, only rank 0 checks (it alone writes).
enum ReportDestination {
    @discardableResult
    static func check(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        // Under MPI only rank 0 writes the report: the other ranks must not race it for the probe.
        guard DataParallelRun.isPrimary else { return url }
        let parent = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        let manager = FileManager.default
        let existed = manager.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if existed, !isDirectory.boolValue {
            throw ValidationError("--report: '\(path)' exists and is not a folder")
        }
        if !existed {
            guard manager.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError(
                    "--report: the folder '\(parent.path)' that would hold '\(url.lastPathComponent)' does not exist")
            }
            guard mkdir(url.path, 0o777) == 0 else {
                throw ValidationError("--report: cannot create the folder '\(url.path)': \(lastSystemError())")
            }
        }
        defer { if !existed { rmdir(url.path) } }
        if let reason = fileCreationFailure(in: url.path) {
            throw ValidationError("--report: cannot write a file into '\(url.path)': \(reason)")
        }
        return url
    }
}

/// Creates and removes a probe file in `folder`, as writing a result there will; nil when that works, else
/// the system's reason ("No such file or directory" under /proc, "Permission denied", "Read-only file
/// system"). Permission bits alone do not tell: as root every folder looks writable.
func fileCreationFailure(in folder: String) -> String? {
    let probe = (folder as NSString).appendingPathComponent(".kindling-write-check-\(getpid())")
    let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard descriptor >= 0 else { return lastSystemError() }
    close(descriptor)
    unlink(probe)
    return nil
}

/// The system's words for the last failed call's errno ("No such file or directory").
func lastSystemError() -> String { String(cString: strerror(errno)) }
