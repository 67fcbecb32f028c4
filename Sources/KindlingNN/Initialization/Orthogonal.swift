import KindlingCore
import KindlingPlatform

extension Initializer {
    /// Saxe et al. 2013, "Exact solutions to the nonlinear dynamics of learning in deep linear neural
    /// networks" (`torch.nn.init.orthogonal_`, Keras `Orthogonal`): rows = size(0), columns = count/rows;
    /// A = `generator.standardNormal()` drawn as a rows x columns matrix in row-major order (numpy's
    /// `randn(rows, columns)`), transposed if rows < columns; A = QR (LAPACK geqrf + orgqr); column j of Q
    /// multiplied by sign(R[j][j]) (which makes the result Haar-distributed); transposed back; times gain.
    /// So the rows (if rows ≤ columns) or the columns are orthonormal times gain. Needs 2 or more dimensions.
    public static func orthogonal(gain: Double = 1) -> Initializer {
        Initializer("orthogonal(gain: \(gain))") { shape, generator in
            orthogonalValues(shape: shape, gain: gain, generator: generator)
        }
    }

    /// Delta-orthogonal, Xiao et al. 2018, "Dynamical Isometry and a Mean Field Theory of CNNs: How to
    /// Train 10,000-Layer Vanilla Convolutional Neural Networks" (Algorithm 2; TensorFlow's
    /// `ConvolutionDeltaOrthogonal`): for a convolution weight (out, in, k...) with out ≥ in, zeros except
    /// at the kernel's centre (size/2 along each kernel axis), where W[:, :, centre] = gain · H with H an
    /// (out, in) matrix of orthonormal columns, drawn as `orthogonal` draws it for shape (out, in). A
    /// convolution padded to keep its size then maps each pixel's channel vector x to gain · H x, so it
    /// preserves norms exactly (dynamical isometry at initialization).
    public static func deltaOrthogonal(gain: Double = 1) -> Initializer {
        Initializer("deltaOrthogonal(gain: \(gain))") { shape, generator in
            require(
                shape.count >= 3,
                "deltaOrthogonal: only convolution weights (out, in, kernel...) are supported, got shape \(shape)")
            require(
                shape[0] >= shape[1],
                "deltaOrthogonal: needs at least as many output channels as input channels, got shape \(shape)")
            let centreMatrix = orthogonalValues(shape: [shape[0], shape[1]], gain: gain, generator: generator)
            let strides = Shape.strides(of: shape)
            let centre = (2..<shape.count).reduce(0) { $0 + (shape[$1] / 2) * strides[$1] }
            var values = [Double](repeating: 0, count: shape.reduce(1, *))
            for output in 0..<shape[0] {
                for input in 0..<shape[1] {
                    values[output * strides[0] + input * strides[1] + centre] = centreMatrix[output * shape[1] + input]
                }
            }
            return values
        }
    }

    /// PyTorch's `orthogonal_`: QR of a Gaussian matrix with Q's columns signed by R's diagonal.
    private static func orthogonalValues(shape: [Int], gain: Double, generator: RandomGenerator) -> [Double] {
        require(
            shape.count >= 2, "orthogonal: only tensors with 2 or more dimensions are supported, got shape \(shape)")
        let count = shape.reduce(1, *)
        guard count > 0 else { return [] }
        let rows = shape[0]
        let columns = count / rows
        let drawn = (0..<count).map { _ in generator.standardNormal() }
        // Factorize the tall orientation: A (rows x columns) or Aᵀ when rows < columns.
        let transposing = rows < columns
        let tallRows = Swift.max(rows, columns)
        let tallColumns = Swift.min(rows, columns)
        let tall = transposing ? transpose(drawn, rows: rows, columns: columns) : drawn
        let qr: QRFactorization<Double>
        do {
            qr = try QRFactorization(tall, rows: tallRows, columns: tallColumns)
        } catch {
            failRequirement("orthogonal: QR of the \(tallRows) x \(tallColumns) Gaussian matrix failed: \(error)")
        }
        var q = qr.q
        for j in 0..<tallColumns {
            let diagonal = qr.r[j * tallColumns + j]
            let sign: Double = diagonal > 0 ? 1 : (diagonal < 0 ? -1 : 0)
            for i in 0..<tallRows { q[i * tallColumns + j] *= sign }
        }
        let oriented = transposing ? transpose(q, rows: tallRows, columns: tallColumns) : q
        return oriented.map { $0 * gain }
    }

    /// The transpose of a row-major rows x columns matrix.
    private static func transpose(_ matrix: [Double], rows: Int, columns: Int) -> [Double] {
        var result = [Double](repeating: 0, count: matrix.count)
        for i in 0..<rows {
            for j in 0..<columns { result[j * rows + i] = matrix[i * columns + j] }
        }
        return result
    }
}
