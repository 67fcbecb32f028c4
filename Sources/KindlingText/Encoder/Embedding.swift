import KindlingCore
import KindlingNN
import KindlingPlatform

/// A lookup table of learned vectors (`torch.nn.Embedding`): id i maps to row i of a (count, dimension)
/// weight. Initialized from N(0, 1), as PyTorch does; the row of `paddingIndex` (if any) starts at zero
/// and receives no gradient.
public final class Embedding<Scalar: TensorScalar>: ModuleBase, Module {
    /// The table, shape (count, dimension).
    public let weight: Parameter<Scalar>
    /// The id whose row stays zero and untrained, if any.
    public let paddingIndex: Int?

    /// A table of `count` vectors of `dimension` values drawn from N(0, 1) with `generator`.
    public init(_ count: Int, _ dimension: Int, paddingIndex: Int? = nil, generator: RandomGenerator = .global) {
        require(count > 0 && dimension > 0, "Embedding: sizes must be positive, got \(count) x \(dimension)")
        if let paddingIndex {
            require(
                paddingIndex >= 0 && paddingIndex < count,
                "Embedding: padding index \(paddingIndex) is out of range for \(count) rows")
        }
        var table = Tensor<Scalar>.randn([count, dimension], generator: generator)
        if let paddingIndex {
            for j in 0..<dimension { table[paddingIndex, j] = 0 }
        }
        weight = Parameter(table)
        self.paddingIndex = paddingIndex
    }

    /// A table holding `weight` (count, dimension) as given (nothing is drawn, as when a checkpoint is
    /// loaded); the row of `paddingIndex` (if any) receives no gradient.
    public init(weight: Tensor<Scalar>, paddingIndex: Int? = nil) {
        require(weight.rank == 2, "Embedding: the weight must be (count, dimension), got \(weight.shape)")
        if let paddingIndex {
            require(
                paddingIndex >= 0 && paddingIndex < weight.shape[0],
                "Embedding: padding index \(paddingIndex) is out of range for \(weight.shape[0]) rows")
        }
        self.weight = Parameter(weight)
        self.paddingIndex = paddingIndex
    }

    /// The rows of `ids`, an array of integer ids of the given shape: the result has shape
    /// `shape + [dimension]`.
    public func callAsFunction(ids: [Int], shape: [Int]) -> Tensor<Scalar> {
        embedding(ids, shape: shape, weight: weight.value, paddingIndex: paddingIndex)
    }

    /// The rows of the ids held (as whole numbers) in `input`, of any shape S; the result has shape
    /// S + [dimension].
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let ids = input.scalars.map { value -> Int in
            require(value.rounded() == value && value.magnitude < 16_777_216, "Embedding: \(value) is not an id")
            return Int(value)
        }
        return self(ids: ids, shape: input.shape)
    }
}
