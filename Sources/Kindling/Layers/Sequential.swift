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

    /// Each layer applied to the output of the previous one.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        layers.reduce(input) { $1($0) }
    }
}
