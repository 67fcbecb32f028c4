import KindlingCore
import KindlingPlatform

extension Module {
    /// The output for `input` in evaluation mode without a graph; every module's mode is restored.
    ///
    /// The examples (along the first axis) go through the model `rowsPerPass` at a time and the outputs are
    /// joined, so that evaluating a large data set holds one pass's activations rather than the whole set's
    /// (a 64-32 MLP on 10 million rows needed 8.5 GB in one pass). In evaluation mode every example's output
    /// depends on that example alone.
    public func evaluationOutput(_ input: Tensor<Scalar>, rowsPerPass: Int = 8192) -> Tensor<Scalar> {
        require(rowsPerPass >= 1, "evaluationOutput: rowsPerPass must be at least 1, got \(rowsPerPass)")
        let modes = namedModules.map { ($0.module, $0.module.isTraining) }
        eval()
        defer { for (module, mode) in modes { module.isTraining = mode } }
        return withoutGradient {
            let count = input.rank == 0 ? 0 : input.shape[0]
            guard count > rowsPerPass else { return self(input) }
            let passes = stride(from: 0, to: count, by: rowsPerPass).map { start in
                self(input.slice(alongAxis: 0, start..<Swift.min(start + rowsPerPass, count)))
            }
            return Tensor.concatenate(passes, alongAxis: 0)
        }
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
