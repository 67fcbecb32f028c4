import Foundation
import XCTest

/// The folder of all-MiniLM-L6-v2 that Scripts/fetch-encoder fills, found by the same rule:
/// ${KINDLING_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kindling}/encoders/all-MiniLM-L6-v2.
/// A missing folder fails the test with the command that fetches it (the test never skips).
public func encoderFolder(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
    let environment = ProcessInfo.processInfo.environment
    let cache =
        environment["KINDLING_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
        ?? ((environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache") + "/kindling")
    let folder = URL(fileURLWithPath: cache).appendingPathComponent("encoders/all-MiniLM-L6-v2")
    guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path) else {
        let message = "all-MiniLM-L6-v2 is missing from \(folder.path): run Scripts/fetch-encoder (Scripts/test does)"
        XCTFail(message, file: file, line: line)
        throw NSError(domain: "encoderFolder", code: 1, userInfo: [NSLocalizedDescriptionKey: message])
    }
    return folder
}
