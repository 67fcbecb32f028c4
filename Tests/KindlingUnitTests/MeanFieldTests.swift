import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Mean-field signal propagation (`MeanField`) against Scripts/reference/scipy_mean_field.py (adaptive and
/// trapezoidal quadrature in scipy, not Gauss–Hermite) and against the paper's limits.
final class MeanFieldTests: XCTestCase {
    static let rule = GaussHermiteRule(nodeCount: 300)

    func testGaussHermiteIntegratesPolynomialsExactly() {
        let rule = GaussHermiteRule(nodeCount: 20)
        XCTAssertEqual(rule.nodes.count, 20)
        // E[z^(2k)] = (2k − 1)!!; odd moments vanish.
        let moments: [Double] = [1, 0, 1, 0, 3, 0, 15, 0, 105, 0, 945, 0, 10395]
        for (power, expected) in moments.enumerated() {
            let value = rule.expectation { pow($0, Double(power)) }
            XCTAssertEqual(value, expected, accuracy: 1e-12 * max(1, expected), "E[z^\(power)]")
        }
        XCTAssertEqual(rule.jointExpectation { z1, z2 in z1 * z1 * z2 * z2 + z1 * z2 }, 1, accuracy: 1e-13)
        XCTAssertEqual(Self.rule.expectation { Foundation.tanh($0) }, 0)
    }

    func testFixedPointsAndDepthScalesMatchTheReferenceScript() throws {
        let reference = try XCTUnwrap(fixture("scipy_mean_field.json") as? [String: Any])
        let points = try XCTUnwrap(reference["points"] as? [[String: Any]])
        XCTAssertEqual(points.count, 65)
        for point in points {
            let activation = try XCTUnwrap(MeanField.Activation(rawValue: point["activation"] as! String))
            let weightVariance = point["weight_variance"] as! Double
            let biasVariance = point["bias_variance"] as! Double
            let label = "\(activation) σ_w² \(weightVariance) σ_b² \(biasVariance)"
            let result = MeanField(
                activation: activation, weightVariance: weightVariance, biasVariance: biasVariance, rule: Self.rule
            ).fixedPoint()
            let pairs: [(String, Double)] = [
                ("q_star", result.q), ("c_star", result.c), ("chi1", result.chi1), ("chi_c", result.chiC),
                ("xi_q", result.lengthDepth), ("xi_c", result.correlationDepth),
            ]
            for (key, actual) in pairs {
                try assertMatches(actual, point[key], "\(label) \(key)")
            }
        }
    }

    func testTheEdgeOfChaosMatchesTheReferenceScript() throws {
        let reference = try XCTUnwrap(fixture("scipy_mean_field.json") as? [String: Any])
        for line in try XCTUnwrap(reference["critical"] as? [[String: Any]]) {
            let biasVariance = line["bias_variance"] as! Double
            let critical = try XCTUnwrap(
                MeanField.criticalWeightVariance(activation: .tanh, biasVariance: biasVariance, rule: Self.rule))
            guard biasVariance > 0 else { continue }  // the paper's σ_w² = 1, checked in the next test
            try assertMatches(critical, line["weight_variance"], "critical σ_w² at σ_b² \(biasVariance)")
        }
    }

    func testTwoInputsLayerByLayerMatchTheReferenceScript() throws {
        let reference = try XCTUnwrap(fixture("scipy_mean_field.json") as? [String: Any])
        let layers = try XCTUnwrap(reference["layers"] as? [String: Any])
        let values = try XCTUnwrap(layers["values"] as? [[String: Double]])
        let theory = MeanField(activation: .tanh, weightVariance: 2, biasVariance: 0.05, rule: Self.rule)
        let predicted = theory.layers(
            inputs: (1, 0.5, 0.3), weightVariances: Array(repeating: 2, count: values.count))
        for (index, (actual, expected)) in zip(predicted, values).enumerated() {
            try assertMatches(actual.q1, expected["q1"], "layer \(index) q1")
            try assertMatches(actual.q2, expected["q2"], "layer \(index) q2")
            try assertMatches(actual.correlation, expected["correlation"], "layer \(index) correlation")
        }
    }

    /// Schoenholz et al.: for tanh at σ_b = 0 the critical point is σ_w² = 1 and ξ_c diverges there, from
    /// both sides.
    func testTanhWithoutBiasIsCriticalAtOneWhereTheCorrelationDepthDiverges() {
        func depth(_ weightVariance: Double) -> Double {
            MeanField(activation: .tanh, weightVariance: weightVariance, biasVariance: 0, rule: Self.rule)
                .fixedPoint().correlationDepth
        }
        // At σ_w² = 1 exactly χ_c = 1 up to the rounding of the rule's weights (which sum to 1 ± 1e-15).
        XCTAssertGreaterThan(depth(1), 1e13)
        var below = 0.0
        var above = 0.0
        for exponent in 1...5 {
            let distance = pow(10, -Double(exponent))
            let (left, right) = (depth(1 - distance), depth(1 + distance))
            XCTAssertGreaterThan(left, below, "ξ_c at σ_w² = 1 − \(distance)")
            XCTAssertGreaterThan(right, above, "ξ_c at σ_w² = 1 + \(distance)")
            // Below the boundary q* = 0 and ξ_c = −1 / ln σ_w² ≈ 1 / distance.
            XCTAssertEqual(left, -1 / log(1 - distance), accuracy: 1e-9 * left)
            (below, above) = (left, right)
        }
        XCTAssertGreaterThan(below, 9e4)
        XCTAssertGreaterThan(above, 1e4)
        let critical = MeanField.criticalWeightVariance(activation: .tanh, biasVariance: 0, rule: Self.rule)
        // On the chaotic side χ₁ − 1 grows only as (σ_w² − 1)², so Double resolves the boundary to about 1e-8.
        XCTAssertEqual(critical ?? 0, 1, accuracy: 1e-7)
        XCTAssertEqual(MeanField.criticalWeightVariance(activation: .relu, biasVariance: 0.1) ?? 0, 2, accuracy: 1e-12)
    }

    func testAHeatMapDrawsEveryCellAndItsCurves() {
        var chart = HeatMapChart(
            title: "t", xLabel: "x", yLabel: "y", colorLabel: "v", x: [1, 2, 4], y: [10, 20],
            values: [[0, 0.5, 1], [.nan, 0.25, 0.75]])
        chart.curves = [ChartSeries("line", x: [1, 4], y: [12, 500])]
        chart.markers = [HeatMapChart.Marker("here", x: 2, y: 10)]
        let svg = chart.svg
        XCTAssertEqual(svg.components(separatedBy: "data-value=").count - 1, 6)
        XCTAssertTrue(svg.contains("1 cell without a value"), svg)
        XCTAssertTrue(svg.contains("data-name=\"line\"") && svg.contains(">here</text>"), svg)
    }

    /// `actual` against a fixture value (a number, "inf" or "nan"): relative 1e-8, or absolute 1e-10 near 0.
    func assertMatches(_ actual: Double, _ expected: Any?, _ label: String) throws {
        switch expected {
        case let text as String where text == "inf": XCTAssertEqual(actual, .infinity, label)
        case let text as String where text == "nan": XCTAssertTrue(actual.isNaN, "\(label): \(actual)")
        case let value as Double:
            XCTAssertEqual(actual, value, accuracy: max(1e-8 * abs(value), 1e-10), label)
        default: XCTFail("\(label): unexpected fixture value \(String(describing: expected))")
        }
    }
}
