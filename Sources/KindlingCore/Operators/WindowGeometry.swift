import KindlingPlatform

/// Where a 2-D window (a convolution kernel or a pooling window) lands on an (N, C, H, W) input: the
/// spatial sizes, kernel, stride, zero padding and dilation, and the output size they give,
/// Hout = floor((H + 2 padding - dilation (kernel - 1) - 1) / stride) + 1 (likewise for W), as PyTorch.
struct WindowGeometry {
    package let batch: Int
    package let channels: Int
    package let height: Int
    package let width: Int
    let kernelHeight: Int
    let kernelWidth: Int
    let strideHeight: Int
    let strideWidth: Int
    let paddingHeight: Int
    let paddingWidth: Int
    let dilationHeight: Int
    let dilationWidth: Int
    let outputHeight: Int
    let outputWidth: Int

    /// Checks the arguments (naming `operation` and the values in the messages) and computes the output size.
    init(
        _ operation: String, input: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
        dilation: (Int, Int) = (1, 1)
    ) {
        require(input.count == 4, "\(operation): the input must be 4-D (N, C, H, W), got shape \(input)")
        require(kernel.0 > 0 && kernel.1 > 0, "\(operation): kernel size \(kernel) must be positive")
        require(stride.0 > 0 && stride.1 > 0, "\(operation): stride \(stride) must be positive")
        require(padding.0 >= 0 && padding.1 >= 0, "\(operation): padding \(padding) must not be negative")
        require(dilation.0 > 0 && dilation.1 > 0, "\(operation): dilation \(dilation) must be positive")
        batch = input[0]
        channels = input[1]
        height = input[2]
        width = input[3]
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
        (dilationHeight, dilationWidth) = dilation
        let spanHeight = dilationHeight * (kernelHeight - 1) + 1
        let spanWidth = dilationWidth * (kernelWidth - 1) + 1
        require(
            spanHeight <= height + 2 * paddingHeight && spanWidth <= width + 2 * paddingWidth,
            "\(operation): the kernel \(kernel) with dilation \(dilation) spans \(spanHeight)x\(spanWidth), larger than the padded input \(height + 2 * paddingHeight)x\(width + 2 * paddingWidth) (input shape \(input), padding \(padding))"
        )
        outputHeight = (height + 2 * paddingHeight - spanHeight) / strideHeight + 1
        outputWidth = (width + 2 * paddingWidth - spanWidth) / strideWidth + 1
    }

    /// Elements of one input channel plane, H W.
    var inputPlane: Int { height * width }
    /// Elements of one output channel plane, Hout Wout.
    var outputPlane: Int { outputHeight * outputWidth }
}
