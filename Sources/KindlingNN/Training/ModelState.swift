import KindlingCore

extension Module {
    /// The output for `input` in evaluation mode without a graph; every module's mode is restored.
    public func evaluationOutput(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let modes = namedModules.map { ($0.module, $0.module.isTraining) }
        eval()
        defer { for (module, mode) in modes { module.isTraining = mode } }
        return withoutGradient { self(input) }
    }

    /// Copies of every parameter's and buffer's value, in `namedParameters` then `namedBuffers` order.
    package var stateValues: [Tensor<Scalar>] {
        parameters.map { $0.value.detached() } + namedBuffers.map(\.buffer.value)
    }

    /// Puts back values taken by `stateValues`.
    package func restoreStateValues(_ values: [Tensor<Scalar>]) {
        let parameters = parameters
        for (parameter, value) in zip(parameters, values) {
            parameter.overwrite(with: value.scalars.map { Double($0) })
        }
        for (buffer, value) in zip(namedBuffers.map(\.buffer), values.dropFirst(parameters.count)) {
            buffer.value = value
        }
    }
}
