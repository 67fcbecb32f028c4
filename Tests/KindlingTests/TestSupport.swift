import Foundation
import XCTest
import Kindling

/// Asserts that two arrays have equal length and agree element-wise within `tolerance`.
func assertClose<S: BinaryFloatingPoint>(
    _ actual: [S], _ expected: [S], tolerance: S, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "length differs \(message)", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(Swift.abs(a - e) <= tolerance) {
        XCTFail("element \(i): \(a) vs expected \(e) (tolerance \(tolerance)) \(message)", file: file, line: line)
        return
    }
}

/// Reads a JSON fixture from Tests/KindlingTests/Fixtures.
func fixture(_ name: String) throws -> Any {
    guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
        throw NSError(domain: "fixture", code: 1, userInfo: [NSLocalizedDescriptionKey: "missing fixture \(name)"])
    }
    return try JSONSerialization.jsonObject(with: Data(contentsOf: url))
}
