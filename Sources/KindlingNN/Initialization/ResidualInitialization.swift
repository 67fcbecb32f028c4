import KindlingCore
import KindlingPlatform

/// The initializations made for residual networks (`ResidualNetwork`), by the name that
/// `kindling residual --inits` takes. Unlike the `InitializerRegistry` schemes, which set each weight
/// by a formula of its own shape, these depend on the network's structure (which layer ends a branch,
/// how many branches there are), so they are defined on residual networks.
///
/// ```swift
/// let net = ResidualMLP<Float>(features: 64, classes: 10, width: 64, depth: 50, style: .fixup)
/// ResidualInitialization.fixup.initialize(net, generator: RandomGenerator(seed: 0))
/// ```
public enum ResidualInitialization: String, Sendable, Codable, CaseIterable {
    /// torchvision's ResNet policy (`Initializer.torchvisionResidualWeights`): He normal for every layer,
    /// BatchNorm 1 and 0.
    case torchvision
    /// Fixup (Zhang, Dauphin & Ma 2019): `ResidualInitialization.initializeFixup`.
    case fixup
    /// SkipInit / ReZero (De & Smith 2020; Bachlechner et al. 2020): `initializeZeroResidualGain`.
    case skipInit = "skipinit"
    /// Zero-γ (Goyal et al. 2017): `initializeZeroGamma`.
    case zeroGamma = "zero-gamma"

    /// Initializes `network` in place, drawing from `generator` module by module in `namedModules` order.
    /// Stops with a message when the network's blocks are not of a style this initialization is made for.
    public func initialize<Network: ResidualNetwork>(_ network: Network, generator: RandomGenerator) {
        switch self {
        case .torchvision: Self.initializeTorchvision(network, generator: generator)
        case .fixup: Self.initializeFixup(network, generator: generator)
        case .skipInit: Self.initializeZeroResidualGain(network, generator: generator)
        case .zeroGamma: Self.initializeZeroGamma(network, generator: generator)
        }
    }

    /// torchvision's `ResNet.__init__` loop: every weight layer but the classifier `fc` gets
    /// `kaimingNormal(mode: .fanOut, nonlinearity: .relu)`, N(0, 2 / fan_out) with
    /// fan_out = out · kH · kW (for a linear layer, out); every BatchNorm weight 1 and bias 0; `fc` and
    /// every bias keep their constructed (PyTorch default) values. Without normalization, each block then
    /// roughly doubles the variance of the signal, so L blocks multiply it by about 2^L (Zhang et al. 2019, §2).
    public static func initializeTorchvision<Network: ResidualNetwork>(
        _ network: Network, generator: RandomGenerator
    ) {
        let classifier = ObjectIdentifier(network.fc)
        network.initializeWeights { module in
            if let layer = module as? any WeightLayer<Network.Scalar>, ObjectIdentifier(layer) != classifier {
                Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu).initialize(
                    layer.weight, generator: generator)
            } else if let normalization = module as? BatchNorm<Network.Scalar> {
                if let weight = normalization.weight { Initializer.ones.initialize(weight) }
                if let bias = normalization.bias { Initializer.zeros.initialize(bias) }
            }
        }
    }

    /// Stops with a message unless every block of `network` has `style`.
    static func requireStyle<Network: ResidualNetwork>(_ network: Network, _ style: ResidualStyle, for name: String) {
        let styles = Set(network.residualBlocks.map(\.style))
        require(
            styles == [style],
            "\(name) initialization is made for \(style.rawValue) residual blocks, but the network's are \(styles.map(\.rawValue).sorted())"
        )
    }
}
