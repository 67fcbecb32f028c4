import KindlingCore

extension Module {
    /// A table of the model's layers as Keras's `model.summary()` prints it: each layer with its name,
    /// type, output shape for one example of `inputShape` (the batch dimension shown as `None`) and
    /// parameter count, then the totals of trainable, non-trainable (frozen parameters and buffers such as
    /// BatchNorm's running statistics, which Keras counts as non-trainable too) and their size in bytes.
    ///
    /// The layers of a `Sequential` (nested ones included) are listed one by one with their output shapes;
    /// any other module is one row. The shapes come from a forward pass of zeros (batch of 2) in
    /// evaluation mode, without a graph; each module's mode is restored afterwards.
    ///
    /// ```swift
    /// let model = Sequential<Float>(Linear(64, 32), ReLU(), Linear(32, 10))
    /// print(model.summary(inputShape: [64]))
    /// // Layer (type)        Output Shape        Param #
    /// // 0 (Linear)          (None, 32)          2,080    ...
    /// ```
    public func summary(inputShape: [Int]) -> String {
        let modes = namedModules.map { ($0.module, $0.module.isTraining) }
        eval()
        defer { for (module, mode) in modes { module.isTraining = mode } }
        var rows: [(name: String, type: String, shape: [Int], parameters: Int)] = []
        withoutGradient {
            var value = Tensor<Scalar>.zeros([2] + inputShape)
            func walk(_ module: any Module<Scalar>, name: String) {
                if let sequential = module as? Sequential<Scalar> {
                    for (child, layer) in sequential.namedChildren {
                        walk(layer, name: name.isEmpty ? child : "\(name).\(child)")
                    }
                    return
                }
                value = module(value)
                let count = module.parameters.reduce(0) { $0 + $1.shape.reduce(1, *) }
                rows.append((name, Self.typeName(of: module), Array(value.shape.dropFirst()), count))
            }
            walk(self, name: "")
        }
        let trainable = parameters.filter(\.requiresGradient).reduce(0) { $0 + $1.shape.reduce(1, *) }
        let frozen =
            parameters.filter { !$0.requiresGradient }.reduce(0) { $0 + $1.shape.reduce(1, *) }
            + namedBuffers.reduce(0) { $0 + $1.buffer.value.count }
        let bytesPerValue = MemoryLayout<Scalar>.size
        let table = rows.map { row in
            [
                "\(row.name) (\(row.type))", "(None, " + row.shape.map(String.init).joined(separator: ", ") + ")",
                Self.grouped(row.parameters),
            ]
        }
        let header = ["Layer (type)", "Output Shape", "Param #"]
        let widths = (0..<3).map { column in
            max(([header] + table).map { $0[column].count }.max() ?? 0, [28, 25, 10][column])
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        let ruleWidth = widths.reduce(0, +) + 2
        var lines = [
            "Model: \"\(Self.typeName(of: self))\"", String(repeating: "_", count: ruleWidth), line(header),
            String(repeating: "=", count: ruleWidth),
        ]
        for (index, row) in table.enumerated() {
            lines.append(line(row))
            if index < table.count - 1 { lines.append("") }
        }
        lines.append(String(repeating: "=", count: ruleWidth))
        func total(_ label: String, _ count: Int) -> String {
            "\(label): \(Self.grouped(count)) (\(Self.bytes(count * bytesPerValue)))"
        }
        lines += [
            total("Total params", trainable + frozen), total("Trainable params", trainable),
            total("Non-trainable params", frozen), String(repeating: "_", count: ruleWidth),
        ]
        return lines.joined(separator: "\n")
    }

    /// "Linear" for Linear<Float>.
    private static func typeName(of module: any Module<Scalar>) -> String {
        let name = String(describing: type(of: module))
        return String(name.prefix { $0 != "<" })
    }

    /// 12,345.
    private static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        return String(
            digits.enumerated().flatMap { index, digit in
                index > 0 && (digits.count - index) % 3 == 0 ? [",", digit] : [digit]
            })
    }

    /// Keras's sizes: "18.79 KB" (1 KB = 1024 bytes), "0.00 B".
    private static func bytes(_ count: Int) -> String {
        var value = Double(count)
        var unit = 0
        let units = ["B", "KB", "MB", "GB"]
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.2f", value) + " " + units[unit]
    }
}
