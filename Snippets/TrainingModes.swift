// Every module keeps its own training flag; code that switches modes for a while gives each one back.
import Kindling

final class Block: ModuleBase, Module {
    let fc = Linear<Float>(2, 4)
    let norm = BatchNorm1d<Float>(4)
    let drop = Dropout<Float>(probability: 0.5)
    func callAsFunction(_ input: Tensor<Float>) -> Tensor<Float> { drop(norm(fc(input))) }
}
let data = Dataset(features: Tensor<Float>([[1, 2], [3, -4], [-5, 6]]), labels: [0, 1, 1])
let block = Block()
block.norm.eval()  // freeze the statistics
_ = accuracy(of: block, on: data)  // the forward pass runs in evaluation mode...
print(block.namedModules.map { "\($0.name): \($0.module.isTraining)" })
// [": true", "fc: true", "norm: false", "drop: true"]   ...and every module has its own mode back
