import Kindling

extension Workload {
    /// See `OverheadWorkload`.
    static let overhead = Workload(
        name: "overhead",
        summary:
            "per-op cost: forward + backward of a chain of 20 element-wise ops and a sum on 4-element Float tensors",
        run: OverheadWorkload.run)
}

/// The fixed cost of one differentiable operation, where the arithmetic is negligible: one forward and
/// backward pass of a chain on 4-element Float tensors x, w, b that require gradients,
/// `y = x; 5 times { y = y * w; y = y + b; y = tanh(y); y = y - x }; y.sum().backward()`: 21 recorded
/// operations (the gradients of x, w and b accumulate over the passes, as they do in PyTorch).
/// 200 warm-up passes, then 5000 timed ones; microseconds_per_op is the time of one pass over 21.
/// Reference: reference_workloads.py overhead.
enum OverheadWorkload {
    static let operationsPerPass = 21

    static func run(options: BenchmarkOptions) throws {
        try options.rejectUnknown([])
        let x = Tensor<Float>([0.1, 0.2, 0.3, 0.4]).requiringGradient()
        let w = Tensor<Float>([0.9, 1.1, 0.8, 1.2]).requiringGradient()
        let b = Tensor<Float>([0.01, -0.02, 0.03, -0.04]).requiringGradient()
        func pass() {
            var y = x
            for _ in 0..<5 {
                y = y * w
                y = y + b
                y = tanh(y)
                y = y - x
            }
            y.sum().backward()
        }
        let (warmUp, passes) = (200, 5000)
        for _ in 0..<warmUp { pass() }
        let elapsed = seconds { for _ in 0..<passes { pass() } }
        printProcessResult(
            workload: "overhead", seconds: elapsed, steps: passes,
            extra: [
                "microseconds_per_op": elapsed / Double(passes * operationsPerPass) * 1e6
            ])
    }
}
