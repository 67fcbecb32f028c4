extension WindowGeometry {
    /// The same windows with the output size of PyTorch's `ceil_mode=True` pooling along both axes:
    /// ceil((H + 2 padding − span) / stride) + 1, minus one when that last window would start at or past
    /// H + padding (so that every window starts inside the input or its left padding).
    func roundingOutputUp() -> WindowGeometry {
        func size(_ input: Int, _ kernel: Int, _ stride: Int, _ padding: Int, _ dilation: Int) -> Int {
            let span = dilation * (kernel - 1) + 1
            var output = (input + 2 * padding - span + stride - 1) / stride + 1
            if (output - 1) * stride >= input + padding { output -= 1 }
            return output
        }
        return WindowGeometry(
            copying: self,
            outputHeight: size(height, kernelHeight, strideHeight, paddingHeight, dilationHeight),
            outputWidth: size(width, kernelWidth, strideWidth, paddingWidth, dilationWidth))
    }

    /// `geometry` with another output size.
    private init(copying geometry: WindowGeometry, outputHeight: Int, outputWidth: Int) {
        batch = geometry.batch
        channels = geometry.channels
        height = geometry.height
        width = geometry.width
        kernelHeight = geometry.kernelHeight
        kernelWidth = geometry.kernelWidth
        strideHeight = geometry.strideHeight
        strideWidth = geometry.strideWidth
        paddingHeight = geometry.paddingHeight
        paddingWidth = geometry.paddingWidth
        dilationHeight = geometry.dilationHeight
        dilationWidth = geometry.dilationWidth
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
    }
}
