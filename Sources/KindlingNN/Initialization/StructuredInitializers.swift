import KindlingCore
import KindlingPlatform

extension Initializer {
    /// PyTorch's `orthogonal_`: QR of a Gaussian matrix with Q's columns signed by R's diagonal.
    static func orthogonalValues(shape: [Int], gain: Double, generator: RandomGenerator) -> [Double] {
        require(shape.count >= 2, "orthogonal: only tensors with 2 or more dimensions are supported, got shape \(shape)")
        let count = shape.reduce(1, *)
        guard count > 0 else { return [] }
        let rows = shape[0], columns = count / rows
        let drawn = (0..<count).map { _ in generator.standardNormal() }
        // Factorize the tall orientation: A (rows x columns) or Aᵀ when rows < columns.
        let transposing = rows < columns
        let tallRows = Swift.max(rows, columns), tallColumns = Swift.min(rows, columns)
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

    /// PyTorch's `sparse_`: Gaussian values, then ceil(sparsity · rows) rows zeroed per column.
    static func sparseValues(shape: [Int], sparsity: Double, standardDeviation: Double,
                             generator: RandomGenerator) -> [Double] {
        require(shape.count == 2, "sparse: only 2-D tensors are supported, got shape \(shape)")
        require((0...1).contains(sparsity), "sparse: sparsity \(sparsity) is not in [0, 1]")
        let rows = shape[0], columns = shape[1]
        let zerosPerColumn = Int((sparsity * Double(rows)).rounded(.up))
        var values = centredNormalValues(rows * columns, standardDeviation: standardDeviation, generator: generator)
        for column in 0..<columns {
            for row in generator.permutation(rows).prefix(zerosPerColumn) {
                values[row * columns + column] = 0
            }
        }
        return values
    }

    /// PyTorch's `eye_`: ones on the main diagonal of a 2-D tensor.
    static func eyeValues(shape: [Int]) -> [Double] {
        require(shape.count == 2, "eye: only 2-D tensors are supported, got shape \(shape)")
        let rows = shape[0], columns = shape[1]
        var values = [Double](repeating: 0, count: rows * columns)
        for i in 0..<Swift.min(rows, columns) { values[i * columns + i] = 1 }
        return values
    }

    /// PyTorch's `dirac_`: in each group, output channel d maps input channel d through the kernel centre.
    static func diracValues(shape: [Int], groups: Int) -> [Double] {
        require((3...5).contains(shape.count),
                     "dirac: only tensors with 3, 4, or 5 dimensions are supported, got shape \(shape)")
        require(groups > 0 && shape[0] % groups == 0,
                     "dirac: dimension 0 of shape \(shape) must be divisible by groups (\(groups))")
        var values = [Double](repeating: 0, count: shape.reduce(1, *))
        let strides = Shape.strides(of: shape)
        let outputsPerGroup = shape[0] / groups
        let centre = (2..<shape.count).reduce(0) { $0 + (shape[$1] / 2) * strides[$1] }
        for group in 0..<groups {
            for d in 0..<Swift.min(outputsPerGroup, shape[1]) {
                values[(group * outputsPerGroup + d) * strides[0] + d * strides[1] + centre] = 1
            }
        }
        return values
    }

    /// Xiao et al. 2018: an orthogonal (out, in) matrix times gain at the kernel's centre, zeros elsewhere.
    static func deltaOrthogonalValues(shape: [Int], gain: Double, generator: RandomGenerator) -> [Double] {
        require(shape.count >= 3,
                "deltaOrthogonal: only convolution weights (out, in, kernel...) are supported, got shape \(shape)")
        require(shape[0] >= shape[1],
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
