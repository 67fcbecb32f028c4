import KindlingCore

extension ResidualInitialization {
    /// Zero-γ (Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", §5.1;
    /// torchvision's `zero_init_residual=True`): torchvision's policy (`initializeTorchvision`), then the
    /// weight γ of the last BatchNorm of each branch (`bn2`) set to 0, so every block starts as the
    /// identity (followed by a ReLU); the projection shortcut's BatchNorm keeps γ = 1. The blocks must be
    /// `.batchNorm`.
    public static func initializeZeroGamma<Network: ResidualNetwork>(_ network: Network, generator: RandomGenerator) {
        requireStyle(network, .batchNorm, for: "Zero-γ")
        initializeTorchvision(network, generator: generator)
        for block in network.residualBlocks { Initializer.zeros.initialize(block.bn2!.weight!) }
    }
}
