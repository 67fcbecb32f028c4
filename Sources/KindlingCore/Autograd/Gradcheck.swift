/// The outcome of `gradcheck`: whether the analytical gradients agree with central differences, and
/// where they disagree most.
public struct GradcheckResult: CustomStringConvertible, Sendable {
    /// True when every Jacobian entry satisfies |analytical - numerical| <= atol + rtol * |numerical|.
    public let passed: Bool
    /// The largest |analytical - numerical| over all entries.
    public let maximumAbsoluteError: Double
    /// The entry that exceeded the tolerance by the most (or came closest): input, element of the input,
    /// element of the output, and the two values.
    public let worst: (input: Int, inputElement: Int, outputElement: Int, analytical: Double, numerical: Double)?

    public var description: String {
        guard let worst else { return "gradcheck: passed (no entries)" }
        return
            "gradcheck: \(passed ? "passed" : "FAILED"); max |error| \(maximumAbsoluteError); worst at input \(worst.input) element \(worst.inputElement), output element \(worst.outputElement): analytical \(worst.analytical), numerical \(worst.numerical)"
    }
}

/// Checks the gradients that autograd computes for `function` against central finite differences, as
/// `torch.autograd.gradcheck` does: every entry of the Jacobian of the output with respect to every
/// input, in Double.
///
/// - Parameters:
///   - function: the computation; it receives leaves that require gradients, in the order of `inputs`.
///   - inputs: the point to check at.
///   - epsilon: the finite-difference step (PyTorch's default 1e-6).
///   - absoluteTolerance: atol: an entry passes when |analytical - numerical| <= atol + rtol * |numerical|
///     (PyTorch's default 1e-5).
///   - relativeTolerance: rtol in that test (PyTorch's default 1e-3).
public func gradcheck(
    _ function: ([Tensor<Double>]) -> Tensor<Double>, inputs: [Tensor<Double>],
    epsilon: Double = 1e-6, absoluteTolerance: Double = 1e-5, relativeTolerance: Double = 1e-3
) -> GradcheckResult {
    let leaves = inputs.map { $0.requiringGradient() }
    let output = function(leaves)
    let outputCount = output.count
    // Analytical Jacobian, one backward pass per output element.
    var analytical = inputs.map { [Double](repeating: 0, count: $0.count * outputCount) }
    for o in 0..<outputCount {
        for leaf in leaves { leaf.grad = nil }
        guard output.requiresGradient else { break }
        var seed = Tensor<Double>.zeros(output.shape)
        seed.scalars[o] = 1
        output.backward(seed, retainGraph: true)
        for (i, leaf) in leaves.enumerated() {
            guard let grad = leaf.grad else { continue }
            for e in 0..<grad.count { analytical[i][e * outputCount + o] = grad.scalars[e] }
        }
    }
    var passed = true
    var maximumError = 0.0
    var worst: (input: Int, inputElement: Int, outputElement: Int, analytical: Double, numerical: Double)?
    var worstExcess = -Double.infinity
    withoutGradient {
        for (i, input) in inputs.enumerated() {
            for e in 0..<input.count {
                var plus = inputs
                var minus = inputs
                plus[i].scalars[e] += epsilon
                minus[i].scalars[e] -= epsilon
                let up = function(plus).scalars
                let down = function(minus).scalars
                for o in 0..<outputCount {
                    let numerical = (up[o] - down[o]) / (2 * epsilon)
                    let value = analytical[i][e * outputCount + o]
                    let error = Swift.abs(value - numerical)
                    let excess = error - (absoluteTolerance + relativeTolerance * Swift.abs(numerical))
                    maximumError = Swift.max(maximumError, error)
                    if !(excess <= 0) { passed = false }
                    if excess > worstExcess || worst == nil {
                        worstExcess = excess
                        worst = (i, e, o, value, numerical)
                    }
                }
            }
        }
    }
    return GradcheckResult(passed: passed, maximumAbsoluteError: maximumError, worst: worst)
}
