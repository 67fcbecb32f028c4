import Foundation

/// The inverse error function: the x with erf(x) = y, for y in [-1, 1] (±infinity at ±1, NaN outside),
/// as `torch.special.erfinv`, to double precision.
///
/// Giles's single-precision polynomial ("Approximating the erfinv function", GPU Computing Gems, 2011)
/// gives a first estimate with relative error below 4e-7; two Halley steps on f(x) = erf(x) - y,
/// x ← x - f / (f' + x·f) with f' = 2/√π · e^(-x²), take it to full double precision (each step
/// cubes the error).
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
        for c in [3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941] {
            p = c + p * w
        }
    } else {
        w = w.squareRoot() - 3
        p = -0.000200214257
        for c in [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                  0.00943887047, 1.00167406, 2.83297682] {
            p = c + p * w
        }
    }
    var x = p * y
    let twoOverRootPi = 2 / Double.pi.squareRoot()
    for _ in 0..<2 {
        let f = Foundation.erf(x) - y
        let derivative = twoOverRootPi * Foundation.exp(-x * x)
        x -= f / (derivative + x * f)
    }
    return x
}
