import KindlingCore

extension ResidualInitialization {
    /// SkipInit (De & Smith 2020, "Batch Normalization Biases Residual Blocks Towards the Identity
    /// Function in Deep Networks", NeurIPS 2020) and ReZero (Bachlechner et al. 2020, "ReZero is All You
    /// Need"): each block computes x + α f(x) with a scalar α initialized to 0, so every block starts as
    /// the identity whatever the depth, and no normalization is needed. The branch layers get
    /// torchvision's He normal weights (`initializeTorchvision`), then every block's `alpha` is set to 0.
    /// The blocks must be `.skipInit`.
    public static func initializeZeroResidualGain<Network: ResidualNetwork>(
        _ network: Network, generator: RandomGenerator
    ) {
        requireStyle(network, .skipInit, for: "SkipInit")
        initializeTorchvision(network, generator: generator)
        for block in network.residualBlocks { Initializer.zeros.initialize(block.alpha!) }
    }
}
