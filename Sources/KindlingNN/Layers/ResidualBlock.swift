import KindlingCore
import KindlingPlatform

/// How a residual block keeps a deep network trainable: with BatchNorm, or without normalization and
/// with the parameters that Fixup or SkipInit add.
public enum ResidualStyle: String, Sendable, Codable, CaseIterable {
    /// torchvision's `BasicBlock` (He et al. 2016): each branch layer followed by BatchNorm (`bn1`, `bn2`),
    /// the projection shortcut a 1 × 1 layer and BatchNorm (`downsample.0`, `downsample.1`).
    case batchNorm = "batchnorm"
    /// No normalization (torchvision's block with `norm_layer=nn.Identity`): layer, ReLU, layer, plus
    /// the shortcut (`downsample.0`), ReLU. What Fixup and SkipInit set out to make trainable.
    case plain
    /// The Fixup block (Zhang, Dauphin & Ma 2019, the authors' `FixupBasicBlock`): no normalization; scalar
    /// biases before each layer and after the ReLU (`bias1a`, `bias1b`, `bias2a`, `bias2b`), a scalar
    /// multiplier `scale` at the end of the branch, the projection shortcut a bare 1 × 1 layer (`downsample`).
    case fixup
    /// SkipInit (De & Smith 2020), ReZero's residual gain (Bachlechner et al. 2020): no normalization, the
    /// branch multiplied by a scalar `alpha` before it joins the shortcut, x + α f(x).
    case skipInit = "skipinit"
}

/// A residual block of two layers, torchvision's `BasicBlock` and its normalization-free variants
/// (`ResidualStyle`), for images (3 × 3 convolutions without bias, keys `conv1`, `conv2`) or for tables
/// (linear layers without bias, keys `fc1`, `fc2`):
///
///     out = relu(branch(x) + shortcut(x)),   branch(x) = bn2(layer2(relu(bn1(layer1(x)))))
///
/// with BatchNorm in the `.batchNorm` style only. The shortcut is the identity, or a projection (a 1 × 1
/// convolution with the block's stride, or a linear layer, followed by BatchNorm in the `.batchNorm`
/// style) when the stride or the width changes. `.fixup` computes, as the authors' `FixupBasicBlock`,
///
///     branch(x) = layer2(relu(layer1(x + b1a) + b1b) + b2a) · scale + b2b,   shortcut(x) = downsample(x + b1a)
///
/// and `.skipInit` multiplies the branch by `alpha`. Layers are constructed with PyTorch's defaults
/// (BatchNorm weight 1, bias 0; `scale` 1, scalar biases 0, `alpha` 0 as the papers construct it);
/// `ResidualInitialization` sets the weights by torchvision's policy, Fixup, SkipInit or zero-γ.
///
/// ```swift
/// let block = ResidualBlock<Float>(convolutional: 16, 32, stride: 2, style: .batchNorm)
/// block(images).shape   // [N, 16, 8, 8] -> [N, 32, 4, 4]; keys conv1.weight, bn1.weight, ..., downsample.1.running_var
/// ```
public final class ResidualBlock<Scalar: TensorScalar>: ModuleBase, Module {
    /// What the block normalizes with, or which scalars it adds instead.
    public let style: ResidualStyle
    /// The first branch layer: a 3 × 3 `Conv2d` with the block's stride, or a `Linear` (no bias).
    public let layer1: any WeightLayer<Scalar>
    /// The second branch layer: a 3 × 3 `Conv2d` or a `Linear` (no bias).
    public let layer2: any WeightLayer<Scalar>
    /// BatchNorm after `layer1` (`.batchNorm` style).
    public let bn1: BatchNorm<Scalar>?
    /// BatchNorm after `layer2` (`.batchNorm` style): the γ that zero-γ initialization sets to 0.
    public let bn2: BatchNorm<Scalar>?
    /// The projection shortcut when the stride or the width changes, else nil (the identity).
    public let downsample: (any Module<Scalar>)?
    /// The projection's weight layer (the 1 × 1 convolution or the linear layer), when there is one.
    public let projection: (any WeightLayer<Scalar>)?
    /// The ReLU module, applied after `layer1` and after the sum (as torchvision's shared `relu`).
    public let relu = ReLU<Scalar>()
    /// Fixup's scalar biases (shape [1], 0): before `layer1`, after it, before `layer2`, at the end.
    public let bias1a: Parameter<Scalar>?, bias1b: Parameter<Scalar>?, bias2a: Parameter<Scalar>?
    public let bias2b: Parameter<Scalar>?
    /// Fixup's scalar multiplier of the branch (shape [1], 1).
    public let scale: Parameter<Scalar>?
    /// SkipInit's residual gain α (shape [1], 0).
    public let alpha: Parameter<Scalar>?
    private let isConvolutional: Bool

    /// A block of 3 × 3 convolutions from `inChannels` to `outChannels` channels; the first convolution
    /// (and the projection) has stride `stride`. The projection exists when stride ≠ 1 or the channels change.
    public convenience init(
        convolutional inChannels: Int, _ outChannels: Int, stride: Int = 1, style: ResidualStyle,
        generator: RandomGenerator = .global
    ) {
        let conv1 = Conv2d<Scalar>(
            inChannels, outChannels, kernelSize: 3, stride: stride, padding: 1, bias: false, generator: generator)
        let conv2 = Conv2d<Scalar>(
            outChannels, outChannels, kernelSize: 3, padding: 1, bias: false, generator: generator)
        let projection =
            stride != 1 || inChannels != outChannels
            ? Conv2d<Scalar>(inChannels, outChannels, kernelSize: 1, stride: stride, bias: false, generator: generator)
            : nil
        self.init(
            conv1, conv2, projection: projection, normalization: { BatchNorm2d<Scalar>($0) }, style: style,
            isConvolutional: true)
    }

    /// A block of linear layers from `inFeatures` to `outFeatures` features (for tables); the projection
    /// exists when the widths differ.
    public convenience init(
        linear inFeatures: Int, _ outFeatures: Int, style: ResidualStyle, generator: RandomGenerator = .global
    ) {
        let fc1 = Linear<Scalar>(inFeatures, outFeatures, bias: false, generator: generator)
        let fc2 = Linear<Scalar>(outFeatures, outFeatures, bias: false, generator: generator)
        let projection =
            inFeatures != outFeatures ? Linear<Scalar>(inFeatures, outFeatures, bias: false, generator: generator) : nil
        self.init(
            fc1, fc2, projection: projection, normalization: { BatchNorm1d<Scalar>($0) }, style: style,
            isConvolutional: false)
    }

    private init(
        _ layer1: any WeightLayer<Scalar>, _ layer2: any WeightLayer<Scalar>, projection: (any WeightLayer<Scalar>)?,
        normalization: (Int) -> BatchNorm<Scalar>, style: ResidualStyle, isConvolutional: Bool
    ) {
        let width = layer2.weight.shape[0]
        self.style = style
        self.layer1 = layer1
        self.layer2 = layer2
        self.isConvolutional = isConvolutional
        self.projection = projection
        let normalized = style == .batchNorm
        bn1 = normalized ? normalization(width) : nil
        bn2 = normalized ? normalization(width) : nil
        switch (projection, style) {
        case (nil, _): downsample = nil
        case (let projection?, .fixup): downsample = projection
        case (let projection?, .batchNorm): downsample = Sequential<Scalar>(projection, normalization(width))
        case (let projection?, _): downsample = Sequential<Scalar>(projection)
        }
        let fixup = style == .fixup
        bias1a = fixup ? Parameter(.zeros([1])) : nil
        bias1b = fixup ? Parameter(.zeros([1])) : nil
        bias2a = fixup ? Parameter(.zeros([1])) : nil
        scale = fixup ? Parameter(.ones([1])) : nil
        bias2b = fixup ? Parameter(.zeros([1])) : nil
        alpha = style == .skipInit ? Parameter(.zeros([1])) : nil
    }

    /// The children under torchvision's names: conv1 (fc1), bn1, relu, conv2 (fc2), bn2, downsample.
    public var namedChildren: [(name: String, module: any Module<Scalar>)] {
        let prefix = isConvolutional ? "conv" : "fc"
        var children: [(name: String, module: any Module<Scalar>)] = [("\(prefix)1", layer1)]
        if let bn1 { children.append(("bn1", bn1)) }
        children.append(("relu", relu))
        children.append(("\(prefix)2", layer2))
        if let bn2 { children.append(("bn2", bn2)) }
        if let downsample { children.append(("downsample", downsample)) }
        return children
    }

    /// Fixup's scalars in the authors' registration order (bias1a, bias1b, bias2a, scale, bias2b), or
    /// SkipInit's alpha.
    public var namedOwnParameters: [(name: String, parameter: Parameter<Scalar>)] {
        let scalars = [
            ("bias1a", bias1a), ("bias1b", bias1b), ("bias2a", bias2a), ("scale", scale), ("bias2b", bias2b),
            ("alpha", alpha),
        ]
        return scalars.compactMap { name, parameter in parameter.map { (name, $0) } }
    }

    /// relu(branch(x) + shortcut(x)); children are called through `callWithHooks`.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        var branch: Tensor<Scalar>
        var shortcut = input
        if style == .fixup {
            let shifted = input + bias1a!.value
            branch = relu.callWithHooks(layer1.callWithHooks(shifted) + bias1b!.value)
            branch = layer2.callWithHooks(branch + bias2a!.value) * scale!.value + bias2b!.value
            if let downsample { shortcut = downsample.callWithHooks(shifted) }
        } else {
            branch = layer1.callWithHooks(input)
            if let bn1 { branch = bn1.callWithHooks(branch) }
            branch = layer2.callWithHooks(relu.callWithHooks(branch))
            if let bn2 { branch = bn2.callWithHooks(branch) }
            if let alpha { branch = branch * alpha.value }
            if let downsample { shortcut = downsample.callWithHooks(input) }
        }
        return relu.callWithHooks(branch + shortcut)
    }
}
