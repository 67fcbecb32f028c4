// ModuleList and ModuleDictionary: PyTorch's ModuleList and ModuleDict, with the same dotted keys.
import Kindling

final class MultiHead: ModuleBase, Module {
    let blocks = ModuleList<Float>((0..<3).map { _ in Linear(64, 64) })
    let heads = ModuleDictionary<Float>(["classifier": Linear(64, 10), "regressor": Linear(64, 1)])
    func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        heads["classifier"]!(blocks.reduce(x) { relu($1($0)) })
    }
}
print(MultiHead().stateDictionary.map(\.key))
// ["blocks.0.weight", "blocks.0.bias", ..., "heads.classifier.weight", ..., "heads.regressor.bias"]
