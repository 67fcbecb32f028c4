// The course's experiment: He-initialized 2-10-5-1 ReLU network on circles, full-batch gradient descent.
import Kindling

let trainSet: Dataset<Double> = .circles(count: 300, noise: 0.05, generator: RandomGenerator(seed: 1))
let testSet: Dataset<Double> = .circles(count: 100, noise: 0.05, generator: RandomGenerator(seed: 2))
let net = Sequential<Double>(Linear(2, 10), ReLU(), Linear(10, 5), ReLU(), Linear(5, 1))
net.initializeWeights(.he, generator: RandomGenerator(seed: 3))

let history = train(
    net, on: trainSet,
    loss: { logits, batch in binaryCrossEntropyWithLogits(logits, batch.targets) },
    optimizer: try SGD(net.parameters, learningRate: 0.01),
    for: .iterations(15000), recordEvery: 1000)
print(history.losses)  // 0.8830537463419761 ... 0.07357895962677366, the course's digits
print(accuracy(of: net, on: testSet))  // 0.96
