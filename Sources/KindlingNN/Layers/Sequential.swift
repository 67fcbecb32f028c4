import KindlingCore

/// Modules applied one after another; children are named "0", "1", ... as in `torch.nn.Sequential`.
public final class Sequential<Scalar: TensorScalar>: ModuleBase, Module {
    /// The modules, in order.
    public let layers: [any Module<Scalar>]

    /// A sequence of modules.
    public init(_ layers: [any Module<Scalar>]) { self.layers = layers }

    /// A sequence of modules.
    public convenience init(_ layers: any Module<Scalar>...) { self.init(layers) }

    public var namedChildren: [(name: String, module: any Module<Scalar>)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    /// Each layer applied to the output of the previous one, through `callWithHooks`. A BatchNorm followed
    /// by a ReLU runs as one fused operation (the same values and gradients in one pass each way) when no
    /// module hook is registered anywhere, so that nothing can observe the output between the two.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var output = input
        var index = 0
        while index < layers.count {
            if index + 1 < layers.count, !moduleHooks.isActive, let normalization = layers[index] as? BatchNorm<Scalar>,
                layers[index + 1] is ReLU<Scalar>
            {
                output = normalization(output, applyingReLU: true)
                index += 2
            } else {
                output = layers[index].callWithHooks(output)
                index += 1
            }
        }
        return output
    }
}
