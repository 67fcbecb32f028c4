import KindlingCore

extension Initializer {
    /// Every element 0 (`torch.nn.init.zeros_`, Keras `Zeros`). No draws.
    public static let zeros = constant(0, named: "zeros")

    /// Every element 1 (`torch.nn.init.ones_`, Keras `Ones`). No draws.
    public static let ones = constant(1, named: "ones")

    /// Every element `value` (`torch.nn.init.constant_`, Keras `Constant`). No draws.
    public static func constant(_ value: Double) -> Initializer {
        constant(value, named: "constant(\(value))")
    }

    private static func constant(_ value: Double, named name: String) -> Initializer {
        Initializer(name) { shape, _ in [Double](repeating: value, count: shape.reduce(1, *)) }
    }
}
