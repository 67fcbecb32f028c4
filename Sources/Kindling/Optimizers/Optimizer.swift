/// An optimizer updates the very parameters a model holds, in place, from their accumulated gradients.
public protocol Optimizer<Scalar>: AnyObject {
    /// The element type of the parameters.
    associatedtype Scalar: TensorScalar
    /// The parameters it updates (frozen ones are skipped at each step).
    var parameters: [Parameter<Scalar>] { get }
    /// The step size.
    var learningRate: Double { get set }
    /// One update of every parameter that requires gradients and has one.
    func step()
}

extension Optimizer {
    /// Forgets every parameter's gradient (`optimizer.zero_grad(set_to_none=True)`).
    public func zeroGradients() { for parameter in parameters { parameter.zeroGradient() } }
}
