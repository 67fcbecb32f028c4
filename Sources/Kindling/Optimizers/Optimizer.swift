/// An optimizer updates the very parameters a model holds, in place, from their accumulated gradients.
///
/// ```swift
/// let optimizer = try SGD(model.parameters, learningRate: 0.01, momentum: 0.9)
/// for _ in 0..<100 {
///     optimizer.zeroGradients()
///     let loss = ((model(x) - y) * (model(x) - y)).mean()
///     loss.backward()
///     optimizer.step()
/// }
/// ```
public protocol Optimizer<Scalar>: AnyObject {
    /// The element type of the parameters.
    associatedtype Scalar: TensorScalar
    /// The parameters it updates (frozen ones are skipped at each step).
    var parameters: [Parameter<Scalar>] { get }
    /// The step size; assigning it takes effect at the next step (for learning-rate schedules).
    var learningRate: Double { get set }
    /// One update of every parameter that requires gradients and has one; the others are left alone
    /// and their optimizer state does not advance.
    func step()
}

extension Optimizer {
    /// Forgets every parameter's gradient (`optimizer.zero_grad(set_to_none=True)`).
    public func zeroGradients() { for parameter in parameters { parameter.zeroGradient() } }
}

extension Parameter {
    /// The gradient to step with, nil when the parameter is frozen or has none; stops if its shape
    /// differs from the value's.
    var gradientForStep: Tensor<Scalar>? {
        guard requiresGradient, let grad else { return nil }
        require(grad.shape == shape,
                     "optimizer: the gradient of shape \(grad.shape) does not match its parameter of shape \(shape)")
        return grad
    }
}
