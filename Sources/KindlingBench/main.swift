// The benchmark runner behind Scripts/bench: `KindlingBench <workload> [--option value ...]` runs one
// workload and prints one JSON object per line and measured case, timing Kindling side by side with its
// reference. `KindlingBench list` names the workloads, `KindlingBench backend` describes the linear-algebra
// backend on one line. A new workload is a static `Workload` in its own file, added to the list below.
// Like the `kindling` executable, the runner first restarts on the best OpenBLAS kernels for the CPU when
// OpenBLAS picked narrower ones (see `kindling doctor`), through `ProcessSetup.prepareExecutable()`.
import Foundation
import Kindling

ProcessSetup.prepareExecutable()

let workloads: [Workload] = [
    .comparison, .mlpSGD, .mlpAdamW, .cnn, .cnnFrozen, .overhead, .memory, .matmul, .encoder, .embedCorpus,
    .csv, .digitsTraining, .distributed,
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, name != "--help", name != "-h" else {
    let names = workloads.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
    FileHandle.standardError.write(
        Data("usage: KindlingBench <workload> [--option value ...]\nworkloads:\n\(names)\n".utf8))
    exit(2)
}
if name == "backend" {
    print(
        "Kindling \(kindlingVersion): "
            + LinearAlgebraBackend.current.description.split(separator: "\n").joined(separator: "; "))
    exit(0)
}
if name == "list" {
    for workload in workloads { print(workload.name) }
    exit(0)
}
guard let workload = workloads.first(where: { $0.name == name }) else {
    let known = workloads.map(\.name).joined(separator: ", ")
    FileHandle.standardError.write(Data("KindlingBench: unknown workload '\(name)' (known: \(known))\n".utf8))
    exit(2)
}
do {
    try workload.run(BenchmarkOptions(Array(arguments.dropFirst())))
} catch {
    FileHandle.standardError.write(Data("KindlingBench \(name): \(error)\n".utf8))
    exit(1)
}
