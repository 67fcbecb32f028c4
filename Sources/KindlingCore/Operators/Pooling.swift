import KindlingPlatform

/// 2-D max pooling of an (N, C, H, W) input, as `torch.nn.functional.max_pool2d`:
///
///     out[n, c, i, j] = max_{p < kH, q < kW} input[n, c, i stride.0 - padding.0 + p dilation.0, j stride.1 - padding.1 + q dilation.1]
///
/// where padded positions count as -∞. Hout = floor((H + 2 padding.0 - dilation.0 (kH - 1) - 1) / stride.0) + 1,
/// likewise Wout, or with `ceilMode` ceil instead of floor, minus one if the last window would start past
/// the input and its left padding (PyTorch's `ceil_mode`; windows that hang over the edge see only the
/// input); the stride defaults to the kernel size, and windows may overlap (stride < kernel). The gradient
/// of each output goes to the position of its maximum (the first one, in row-major window order, on ties,
/// as PyTorch); overlapping windows add up.
///
/// ```swift
/// let pooled = maxPool2d(x, kernelSize: (2, 2))   // [N, C, 32, 32] -> [N, C, 16, 16]
/// let spread = maxPool2d(x, kernelSize: (3, 3), stride: (1, 1), dilation: (2, 2))   // 3 x 3 taps over 5 x 5
/// ```
public func maxPool2d<Scalar>(
    _ input: Tensor<Scalar>, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
    dilation: (Int, Int) = (1, 1), ceilMode: Bool = false
) -> Tensor<Scalar> {
    Pooling<Scalar>.maximumRecorded(input, kernelSize, stride, padding, dilation, ceilMode).output
}

/// `maxPool2d` with a square window (and equal stride, padding and dilation along both axes).
public func maxPool2d<Scalar>(
    _ input: Tensor<Scalar>, kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1,
    ceilMode: Bool = false
) -> Tensor<Scalar> {
    maxPool2d(
        input, kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) },
        padding: (padding, padding), dilation: (dilation, dilation), ceilMode: ceilMode)
}

/// `maxPool2d` that also returns where each maximum was, as `max_pool2d(..., return_indices=True)`:
/// `indices` holds, for each output element in row-major order, the flat position h · W + w of its
/// maximum within its (n, c) input plane (the indices `max_unpool2d` takes). The output records the
/// gradient as `maxPool2d`'s does; the indices are plain integers.
///
/// ```swift
/// let (pooled, indices) = maxPool2dWithIndices(x, kernelSize: (2, 2))
/// ```
public func maxPool2dWithIndices<Scalar>(
    _ input: Tensor<Scalar>, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
    dilation: (Int, Int) = (1, 1), ceilMode: Bool = false
) -> (output: Tensor<Scalar>, indices: [Int]) {
    let (output, argmax) = Pooling<Scalar>.maximumRecorded(input, kernelSize, stride, padding, dilation, ceilMode)
    return (output, argmax.map { Int($0) })
}

/// 2-D average pooling of an (N, C, H, W) input, as `torch.nn.functional.avg_pool2d`:
///
///     out[n, c, i, j] = (1 / d) Σ_{p < kH, q < kW} input[n, c, i stride.0 - padding.0 + p, j stride.1 - padding.1 + q]
///
/// where padded positions are zeros and the divisor d is `divisorOverride` when given (PyTorch's
/// `divisor_override`, the same for every window), else kH · kW when `countIncludePad` (PyTorch's default;
/// a window hanging over the padded input in `ceilMode` counts only the part inside it) or the number of
/// window positions inside the input otherwise. The output size is that of `maxPool2d`
/// (`ceilMode` included); the stride defaults to the kernel size. Each input position receives the upstream
/// gradient of every window containing it, divided by that window's d.
///
/// ```swift
/// let pooled = avgPool2d(x, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false)
/// ```
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func avgPool2d<Scalar>(
    _ input: Tensor<Scalar>, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
    countIncludePad: Bool = true, ceilMode: Bool = false, divisorOverride: Int? = nil
) -> Tensor<Scalar> {
    require(
        divisorOverride.map { $0 != 0 } ?? true, "avgPool2d: divisorOverride must not be 0 (PyTorch rejects it too)")
    let geometry = Pooling<Scalar>.geometry("avgPool2d", input.shape, kernelSize, stride, padding, ceilMode: ceilMode)
    let divisor = Pooling<Scalar>.Divisor(countIncludePad: countIncludePad, override: divisorOverride)
    let result = Tensor(
        shape: Pooling<Scalar>.outputShape(geometry), scalars: Pooling.average(input.scalars, geometry, divisor))
    guard Tensor.recording(input) else { return result }
    let inputShape = input.shape
    return Tensor.record("avgPool2d", result, inputs: [input]) { upstream in
        [Tensor(shape: inputShape, scalars: Pooling.averageGradient(upstream.scalars, geometry, divisor))]
    }
}

/// `avgPool2d` with a square window (and equal stride and padding along both axes).
public func avgPool2d<Scalar>(
    _ input: Tensor<Scalar>, kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true,
    ceilMode: Bool = false, divisorOverride: Int? = nil
) -> Tensor<Scalar> {
    avgPool2d(
        input, kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) },
        padding: (padding, padding), countIncludePad: countIncludePad, ceilMode: ceilMode,
        divisorOverride: divisorOverride)
}

/// The pooling loops over raw row-major buffers, one (sample, channel) plane at a time.
enum Pooling<Scalar: TensorScalar> {
    /// Checks the arguments and computes the output size; padding is limited to half the kernel, as in
    /// PyTorch, so that every window holds at least one input position.
    static func geometry(
        _ operation: String, _ shape: [Int], _ kernel: (Int, Int), _ stride: (Int, Int)?,
        _ padding: (Int, Int), dilation: (Int, Int) = (1, 1), ceilMode: Bool = false
    ) -> WindowGeometry {
        require(
            padding.0 <= kernel.0 / 2 && padding.1 <= kernel.1 / 2,
            "\(operation): padding \(padding) must be at most half the kernel size \(kernel)")
        let geometry = WindowGeometry(
            operation, input: shape, kernel: kernel, stride: stride ?? kernel, padding: padding, dilation: dilation)
        return ceilMode ? geometry.roundingOutputUp() : geometry
    }

    /// The max pooling of `input` with its gradient recorded, and each output's argmax in its plane.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func maximumRecorded(
        _ input: Tensor<Scalar>, _ kernelSize: (Int, Int), _ stride: (Int, Int)?, _ padding: (Int, Int),
        _ dilation: (Int, Int), _ ceilMode: Bool
    ) -> (output: Tensor<Scalar>, argmax: [Int32]) {
        let geometry = geometry(
            "maxPool2d", input.shape, kernelSize, stride, padding, dilation: dilation, ceilMode: ceilMode)
        let (output, argmax) = maximum(input.scalars, geometry)
        let result = Tensor(shape: outputShape(geometry), scalars: output)
        guard Tensor.recording(input) else { return (result, argmax) }
        let inputShape = input.shape
        let recorded = Tensor.record("maxPool2d", result, inputs: [input]) { upstream in
            [Tensor(shape: inputShape, scalars: maximumGradient(upstream.scalars, argmax: argmax, geometry))]
        }
        return (recorded, argmax)
    }

    static func outputShape(_ g: WindowGeometry) -> [Int] {
        [g.batch, g.channels, g.outputHeight, g.outputWidth]
    }

    /// The rows and columns of the input that window (i, j) covers, clipped to the input.
    @inline(__always)
    static func window(_ i: Int, _ j: Int, _ g: WindowGeometry) -> (rows: Range<Int>, columns: Range<Int>) {
        let top = i * g.strideHeight - g.paddingHeight
        let left = j * g.strideWidth - g.paddingWidth
        return (
            Swift.max(top, 0)..<Swift.min(top + g.kernelHeight, g.height),
            Swift.max(left, 0)..<Swift.min(left + g.kernelWidth, g.width)
        )
    }

    /// The maxima and, for each, its flat position within its input plane (NaN wins, as in PyTorch).
    /// Planes are independent and split between the cores.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package static func maximum(_ input: [Scalar], _ g: WindowGeometry) -> (values: [Scalar], argmax: [Int32]) {
        require(g.inputPlane <= Int(Int32.max), "maxPool2d: an input plane of \(g.height)x\(g.width) is too large")
        let planes = g.batch * g.channels
        let count = planes * g.outputPlane
        var argmax = [Int32](repeating: 0, count: count)
        let values = [Scalar](unsafeUninitializedCapacity: count) { out, initialized in
            input.withUnsafeBufferPointer { input in
                argmax.withUnsafeMutableBufferPointer { argmax in
                    let (input, out, argmax) = (input.baseAddress!, out.baseAddress!, argmax.baseAddress!)
                    ParallelChunks.forEach(count: planes, elementsPerItem: g.inputPlane) { range in
                        for plane in range {
                            maximum(
                                of: input + plane * g.inputPlane, g,
                                into: out + plane * g.outputPlane, argmax: argmax + plane * g.outputPlane)
                        }
                    }
                }
            }
            initialized = count
        }
        return (values, argmax)
    }

    /// The maxima of one plane's windows. The common 2 x 2 window with stride 2 and no padding goes
    /// through the scalar type's kernel (`VectorKernelScalar.maxPool2x2`), which reads its four values
    /// directly; every other geometry goes through the clipped window ranges.
    @inline(__always)
    package static func maximum(
        of source: UnsafePointer<Scalar>, _ g: WindowGeometry,
        into out: UnsafeMutablePointer<Scalar>, argmax: UnsafeMutablePointer<Int32>
    ) {
        if isTwoByTwo(g) {
            return Scalar.maxPool2x2(
                source, width: g.width, outputHeight: g.outputHeight,
                outputWidth: g.outputWidth, into: out, argmax: argmax)
        }
        let width = g.width
        if g.dilationHeight != 1 || g.dilationWidth != 1 {
            return dilatedMaximum(of: source, g, into: out, argmax: argmax)
        }
        for i in 0..<g.outputHeight {
            for j in 0..<g.outputWidth {
                let (rows, columns) = window(i, j, g)
                var best = -Scalar.infinity
                var position = rows.lowerBound * width + columns.lowerBound
                for r in rows {
                    for c in columns { consider(source[r * width + c], at: r * width + c, &best, &position) }
                }
                out[i * g.outputWidth + j] = best
                argmax[i * g.outputWidth + j] = Int32(truncatingIfNeeded: position)
            }
        }
    }

    /// The maxima of one plane's dilated windows: window (i, j) takes the rows i·sH − pH + p·dH (p < kH)
    /// and the columns j·sW − pW + q·dW (q < kW) that fall inside the input.
    static func dilatedMaximum(
        of source: UnsafePointer<Scalar>, _ g: WindowGeometry,
        into out: UnsafeMutablePointer<Scalar>, argmax: UnsafeMutablePointer<Int32>
    ) {
        func taps(_ start: Int, _ kernel: Int, _ dilation: Int, _ size: Int) -> [Int] {
            (0..<kernel).map { start + $0 * dilation }.filter { $0 >= 0 && $0 < size }
        }
        for i in 0..<g.outputHeight {
            let rows = taps(i * g.strideHeight - g.paddingHeight, g.kernelHeight, g.dilationHeight, g.height)
            for j in 0..<g.outputWidth {
                let columns = taps(j * g.strideWidth - g.paddingWidth, g.kernelWidth, g.dilationWidth, g.width)
                var best = -Scalar.infinity
                var position = rows[0] * g.width + columns[0]
                for r in rows {
                    for c in columns { consider(source[r * g.width + c], at: r * g.width + c, &best, &position) }
                }
                out[i * g.outputWidth + j] = best
                argmax[i * g.outputWidth + j] = Int32(truncatingIfNeeded: position)
            }
        }
    }

    /// One step of a window's maximum in row-major window order: `value` at `index` replaces `best` and
    /// `position` when it is greater or NaN. Selects rather than branches: random data makes the branch
    /// unpredictable.
    @inline(__always)
    static func consider(_ value: Scalar, at index: Int, _ best: inout Scalar, _ position: inout Int) {
        // `|` of the two tests, not `||`: no short-circuit branch either.
        let wins = ((value > best ? 1 : 0) | (value.isNaN ? 1 : 0)) != 0
        best = wins ? value : best
        position = wins ? index : position
    }

    /// Whether the windows are 2 x 2 with stride 2 and no padding (the fast path of `maximum(of:)`).
    @inline(__always)
    static func isTwoByTwo(_ g: WindowGeometry) -> Bool {
        g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2
            && g.paddingHeight == 0 && g.paddingWidth == 0 && g.dilationHeight == 1 && g.dilationWidth == 1
            && 2 * g.outputHeight <= g.height && 2 * g.outputWidth <= g.width  // no window past the edge (ceilMode)
    }

    /// Each upstream gradient added at its window's maximum, plane by plane (split between the cores;
    /// within a plane in output order, so overlapping windows add up in a fixed order). When 2 x 2
    /// windows tile the plane exactly, every input position is written once (the gradient at the
    /// maximum, 0 at the other three), with no zeroing pass first (through the scalar type's kernel
    /// `VectorKernelScalar.maxPool2x2Backward`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func maximumGradient(_ upstream: [Scalar], argmax: [Int32], _ g: WindowGeometry) -> [Scalar] {
        let planes = g.batch * g.channels
        let count = planes * g.inputPlane
        let tiles = isTwoByTwo(g) && g.height % 2 == 0 && g.width % 2 == 0
        return [Scalar](unsafeUninitializedCapacity: count) { dx, initialized in
            if !tiles { dx.initialize(repeating: 0) }
            upstream.withUnsafeBufferPointer { dy in
                argmax.withUnsafeBufferPointer { argmax in
                    guard count > 0 else { return }
                    let (dx, dy, argmax) = (dx.baseAddress!, dy.baseAddress!, argmax.baseAddress!)
                    ParallelChunks.forEach(count: planes, elementsPerItem: g.inputPlane) { range in
                        for plane in range {
                            let destination = dx + plane * g.inputPlane
                            let first = plane * g.outputPlane
                            if tiles {
                                Scalar.maxPool2x2Backward(
                                    dy + first, argmax: argmax + first, height: g.height,
                                    width: g.width, into: destination)
                            } else {
                                for o in first..<(first + g.outputPlane) { destination[Int(argmax[o])] += dy[o] }
                            }
                        }
                    }
                }
            }
            initialized = count
        }
    }

    /// What divides a window's sum: `override` when given, else kH · kW (clipped to the padded input, as
    /// PyTorch) when padding counts, else the number of input positions in the window.
    struct Divisor {
        let countIncludePad: Bool
        let override: Int?

        @inline(__always)
        func callAsFunction(_ i: Int, _ j: Int, _ g: WindowGeometry) -> Scalar {
            if let override { return Scalar(override) }
            if countIncludePad {
                let top = i * g.strideHeight - g.paddingHeight
                let left = j * g.strideWidth - g.paddingWidth
                let height = Swift.min(top + g.kernelHeight, g.height + g.paddingHeight) - top
                let width = Swift.min(left + g.kernelWidth, g.width + g.paddingWidth) - left
                return Scalar(height * width)
            }
            let (rows, columns) = window(i, j, g)
            return Scalar(rows.count * columns.count)
        }
    }

    /// Visits every window (i, j) of every plane with its flat output index and the rows and columns of
    /// the input it covers (clipped to the input).
    @inline(__always)
    static func forEachWindow(
        _ g: WindowGeometry,
        _ body: (_ plane: Int, _ i: Int, _ j: Int, _ output: Int, _ rows: Range<Int>, _ columns: Range<Int>) -> Void
    ) {
        for plane in 0..<(g.batch * g.channels) {
            for i in 0..<g.outputHeight {
                for j in 0..<g.outputWidth {
                    let (rows, columns) = window(i, j, g)
                    body(plane, i, j, (plane * g.outputHeight + i) * g.outputWidth + j, rows, columns)
                }
            }
        }
    }

    /// The window averages.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func average(_ input: [Scalar], _ g: WindowGeometry, _ divisor: Divisor) -> [Scalar] {
        let count = g.batch * g.channels * g.outputPlane
        return [Scalar](unsafeUninitializedCapacity: count) { out, initialized in
            input.withUnsafeBufferPointer { input in
                forEachWindow(g) { plane, i, j, o, rows, columns in
                    let source = input.baseAddress! + plane * g.inputPlane
                    var total: Scalar = 0
                    for r in rows {
                        for c in columns { total += source[r * g.width + c] }
                    }
                    out[o] = total / divisor(i, j, g)
                }
            }
            initialized = count
        }
    }

    /// Each upstream gradient, divided by its window's divisor, added to every input position of the window.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func averageGradient(_ upstream: [Scalar], _ g: WindowGeometry, _ divisor: Divisor) -> [Scalar] {
        var result = [Scalar](repeating: 0, count: g.batch * g.channels * g.inputPlane)
        result.withUnsafeMutableBufferPointer { dx in
            upstream.withUnsafeBufferPointer { dy in
                forEachWindow(g) { plane, i, j, o, rows, columns in
                    let destination = dx.baseAddress! + plane * g.inputPlane
                    let share = dy[o] / divisor(i, j, g)
                    for r in rows {
                        for c in columns { destination[r * g.width + c] += share }
                    }
                }
            }
        }
        return result
    }
}
