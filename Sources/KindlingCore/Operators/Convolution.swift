import KindlingPlatform

/// The 2-D convolution (cross-correlation, as `torch.nn.functional.conv2d`) of an (N, C, H, W) input
/// with a weight of shape (O, C / groups, kH, kW), plus an optional bias of shape (O):
///
///     out[n, o, i, j] = bias[o] + Σ_{c, p, q} weight[o, c, p, q]
///                       · input[n, g(o) C/groups + c, i stride.0 - padding.0 + p dilation.0,
///                                                     j stride.1 - padding.1 + q dilation.1]
///
/// where g(o) = o / (O / groups) is the group of output channel o and positions outside the input read
/// as zero (zero padding). The output has shape (N, O, Hout, Wout) with
/// Hout = floor((H + 2 padding.0 - dilation.0 (kH - 1) - 1) / stride.0) + 1, likewise Wout.
///
/// It runs as im2col + GEMM per sample and group, with the samples split between the cores when the
/// batch is large enough; the gradients with respect to the input (GEMM with the transposed weight, then
/// col2im accumulation), the weight and the bias are computed beside it.
///
/// ```swift
/// let x = Tensor<Float>.randn([8, 3, 32, 32], generator: generator)
/// let w = Tensor<Float>.randn([16, 3, 3, 3], generator: generator)
/// let y = conv2d(x, weight: w, padding: (1, 1))   // shape [8, 16, 32, 32]
/// ```
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func conv2d<Scalar>(
    _ input: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil,
    stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
    groups: Int = 1
) -> Tensor<Scalar> {
    require(weight.rank == 4, "conv2d: the weight must be 4-D (out, in / groups, kH, kW), got shape \(weight.shape)")
    let geometry = WindowGeometry(
        "conv2d", input: input.shape, kernel: (weight.shape[2], weight.shape[3]),
        stride: stride, padding: padding, dilation: dilation)
    let plan = Convolution<Scalar>(geometry, outputChannels: weight.shape[0], groups: groups)
    require(
        weight.shape[1] == plan.groupInputChannels,
        "conv2d: the weight \(weight.shape) has \(weight.shape[1]) input channels per group; the input \(input.shape) with groups \(groups) needs \(plan.groupInputChannels)"
    )
    if let bias {
        require(
            bias.shape == [plan.outputChannels],
            "conv2d: the bias has shape \(bias.shape), expected [\(plan.outputChannels)] for the weight \(weight.shape)"
        )
    }
    let result = Tensor(
        shape: [geometry.batch, plan.outputChannels, geometry.outputHeight, geometry.outputWidth],
        scalars: plan.forward(input.scalars, weight.scalars, bias?.scalars))
    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    guard Tensor.recording(inputs) else { return result }
    let needed = inputs.map(\.requiresGradient)
    // The weight gradient reads the input and the input gradient reads the weight; keep only what is used.
    let x = needed[1] ? input.scalars : []
    let w = needed[0] ? weight.scalars : []
    let inputShape = input.shape
    let weightShape = weight.shape
    return Tensor.record("conv2d", result, inputs: inputs) { upstream in
        let g = upstream.scalars
        var gradients: [Tensor<Scalar>?] = [
            needed[0] ? Tensor(shape: inputShape, scalars: plan.inputGradient(g, weight: w)) : nil,
            needed[1] ? Tensor(shape: weightShape, scalars: plan.weightGradient(g, input: x)) : nil,
        ]
        if needed.count == 3 {
            gradients.append(needed[2] ? Tensor(shape: [plan.outputChannels], scalars: plan.biasGradient(g)) : nil)
        }
        return gradients
    }
}

/// `conv2d` with the same stride, padding and dilation along height and width.
@_disfavoredOverload
public func conv2d<Scalar>(
    _ input: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil,
    stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1
) -> Tensor<Scalar> {
    conv2d(
        input, weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
        dilation: (dilation, dilation), groups: groups)
}

/// One convolution's sizes and its forward and backward computations on raw row-major buffers.
///
/// For sample n and group g, the input channels of the group unfold (im2col) into a K x L matrix
/// (K = C/groups · kH · kW rows, one per weight element of an output channel; L = Hout · Wout columns, one
/// per output position), and the group's output is the GEMM W_g (O/groups x K) · columns. The backward
/// reuses the same matrices: dW_g += dOut_g · columnsᵀ, dColumns = W_gᵀ · dOut_g (folded back by col2im),
/// with GEMM's transpose flags instead of copies.
struct Convolution<Scalar: TensorScalar> {
    let geometry: WindowGeometry
    let outputChannels: Int
    package let groups: Int

    init(_ geometry: WindowGeometry, outputChannels: Int, groups: Int) {
        require(groups > 0, "conv2d: groups must be positive, got \(groups)")
        require(
            geometry.channels % groups == 0,
            "conv2d: \(geometry.channels) input channels are not divisible by groups \(groups)")
        require(
            outputChannels % groups == 0,
            "conv2d: \(outputChannels) output channels are not divisible by groups \(groups)")
        self.geometry = geometry
        self.outputChannels = outputChannels
        self.groups = groups
    }

    var groupInputChannels: Int { geometry.channels / groups }
    var groupOutputChannels: Int { outputChannels / groups }
    /// Rows of the column matrix: C/groups · kH · kW.
    var columnRows: Int { groupInputChannels * geometry.kernelHeight * geometry.kernelWidth }
    /// A 1x1 kernel with stride 1 and no padding reads the input plane itself as the column matrix.
    var isPointwise: Bool {
        geometry.kernelHeight == 1 && geometry.kernelWidth == 1 && geometry.strideHeight == 1
            && geometry.strideWidth == 1 && geometry.paddingHeight == 0 && geometry.paddingWidth == 0
    }

    /// Visits every (sample, group) of `samples` with the offsets of its input block, output block and
    /// weight block.
    private func forEachBlock(_ samples: Range<Int>, _ body: (_ input: Int, _ output: Int, _ weight: Int) -> Void) {
        let g = geometry
        for n in samples {
            for group in 0..<groups {
                body(
                    (n * g.channels + group * groupInputChannels) * g.inputPlane,
                    (n * outputChannels + group * groupOutputChannels) * g.outputPlane,
                    group * groupOutputChannels * columnRows)
            }
        }
    }

    /// The work of one sample, in elements of its column matrices (all groups).
    private var workPerSample: Int { columnRows * geometry.outputPlane * groups }

    /// The column matrix of the input block at `image`: unfolded into `columns`, or the block itself for
    /// a pointwise kernel (nil `columns`).
    @inline(__always)
    private func columnMatrix(_ image: UnsafePointer<Scalar>, _ columns: UnsafeMutablePointer<Scalar>?)
        -> UnsafePointer<Scalar>
    {
        guard let columns else { return image }
        Convolution.unfold(image, channels: groupInputChannels, geometry, into: columns)
        return UnsafePointer(columns)
    }

    /// Splits the samples between the cores when the work repays the threads: `body(part, samples,
    /// columns)` runs once per part, with a column buffer of its own (nil for a pointwise kernel).
    /// Each sample's GEMMs are too small for OpenBLAS to thread, so the samples are threaded instead.
    private func splitSamples(
        _ body: (_ part: Int, _ samples: Range<Int>, _ columns: UnsafeMutablePointer<Scalar>?) -> Void
    ) {
        let g = geometry
        let columnCount = isPointwise ? 0 : columnRows * g.outputPlane
        ParallelChunks.forEachPart(count: g.batch, elementsPerItem: workPerSample) { part, samples in
            var columns = [Scalar](repeating: 0, count: columnCount)
            columns.withUnsafeMutableBufferPointer { body(part, samples, isPointwise ? nil : $0.baseAddress!) }
        }
    }

    /// The output, (N, O, Hout, Wout) row-major: the bias broadcast, then GEMM accumulates onto it.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package func forward(_ input: [Scalar], _ weight: [Scalar], _ bias: [Scalar]?) -> [Scalar] {
        let g = geometry
        let plane = g.outputPlane
        let k = columnRows
        let count = g.batch * outputChannels * plane
        return [Scalar](unsafeUninitializedCapacity: count) { out, initialized in
            Convolution.fillWithBias(out.baseAddress!, bias, channels: outputChannels, plane: plane, batch: g.batch)
            initialized = count
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    let (x, w, out) = (x.baseAddress!, w.baseAddress!, out.baseAddress!)
                    splitSamples { _, samples, columns in
                        forEachBlock(samples) { inputOffset, outputOffset, weightOffset in
                            let source = columnMatrix(x + inputOffset, columns)
                            BLAS.gemm(
                                m: groupOutputChannels, n: plane, k: k, a: w + weightOffset,
                                b: source, beta: 1, c: out + outputOffset)
                        }
                    }
                }
            }
        }
    }

    /// The gradient with respect to the input: per block, dColumns = W_gᵀ dOut_g, folded back onto the
    /// input positions it was read from (col2im, accumulating where windows overlap).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package func inputGradient(_ upstream: [Scalar], weight: [Scalar]) -> [Scalar] {
        let g = geometry
        let plane = g.outputPlane
        let k = columnRows
        var result = [Scalar](repeating: 0, count: g.batch * g.channels * g.inputPlane)
        result.withUnsafeMutableBufferPointer { dx in
            upstream.withUnsafeBufferPointer { dy in
                weight.withUnsafeBufferPointer { w in
                    let (dx, dy, w) = (dx.baseAddress!, dy.baseAddress!, w.baseAddress!)
                    splitSamples { _, samples, columns in
                        forEachBlock(samples) { inputOffset, outputOffset, weightOffset in
                            let image = dx + inputOffset
                            BLAS.gemm(
                                .transposed, .none, m: k, n: plane, k: groupOutputChannels,
                                a: w + weightOffset, lda: k, b: dy + outputOffset, ldb: plane, c: columns ?? image)
                            if let columns { Convolution.fold(columns, channels: groupInputChannels, g, onto: image) }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The gradient with respect to the weight: dW_g = Σ_n dOut_{n,g} columns_{n,g}ᵀ, accumulated over
    /// the samples in order within each part of `splitSamples`, and the parts' sums then added in order.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func weightGradient(_ upstream: [Scalar], input: [Scalar]) -> [Scalar] {
        let g = geometry
        let plane = g.outputPlane
        let k = columnRows
        let size = outputChannels * k
        let parts = ParallelChunks.partCount(count: g.batch, elementsPerItem: workPerSample)
        var partials = [Scalar](repeating: 0, count: parts * size)
        partials.withUnsafeMutableBufferPointer { partials in
            upstream.withUnsafeBufferPointer { dy in
                input.withUnsafeBufferPointer { x in
                    let (partials, dy, x) = (partials.baseAddress!, dy.baseAddress!, x.baseAddress!)
                    splitSamples { part, samples, columns in
                        forEachBlock(samples) { inputOffset, outputOffset, weightOffset in
                            let source = columnMatrix(x + inputOffset, columns)
                            BLAS.gemm(
                                .none, .transposed, m: groupOutputChannels, n: k, k: plane,
                                a: dy + outputOffset, lda: plane, b: source, ldb: plane,
                                beta: 1, c: partials + part * size + weightOffset)
                        }
                    }
                }
            }
        }
        guard parts > 1 else { return partials }
        return [Scalar](unsafeUninitializedCapacity: size) { result, initialized in
            for i in 0..<size {
                var total = partials[i]
                for part in 1..<parts { total += partials[part * size + i] }
                result[i] = total
            }
            initialized = size
        }
    }

    /// The gradient with respect to the bias: dOut summed over samples and positions.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func biasGradient(_ upstream: [Scalar]) -> [Scalar] {
        Convolution.channelSums(upstream, channels: outputChannels, plane: geometry.outputPlane, batch: geometry.batch)
    }

    /// Writes bias[o] (or 0) over every output plane of channel o.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func fillWithBias(
        _ out: UnsafeMutablePointer<Scalar>, _ bias: [Scalar]?, channels: Int, plane: Int, batch: Int
    ) {
        for n in 0..<batch {
            for o in 0..<channels {
                (out + (n * channels + o) * plane).initialize(repeating: bias?[o] ?? 0, count: plane)
            }
        }
    }

    /// Σ over samples and positions of each channel of an (N, channels, plane) array: per sample, the
    /// (channels x plane) block times a vector of ones (GEMV), accumulated.
    static func channelSums(_ values: [Scalar], channels: Int, plane: Int, batch: Int) -> [Scalar] {
        var sums = [Scalar](repeating: 0, count: channels)
        let ones = [Scalar](repeating: 1, count: plane)
        sums.withUnsafeMutableBufferPointer { sums in
            values.withUnsafeBufferPointer { v in
                for n in 0..<batch {
                    BLAS.gemv(
                        m: channels, n: plane, a: v.baseAddress! + n * channels * plane, x: ones,
                        beta: 1, y: sums.baseAddress!)
                }
            }
        }
        return sums
    }

    /// The output columns j (of `g.outputWidth`) whose input column j·stride + offset lies inside the
    /// input width; the others read padding.
    @inline(__always)
    static func validColumns(offset: Int, _ g: WindowGeometry) -> Range<Int> {
        let first = offset >= 0 ? 0 : Swift.min(g.outputWidth, (-offset + g.strideWidth - 1) / g.strideWidth)
        let remaining = g.width - offset
        let end = remaining <= 0 ? 0 : Swift.min(g.outputWidth, (remaining + g.strideWidth - 1) / g.strideWidth)
        return first..<Swift.max(first, end)
    }

    /// Visits the column matrix row segment by row segment: for channel c, kernel position (p, q) and
    /// output row i, the segment's offset in the column matrix and, when the input row it reads,
    /// y = i·stride - padding + p·dilation, lies inside the image, that row's offset in the image (nil
    /// when it is padding), with the output columns that read inside the image and the input column of
    /// output column 0.
    @inline(__always)
    static func forEachColumnRow(
        channels: Int, _ g: WindowGeometry,
        _ body: (_ segment: Int, _ inputRow: Int?, _ valid: Range<Int>, _ offset: Int) -> Void
    ) {
        var row = 0
        for c in 0..<channels {
            for p in 0..<g.kernelHeight {
                for q in 0..<g.kernelWidth {
                    let offset = q * g.dilationWidth - g.paddingWidth
                    let valid = validColumns(offset: offset, g)
                    for i in 0..<g.outputHeight {
                        let y = i * g.strideHeight - g.paddingHeight + p * g.dilationHeight
                        body(
                            row + i * g.outputWidth, y >= 0 && y < g.height ? c * g.inputPlane + y * g.width : nil,
                            valid, offset)
                    }
                    row += g.outputPlane
                }
            }
        }
    }

    /// im2col: writes the (channels · kH · kW) x (Hout · Wout) matrix whose row (c, p, q) holds, for every
    /// output position (i, j), image[c, i·stride - padding + p·dilation, j·stride - padding + q·dilation]
    /// (zero outside the image).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func unfold(
        _ image: UnsafePointer<Scalar>, channels: Int, _ g: WindowGeometry,
        into columns: UnsafeMutablePointer<Scalar>
    ) {
        forEachColumnRow(channels: channels, g) { segment, inputRow, valid, offset in
            let destination = columns + segment
            guard let inputRow else { return destination.update(repeating: 0, count: g.outputWidth) }
            let source = image + inputRow
            for j in 0..<valid.lowerBound { destination[j] = 0 }
            if g.strideWidth == 1 {
                (destination + valid.lowerBound).update(from: source + (valid.lowerBound + offset), count: valid.count)
            } else {
                for j in valid { destination[j] = source[j * g.strideWidth + offset] }
            }
            for j in valid.upperBound..<g.outputWidth { destination[j] = 0 }
        }
    }

    /// col2im, the adjoint of `unfold`: adds every entry of the column matrix onto the image position it
    /// was read from (entries that read padding are dropped).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func fold(
        _ columns: UnsafePointer<Scalar>, channels: Int, _ g: WindowGeometry,
        onto image: UnsafeMutablePointer<Scalar>
    ) {
        forEachColumnRow(channels: channels, g) { segment, inputRow, valid, offset in
            guard let inputRow else { return }
            let source = columns + segment
            let destination = image + inputRow
            for j in valid { destination[j * g.strideWidth + offset] += source[j] }
        }
    }
}
