import KindlingPlatform

/// Shape arithmetic shared by the operators: strides, numpy broadcasting, axis normalization.
public enum Shape {
    /// Row-major strides (in elements) of a shape.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// The numpy broadcast of two shapes: align from the right; sizes must be equal or one of them 1.
    /// Stops with a message naming both shapes when they do not broadcast.
    public static func broadcast(_ a: [Int], _ b: [Int], operation: String = "broadcast") -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else {
                failRequirement(
                    "\(operation): shapes \(a) and \(b) do not broadcast (axis \(i) of the result: \(x) vs \(y))")
            }
            result[i] = x == 1 ? y : x
        }
        return result
    }

    /// When a tensor of `shape` broadcast to `target` is one row repeated (its non-1 dimensions are the
    /// trailing dimensions of `target`, all equal), the number of rows; nil otherwise.
    static func rowsRepeating(_ shape: [Int], within target: [Int]) -> Int? {
        var trimmed = shape[...]
        while trimmed.first == 1 { trimmed = trimmed.dropFirst() }
        guard !trimmed.isEmpty, trimmed.count <= target.count,
            Array(target.suffix(trimmed.count)) == Array(trimmed)
        else { return nil }
        return target.dropLast(trimmed.count).reduce(1, *)
    }

    /// Strides for reading a tensor of `shape` as if broadcast to `target`: 0 along stretched axes.
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(of: shape)
        let offset = target.count - shape.count
        return (0..<target.count).map { i in
            i < offset || shape[i - offset] == 1 ? 0 : own[i - offset]
        }
    }

    /// Turns a possibly negative axis into 0..<rank; stops with a message when out of range.
    public static func normalize(axis: Int, rank: Int, operation: String = "axis") -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        require(
            normalized >= 0 && normalized < max(rank, 1),
            "\(operation): axis \(axis) is out of range for a tensor of rank \(rank)")
        return normalized
    }
}
