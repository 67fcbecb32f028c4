import KindlingCore
import KindlingPlatform

/// A network made of `ResidualBlock`s and ending in a linear classifier `fc`: what
/// `ResidualInitialization` initializes.
public protocol ResidualNetwork<Scalar>: Module {
    /// The blocks, in forward order.
    var residualBlocks: [ResidualBlock<Scalar>] { get }
    /// The last layer (`fc`), which Fixup sets to 0.
    var fc: Linear<Scalar> { get }
}

/// A small ResNet for images (He et al. 2016, the CIFAR form "6n + 2" generalized), with torchvision's
/// state-dict keys:
///
///     conv1 (3 × 3, stride 1, no bias) -> bn1 -> relu -> layer1 ... layerS -> avgpool (adaptive, 1 × 1) -> fc
///
/// where stage s holds `blocksPerStage[s]` `ResidualBlock`s of `widths[s]` channels, the first block of
/// every stage after the first with stride 2 and a projection shortcut (`layer2.0.downsample`). In the
/// `.fixup` style there is no `bn1`; instead, as the authors' `FixupResNet`, a scalar bias `bias1` is added
/// before the first ReLU and `bias2` before `fc`. Other normalization-free styles simply drop `bn1`.
///
/// ```swift
/// let net = ResNet<Float>(inChannels: 1, classes: 10, blocksPerStage: [3, 3, 3], widths: [16, 32, 64], style: .batchNorm)
/// net(images).shape   // [N, 1, 28, 28] -> [N, 10]; 20 layers, keys conv1.weight, layer1.0.conv1.weight, ..., fc.bias
/// ```
public final class ResNet<Scalar: TensorScalar>: ModuleBase, ResidualNetwork {
    /// The blocks' style.
    public let style: ResidualStyle
    /// The stem: a 3 × 3 convolution without bias to `widths[0]` channels.
    public let conv1: Conv2d<Scalar>
    /// BatchNorm after the stem (`.batchNorm` style).
    public let bn1: BatchNorm2d<Scalar>?
    /// The ReLU after the stem.
    public let relu = ReLU<Scalar>()
    /// The stages, named layer1, layer2, ... in the state dictionary.
    public let stages: [Sequential<Scalar>]
    /// The global average pool.
    public let avgpool = AdaptiveAvgPool2d<Scalar>(outputSize: 1)
    /// The classifier, widths.last -> classes.
    public let fc: Linear<Scalar>
    /// Fixup's scalar biases (shape [1], 0) before the first ReLU and before `fc`.
    public let bias1: Parameter<Scalar>?, bias2: Parameter<Scalar>?

    /// A ResNet for `inChannels`-channel images and `classes` outputs, its layers constructed with
    /// PyTorch's defaults drawn from `generator` in forward order.
    public init(
        inChannels: Int, classes: Int, blocksPerStage: [Int], widths: [Int], style: ResidualStyle,
        generator: RandomGenerator = .global
    ) {
        require(
            !blocksPerStage.isEmpty && blocksPerStage.count == widths.count
                && blocksPerStage.allSatisfy { $0 > 0 } && widths.allSatisfy { $0 > 0 },
            "ResNet: needs one positive block count and width per stage, got \(blocksPerStage) and \(widths)")
        self.style = style
        conv1 = Conv2d(inChannels, widths[0], kernelSize: 3, padding: 1, bias: false, generator: generator)
        bn1 = style == .batchNorm ? BatchNorm2d(widths[0]) : nil
        var width = widths[0]
        stages = zip(blocksPerStage, widths).enumerated().map { index, stage in
            let blocks = (0..<stage.0).map { number -> any Module<Scalar> in
                let block = ResidualBlock<Scalar>(
                    convolutional: width, stage.1, stride: index > 0 && number == 0 ? 2 : 1, style: style,
                    generator: generator)
                width = stage.1
                return block
            }
            return Sequential(blocks)
        }
        fc = Linear(width, classes, generator: generator)
        bias1 = style == .fixup ? Parameter(.zeros([1])) : nil
        bias2 = style == .fixup ? Parameter(.zeros([1])) : nil
    }

    /// conv1, bn1, relu, layer1 ..., avgpool, fc.
    public var namedChildren: [(name: String, module: any Module<Scalar>)] {
        var children: [(name: String, module: any Module<Scalar>)] = [("conv1", conv1)]
        if let bn1 { children.append(("bn1", bn1)) }
        children.append(("relu", relu))
        for (index, stage) in stages.enumerated() { children.append(("layer\(index + 1)", stage)) }
        return children + [("avgpool", avgpool), ("fc", fc)]
    }

    /// Fixup's bias1 and bias2.
    public var namedOwnParameters: [(name: String, parameter: Parameter<Scalar>)] {
        [("bias1", bias1), ("bias2", bias2)].compactMap { name, parameter in parameter.map { (name, $0) } }
    }

    /// Every block, stage by stage.
    public var residualBlocks: [ResidualBlock<Scalar>] {
        stages.flatMap { $0.layers.map { $0 as! ResidualBlock<Scalar> } }
    }

    /// Logits (N, classes) of images (N, inChannels, H, W).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var x = conv1.callWithHooks(input)
        if let bn1 { x = bn1.callWithHooks(x) }
        if let bias1 { x = x + bias1.value }
        x = relu.callWithHooks(x)
        for stage in stages { x = stage.callWithHooks(x) }
        x = avgpool.callWithHooks(x)
        x = x.reshaped([x.shape[0], x.shape[1]])
        if let bias2 { x = x + bias2.value }
        return fc.callWithHooks(x)
    }
}

/// A residual MLP for tables: the `ResNet` pattern with linear layers,
///
///     stem (Linear, features -> width) -> relu -> blocks.0 ... blocks.(depth-1) -> fc
///
/// where every block is a `ResidualBlock(linear: width, width)` (identity shortcut; keys
/// `blocks.0.fc1.weight`, `blocks.0.bn1.weight`, ...). In the `.fixup` style a scalar bias `bias2` is
/// added before `fc`, as in the authors' ResNet.
///
/// ```swift
/// let net = ResidualMLP<Float>(features: 64, classes: 10, width: 64, depth: 50, style: .fixup)
/// net(rows).shape   // [N, 64] -> [N, 10]
/// ```
public final class ResidualMLP<Scalar: TensorScalar>: ModuleBase, ResidualNetwork {
    /// The blocks' style.
    public let style: ResidualStyle
    /// The input layer, features -> width (with bias).
    public let stem: Linear<Scalar>
    /// The ReLU after the stem.
    public let relu = ReLU<Scalar>()
    /// The residual blocks.
    public let blocks: Sequential<Scalar>
    /// The classifier, width -> classes.
    public let fc: Linear<Scalar>
    /// Fixup's scalar bias before `fc` (shape [1], 0).
    public let bias2: Parameter<Scalar>?

    /// A residual MLP of `depth` blocks of `width` units, its layers constructed with PyTorch's defaults
    /// drawn from `generator` in forward order.
    public init(
        features: Int, classes: Int, width: Int, depth: Int, style: ResidualStyle,
        generator: RandomGenerator = .global
    ) {
        require(
            features > 0 && classes > 0 && width > 0 && depth > 0,
            "ResidualMLP: features, classes, width and depth must be positive, got \(features), \(classes), \(width), \(depth)"
        )
        self.style = style
        stem = Linear(features, width, generator: generator)
        blocks = Sequential(
            (0..<depth).map { _ in ResidualBlock<Scalar>(linear: width, width, style: style, generator: generator) })
        fc = Linear(width, classes, generator: generator)
        bias2 = style == .fixup ? Parameter(.zeros([1])) : nil
    }

    /// Every block, in order.
    public var residualBlocks: [ResidualBlock<Scalar>] { blocks.layers.map { $0 as! ResidualBlock<Scalar> } }

    /// Logits (N, classes) of rows (N, features).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var x = blocks.callWithHooks(relu.callWithHooks(stem.callWithHooks(input)))
        if let bias2 { x = x + bias2.value }
        return fc.callWithHooks(x)
    }
}
