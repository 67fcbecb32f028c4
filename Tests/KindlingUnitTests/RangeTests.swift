import Kindling
import KindlingTestSupport
import XCTest

// Expected values come from Scripts/reference/numpy_ranges.py (Fixtures/numpy_ranges.json): numpy.arange
// and numpy.linspace in float64 and float32, stored as exact hexadecimal floats.

/// `arange` and `linspace` equal numpy's bit for bit (issue 10, section 4).
final class RangeTests: XCTestCase {
    private func cases(_ function: String, _ dtype: String) throws -> [[String: Any]] {
        let root = try XCTUnwrap(fixture("numpy_ranges.json") as? [String: Any])
        XCTAssertEqual(root["generator"] as? String, "Scripts/reference/numpy_ranges.py")
        return try XCTUnwrap((root[function] as? [String: Any])?[dtype] as? [[String: Any]])
    }

    private func value(_ hex: Any?) -> Double { Double(hex as! String)! }

    private func assertBitwiseEqual<S: BinaryFloatingPoint>(_ actual: [S], _ expected: [Any], _ label: String) {
        let expected = expected.map { S(value($0)) }
        XCTAssertEqual(actual.count, expected.count, label)
        XCTAssertEqual(
            actual.map { Double($0).bitPattern }, expected.map { Double($0).bitPattern },
            "\(label): \(actual) vs numpy \(expected)")
    }

    private func checkArange<S: TensorScalar>(_ type: S.Type, _ dtype: String, minimumCases: Int) throws {
        let cases = try cases("arange", dtype)
        XCTAssertGreaterThanOrEqual(cases.count, minimumCases)
        for c in cases {
            let (start, end, step) = (S(value(c["start"])), S(value(c["end"])), S(value(c["step"])))
            assertBitwiseEqual(
                Tensor<S>.arange(start, end, step: step).scalars, c["values"] as! [Any],
                "\(dtype) arange(\(start), \(end), step: \(step))")
        }
    }

    private func checkLinspace<S: TensorScalar>(_ type: S.Type, _ dtype: String, minimumCases: Int) throws {
        let cases = try cases("linspace", dtype)
        XCTAssertGreaterThanOrEqual(cases.count, minimumCases)
        for c in cases {
            let (start, end) = (S(value(c["start"])), S(value(c["end"])))
            let count = c["count"] as! Int
            let endpoint = c["endpoint"] as! Bool
            assertBitwiseEqual(
                Tensor<S>.linspace(start, end, count: count, endpoint: endpoint).scalars,
                c["values"] as! [Any], "\(dtype) linspace(\(start), \(end), count: \(count), endpoint: \(endpoint))")
        }
    }

    func testArangeEqualsNumpyBitForBit() throws {
        try checkArange(Double.self, "float64", minimumCases: 100)
        try checkArange(Float.self, "float32", minimumCases: 50)
    }

    func testLinspaceEqualsNumpyBitForBit() throws {
        try checkLinspace(Double.self, "float64", minimumCases: 70)
        try checkLinspace(Float.self, "float32", minimumCases: 30)
    }
}
