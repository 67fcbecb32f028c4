/// An optimizer setting that PyTorch would reject too, thrown by the optimizers' initializers.
public struct OptimizerError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, naming the setting and its value.
    public let description: String

    /// An error with a message.
    public init(_ description: String) { self.description = description }

    /// Throws unless `value` ≥ 0 (NaN is rejected too).
    static func requireNonNegative(_ value: Double, _ name: String) throws {
        guard value >= 0 else { throw OptimizerError("invalid \(name) \(value): it must be ≥ 0") }
    }

    /// Throws unless 0 ≤ `value` < 1.
    static func requireUnitInterval(_ value: Double, _ name: String) throws {
        guard value >= 0 && value < 1 else { throw OptimizerError("invalid \(name) \(value): it must be in [0, 1)") }
    }

    /// Throws if a parameter appears twice (it would be updated twice per step) or there are none.
    static func requireDistinct<Scalar>(_ parameters: [Parameter<Scalar>]) throws {
        guard !parameters.isEmpty else { throw OptimizerError("the optimizer got an empty parameter list") }
        var seen = Set<ObjectIdentifier>()
        for (index, parameter) in parameters.enumerated() where !seen.insert(ObjectIdentifier(parameter)).inserted {
            throw OptimizerError(
                "parameter \(index) (shape \(parameter.shape)) appears more than once in the parameter list")
        }
    }
}
