import Foundation
import KindlingCore
import KindlingPlatform

extension ResidualInitialization {
    /// Fixup (Zhang, Dauphin & Ma 2019, "Fixup Initialization: Residual Learning Without Normalization",
    /// ICLR 2019), as the authors' `FixupResNet` does for its `FixupBasicBlock`s, in module order: for
    /// L residual branches of m = 2 layers each,
    ///
    /// - the first layer of each branch: N(0, std²) with std = sqrt(2 / fan_out) · L^(−1/(2m−2)) =
    ///   sqrt(2 / fan_out) / sqrt(L), fan_out = out · kH · kW (He, scaled);
    /// - the last layer of each branch: 0;
    /// - a projection shortcut: N(0, 2 / fan_out) (He, unscaled);
    /// - the classifier `fc`: weight 0 and bias 0;
    /// - the scalar biases 0 and each branch's multiplier `scale` 1;
    ///
    /// the stem keeps its constructed (PyTorch default) weights. The branches then start as the zero
    /// function, so the network's output at initialization does not grow with depth, and the scaling keeps
    /// each branch's update in proportion as they train (the paper's §3). The blocks must be `.fixup`.
    public static func initializeFixup<Network: ResidualNetwork>(_ network: Network, generator: RandomGenerator) {
        requireStyle(network, .fixup, for: "Fixup")
        let branches = Double(network.residualBlocks.count)
        let layersPerBranch = 2.0
        let scaling = pow(branches, -1 / (2 * layersPerBranch - 2))
        network.initializeWeights { module in
            if let block = module as? ResidualBlock<Network.Scalar> {
                let first = block.layer1.weight
                Initializer.normal(standardDeviation: heStandardDeviation(first.shape) * scaling).initialize(
                    first, generator: generator)
                Initializer.zeros.initialize(block.layer2.weight)
                if let projection = block.projection?.weight {
                    Initializer.normal(standardDeviation: heStandardDeviation(projection.shape)).initialize(
                        projection, generator: generator)
                }
                for bias in [block.bias1a, block.bias1b, block.bias2a, block.bias2b] {
                    Initializer.zeros.initialize(bias!)
                }
                Initializer.ones.initialize(block.scale!)
            }
        }
        Initializer.zeros.initialize(network.fc.weight)
        if let bias = network.fc.bias { Initializer.zeros.initialize(bias) }
        for (name, parameter) in network.namedOwnParameters where name.hasPrefix("bias") {
            Initializer.zeros.initialize(parameter)
        }
    }

    /// sqrt(2 / fan_out), fan_out = out · kH · kW: the authors' `np.sqrt(2 / (w.shape[0] * np.prod(w.shape[2:])))`.
    private static func heStandardDeviation(_ shape: [Int]) -> Double {
        (2 / Double(Fans(shape: shape).fanOut)).squareRoot()
    }
}
