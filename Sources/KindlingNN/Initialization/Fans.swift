import KindlingCore
import KindlingPlatform

/// Which fan scales an initializer's variance.
public enum FanMode: Sendable, Hashable {
    /// fan_in: preserves the variance of the activations in the forward pass (PyTorch's default).
    case fanIn
    /// fan_out: preserves the variance of the gradients in the backward pass.
    case fanOut
    /// (fan_in + fan_out) / 2, Keras's `fan_avg` (used by `varianceScaling`).
    case fanAverage
}

/// The fans of a weight in PyTorch's layout, as `torch.nn.init._calculate_fan_in_and_fan_out`:
/// for a weight of shape (out, in, k₁, k₂, ...), receptive field = k₁·k₂·..., fan_in = in · receptive field,
/// fan_out = out · receptive field. So Linear (out, in) has fans (in, out), and Conv2d
/// (out, in/groups, kH, kW) has fan_in = in/groups · kH · kW.
public struct Fans: Sendable, Hashable {
    /// size(1) times the receptive field.
    public let fanIn: Int
    /// size(0) times the receptive field.
    public let fanOut: Int

    /// The fans of a weight of `shape`; it must have at least 2 dimensions, as in PyTorch.
    public init(shape: [Int]) {
        require(
            shape.count >= 2,
            "Fans: fan in and fan out can not be computed for a tensor of shape \(shape) (fewer than 2 dimensions)")
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        fanIn = shape[1] * receptiveField
        fanOut = shape[0] * receptiveField
    }

    /// The fan that `mode` selects, as a Double.
    public func fan(_ mode: FanMode) -> Double {
        switch mode {
        case .fanIn: return Double(fanIn)
        case .fanOut: return Double(fanOut)
        case .fanAverage: return Double(fanIn + fanOut) / 2
        }
    }
}
