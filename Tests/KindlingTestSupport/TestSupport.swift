import Foundation
import XCTest

/// Asserts that two arrays have equal length and agree element-wise within `tolerance`.
public func assertClose<S: BinaryFloatingPoint>(
    _ actual: [S], _ expected: [S], tolerance: S, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "length differs \(message)", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(Swift.abs(a - e) <= tolerance) {
        XCTFail("element \(i): \(a) vs expected \(e) (tolerance \(tolerance)) \(message)", file: file, line: line)
        return
    }
}

/// The file or folder at `path` inside Tests/KindlingTestSupport/Fixtures (as "torch_init.json" or
/// "datasets/iris.csv"); throws naming the path when it is missing.
public func fixtureURL(_ path: String) throws -> URL {
    guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the Fixtures resource is missing"])
    }
    let url = root.appendingPathComponent(path)
    guard FileManager.default.fileExists(atPath: url.path) else {
        throw CocoaError(
            .fileNoSuchFile,
            userInfo: [
                NSFilePathErrorKey: url.path,
                NSLocalizedDescriptionKey: "missing fixture \(path)",
            ])
    }
    return url
}

/// Reads a JSON fixture from Tests/KindlingTestSupport/Fixtures.
public func fixture(_ name: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL(name)))
}

extension XCTestCase {
    /// A new empty folder under the system's temporary directory, removed with everything in it (even
    /// what the test made read-only) when the test ends.
    public func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kindling-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock {
            chmod(url.path, 0o755)
            let contents = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isDirectoryKey])
            while let item = contents?.nextObject() as? URL {
                let isFolder = (try? item.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true
                if isFolder { chmod(item.path, 0o755) }
            }
            try? FileManager.default.removeItem(at: url)
        }
        return url
    }

    /// Runs the `kindling` executable built beside the tests with `arguments`, as a user would.
    public func kindling(_ arguments: String...) throws -> ProcessOutcome {
        try Products.kindling(arguments: arguments)
    }

    /// Runs the `kindling` executable built beside the tests with `arguments`, in `environment` when given
    /// (this process's otherwise).
    public func kindling(arguments: [String], environment: [String: String]? = nil) throws -> ProcessOutcome {
        try Products.kindling(arguments: arguments, environment: environment)
    }
}
