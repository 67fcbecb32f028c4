// kindling-mistakes: makes one caller's mistake, named by its argument, so that a test can run the
// release build in a child process and check that Kindling stops with a message naming the operation and
// the shapes or values (MistakeMessageTests). It exists only to demonstrate those messages.
//
//     swift run -c release KindlingMistakes matmul
//     .../Requirement.swift:23: Fatal error: Kindling: matmul: shapes [2, 3] and [4, 5] do not fit (3 vs 4)
import Foundation
import Kindling

/// Each mistake by name; running one must stop the process.
let mistakes: [String: () -> Void] = [
    "broadcast": { _ = Tensor<Float>.ones([2, 3]) + Tensor<Float>.ones([4]) },
    "matmul": { _ = matmul(Tensor<Float>.ones([2, 3]), Tensor<Float>.ones([4, 5])) },
    "conv2d-channels": { _ = conv2d(Tensor<Float>.ones([1, 3, 8, 8]), weight: Tensor<Float>.ones([4, 2, 3, 3])) },
    "reshape": { _ = Tensor<Float>.ones([2, 3]).reshaped([4, 2]) },
    "backward-twice": {
        let x = Tensor<Float>([1, 2, 3]).requiringGradient()
        let loss = (x * x).sum()
        loss.backward()
        loss.backward()
    },
    "cross-entropy-class": { _ = crossEntropy(Tensor<Float>.zeros([2, 3]), classIndices: [0, 5]) },
    "linear-features": { _ = Linear<Float>(4, 2)(Tensor<Float>.ones([3, 5])) },
    "batchnorm-channels": { _ = BatchNorm2d<Float>(3)(Tensor<Float>.ones([2, 4, 5, 5])) },
    "tensor-scalars": { _ = Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5]) },
    "axis": { _ = Tensor<Float>.ones([2, 3]).sum(alongAxis: 2) },
    "clamp-bounds": { _ = clamp(Tensor<Float>.ones([2]), min: 1, max: 0) },
    "dropout-probability": { _ = Dropout<Float>(probability: 1.5) },
    "max-pool-padding": { _ = maxPool2d(Tensor<Float>.ones([1, 1, 4, 4]), kernelSize: (2, 2), padding: (2, 2)) },
    "tensor-index": { _ = Tensor<Float>.zeros([2, 3])[1, 3] },
    "backward-not-scalar": { (Tensor<Float>([1, 2]).requiringGradient() * 2).backward() },
    "clip-norm-type": { clipGradientNorm(Linear<Float>(2, 1).parameters, maxNorm: 1, normType: -1) },
]

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 1, let mistake = mistakes[arguments.first!] else {
    FileHandle.standardError.write(
        Data("usage: KindlingMistakes <mistake>, one of: \(mistakes.keys.sorted().joined(separator: ", "))\n".utf8))
    exit(2)
}
mistake()
print("KindlingMistakes: '\(arguments.first!)' did not stop the program")
exit(1)
