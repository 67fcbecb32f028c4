import Foundation

/// What a finished child process did: how it ended and what it wrote.
public struct ProcessOutcome: Sendable {
    /// The exit status, or the number of the signal that ended the process.
    public let status: Int32
    /// Whether the process exited (`.exit`) or a signal stopped it (`.uncaughtSignal`).
    public let reason: Process.TerminationReason
    /// Standard output, decoded as UTF-8.
    public let output: String
    /// Standard error, decoded as UTF-8.
    public let errors: String
}

/// A child process that did not finish in time (it was stopped).
public struct ProcessTimeout: Error, CustomStringConvertible {
    /// The command line that was run.
    public let command: [String]
    /// The time it was given, in seconds.
    public let seconds: Double
    /// What it had written to standard error when it was stopped.
    public let errors: String

    /// The command, the time it was given and its standard error so far.
    public var description: String {
        "\(command.joined(separator: " ")) did not finish in \(seconds) s; standard error so far:\n\(errors)"
    }
}

/// Standard output and error as the reader threads collect them; read only after they finished.
private final class Collected: @unchecked Sendable {
    var output = Data()
    var errors = Data()
}

/// Runs `executable` with `arguments` and waits for it, reading its standard output and error as it writes
/// them (both at once, so a child that fills one pipe never blocks).
///
/// - Parameters:
///   - environment: the child's whole environment; this process's when nil.
///   - input: written to the child's standard input, which is then closed; empty when nil.
///   - timeout: seconds after which the child is stopped (SIGTERM, then SIGKILL) and `ProcessTimeout` thrown.
///   - folder: the child's current folder; this process's when nil.
public func runProcess(
    _ executable: URL, arguments: [String] = [], environment: [String: String]? = nil, input: Data? = nil,
    timeout: Double = 900, in folder: URL? = nil
) throws -> ProcessOutcome {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let folder { process.currentDirectoryURL = folder }
    let output = Pipe()
    let errors = Pipe()
    let standardInput = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = input == nil ? FileHandle.nullDevice : standardInput
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()

    let collected = Collected()
    let readers = DispatchGroup()
    let outputReader = output.fileHandleForReading
    let errorReader = errors.fileHandleForReading
    DispatchQueue.global().async(group: readers) { collected.output = outputReader.readDataToEndOfFile() }
    DispatchQueue.global().async(group: readers) { collected.errors = errorReader.readDataToEndOfFile() }
    if let input {
        let writer = standardInput.fileHandleForWriting
        DispatchQueue.global().async(group: readers) {
            try? writer.write(contentsOf: input)
            try? writer.close()
        }
    }
    var timedOut = false
    if exited.wait(timeout: .now() + timeout) == .timedOut {
        timedOut = true
        process.terminate()
        if exited.wait(timeout: .now() + 10) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
        }
    }
    readers.wait()
    process.waitUntilExit()
    let errorText = String(decoding: collected.errors, as: UTF8.self)
    if timedOut {
        throw ProcessTimeout(command: [executable.path] + arguments, seconds: timeout, errors: errorText)
    }
    return ProcessOutcome(
        status: process.terminationStatus, reason: process.terminationReason,
        output: String(decoding: collected.output, as: UTF8.self), errors: errorText)
}
