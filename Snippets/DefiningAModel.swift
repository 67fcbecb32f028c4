// A model is a tree of modules; parameters are found by reflection and get PyTorch's state-dict keys.
import Kindling

final class SimpleCNN: ModuleBase, Module {
    let conv1 = Conv2d<Float>(3, 32, kernelSize: 3, padding: 1)
    let bn1 = BatchNorm2d<Float>(32)
    let relu = ReLU<Float>()
    let pool = MaxPool2d<Float>(kernelSize: 2)
    let fc = Linear<Float>(32 * 16 * 16, 10)

    func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        fc(pool(relu(bn1(conv1(x)))).flattened())
    }
}

let model = SimpleCNN()
print(model.stateDictionary.map(\.key))
// ["conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
//  "bn1.num_batches_tracked", "fc.weight", "fc.bias"]   — the same keys as PyTorch's state_dict()
model.eval()  // BatchNorm uses running stats, Dropout passes through
