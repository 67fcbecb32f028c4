import KindlingCore
import KindlingPlatform

extension Initializer {
    /// Martens 2010, "Deep learning via Hessian-free optimization" (`torch.nn.init.sparse_`): for a 2-D
    /// (rows, columns) tensor, every element `generator.standardNormal() * standardDeviation` in row-major
    /// order, then for each column in turn `generator.permutation(rows)` (PyTorch's `randperm`) and the rows
    /// at its first ceil(sparsity · rows) entries set to 0, so every column has exactly that many zeros.
    public static func sparse(sparsity: Double, standardDeviation: Double = 0.01) -> Initializer {
        Initializer("sparse(sparsity: \(sparsity), standardDeviation: \(standardDeviation))") { shape, generator in
            require(shape.count == 2, "sparse: only 2-D tensors are supported, got shape \(shape)")
            require((0...1).contains(sparsity), "sparse: sparsity \(sparsity) is not in [0, 1]")
            let rows = shape[0]
            let columns = shape[1]
            let zerosPerColumn = Int((sparsity * Double(rows)).rounded(.up))
            var values = centredNormalValues(rows * columns, standardDeviation: standardDeviation, generator: generator)
            for column in 0..<columns {
                for row in generator.permutation(rows).prefix(zerosPerColumn) {
                    values[row * columns + column] = 0
                }
            }
            return values
        }
    }
}
