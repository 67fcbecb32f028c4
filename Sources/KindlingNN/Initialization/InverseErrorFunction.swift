import Foundation
import KindlingCore

/// The inverse error function: the x with erf(x) = y, for y in [-1, 1] (±infinity at ±1, NaN outside),
/// as `torch.special.erfinv`, to double precision.
///
/// Giles's single-precision polynomial ("Approximating the erfinv function", GPU Computing Gems, 2011)
/// gives a first estimate (relative error below 4e-7 for |y| < 1 - 1e-7, coarser beyond); Halley steps on
/// f(x) = erf(x) - y, x ← x - f / (f' + x·f) with f' = 2/√π · e^(-x²), take it to full double precision
/// (each step cubes the error near the root: two steps in the ordinary range, up to five in the far
/// tails). For |y| > 1/2, f is computed as (1 - |y|) - erfc(|x|), where 1 - |y| is exact, so the tails
/// keep their precision.
public func inverseErrorFunction(_ y: Double) -> Double {
    guard y.magnitude < 1 else {
        return y.magnitude == 1 ? Double.infinity * y : .nan
    }
    if y == 0 { return y }
    var w = -Foundation.log((1 - y) * (1 + y))
    var p: Double
    if w < 5 {
        w -= 2.5
        p = 2.81022636e-08
        for c in [
            3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
            -0.00417768164, 0.246640727, 1.50140941,
        ] {
            p = c + p * w
        }
    } else {
        w = w.squareRoot() - 3
        p = -0.000200214257
        for c in [
            0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
            0.00943887047, 1.00167406, 2.83297682,
        ] {
            p = c + p * w
        }
    }
    let magnitude = y.magnitude
    var x = p * magnitude
    let twoOverRootPi = 2 / Double.pi.squareRoot()
    for _ in 0..<8 {
        let f = magnitude > 0.5 ? (1 - magnitude) - Foundation.erfc(x) : Foundation.erf(x) - magnitude
        let derivative = twoOverRootPi * Foundation.exp(-x * x)
        let step = f / (derivative + x * f)
        x -= step
        if step.magnitude <= x.ulp { break }
    }
    return y < 0 ? -x : x
}
