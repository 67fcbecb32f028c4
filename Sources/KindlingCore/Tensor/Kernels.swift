import KindlingPlatform

/// The element loops behind the operators. Each is generic over the scalar and pre-specialized for
/// Float and Double, so that even a call from unspecialized generic code runs a specialized loop.
enum Kernels {
    /// f applied to every element.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func map<S: TensorScalar>(_ a: [S], _ f: (S) -> S) -> [S] {
        [S](unsafeUninitializedCapacity: a.count) { out, initialized in
            a.withUnsafeBufferPointer { a in
                for i in 0..<a.count { out[i] = f(a[i]) }
            }
            initialized = a.count
        }
    }

    /// f applied to the elements of two equally long arrays pairwise.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func zip<S: TensorScalar>(_ a: [S], _ b: [S], _ f: (S, S) -> S) -> [S] {
        require(a.count == b.count, "zip: \(a.count) and \(b.count) elements")
        return [S](unsafeUninitializedCapacity: a.count) { out, initialized in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    for i in 0..<a.count { out[i] = f(a[i], b[i]) }
                }
            }
            initialized = a.count
        }
    }

    /// f applied pairwise after numpy broadcasting of the two shapes.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func broadcast<S: TensorScalar>(
        _ a: [S], _ aShape: [Int], _ b: [S], _ bShape: [Int], operation: String = "broadcast", _ f: (S, S) -> S
    ) -> (shape: [Int], scalars: [S]) {
        if aShape == bShape { return (aShape, zip(a, b, f)) }
        let shape = Shape.broadcast(aShape, bShape, operation: operation)
        if b.count == 1 {
            let y = b[0]
            let values = a.count == shape.reduce(1, *) ? map(a) { f($0, y) } : nil
            if let values { return (shape, values) }
        }
        if a.count == 1 {
            let x = a[0]
            let values = b.count == shape.reduce(1, *) ? map(b) { f(x, $0) } : nil
            if let values { return (shape, values) }
        }
        let count = shape.reduce(1, *)
        if let rows = Shape.rowsRepeating(bShape, within: shape), a.count == count {
            return (shape, repeatingRows(a, b, rows: rows, f))
        }
        if let rows = Shape.rowsRepeating(aShape, within: shape), b.count == count {
            return (shape, repeatingRows(b, a, rows: rows) { y, x in f(x, y) })
        }
        let aStrides = Shape.broadcastStrides(aShape, to: shape)
        let bStrides = Shape.broadcastStrides(bShape, to: shape)
        let rank = shape.count
        let inner = shape[rank - 1]
        let aInner = aStrides[rank - 1]
        let bInner = bStrides[rank - 1]
        let scalars = [S](unsafeUninitializedCapacity: count) { out, initialized in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    var index = [Int](repeating: 0, count: rank)
                    var aOffset = 0
                    var bOffset = 0
                    var o = 0
                    while o < count {
                        var ai = aOffset
                        var bi = bOffset
                        for _ in 0..<inner {
                            out[o] = f(a[ai], b[bi])
                            o += 1
                            ai += aInner
                            bi += bInner
                        }
                        // Advance the odometer over the outer axes.
                        var axis = rank - 2
                        while axis >= 0 {
                            index[axis] += 1
                            aOffset += aStrides[axis]
                            bOffset += bStrides[axis]
                            if index[axis] < shape[axis] { break }
                            aOffset -= aStrides[axis] * shape[axis]
                            bOffset -= bStrides[axis] * shape[axis]
                            index[axis] = 0
                            axis -= 1
                        }
                    }
                }
            }
            initialized = count
        }
        return (shape, scalars)
    }

    /// f(full[r][j], row[j]) for every row r of `full` (rows x row.count): the common case of a bias
    /// added to every row.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func repeatingRows<S: TensorScalar>(_ full: [S], _ row: [S], rows: Int, _ f: (S, S) -> S) -> [S] {
        let width = row.count
        return [S](unsafeUninitializedCapacity: full.count) { out, initialized in
            full.withUnsafeBufferPointer { full in
                row.withUnsafeBufferPointer { row in
                    for r in 0..<rows {
                        let base = r * width
                        for j in 0..<width { out[base + j] = f(full[base + j], row[j]) }
                    }
                }
            }
            initialized = full.count
        }
    }

    /// Combines the elements of `a` (of `shape`) along `axes` with `combine`, starting from `initial`;
    /// the result has size 1 on the reduced axes (kept dimensions).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func reduce<S: TensorScalar>(
        _ a: [S], _ shape: [Int], axes: Set<Int>, initial: S, _ combine: (S, S) -> S
    ) -> (shape: [Int], scalars: [S]) {
        let outShape = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        let outCount = outShape.reduce(1, *)
        var out = [S](repeating: initial, count: outCount)
        guard !a.isEmpty else { return (outShape, out) }
        if outCount == 1 {
            var total = initial
            a.withUnsafeBufferPointer { a in for x in a { total = combine(total, x) } }
            out[0] = total
            return (outShape, out)
        }
        let rank = shape.count
        let outStrides = Shape.strides(of: outShape).enumerated().map { axes.contains($0.offset) ? 0 : $0.element }
        let inner = shape[rank - 1]
        let innerStride = outStrides[rank - 1]
        a.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { out in
                var index = [Int](repeating: 0, count: rank)
                var outOffset = 0
                var i = 0
                while i < a.count {
                    var o = outOffset
                    for _ in 0..<inner {
                        out[o] = combine(out[o], a[i])
                        i += 1
                        o += innerStride
                    }
                    var axis = rank - 2
                    while axis >= 0 {
                        index[axis] += 1
                        outOffset += outStrides[axis]
                        if index[axis] < shape[axis] { break }
                        outOffset -= outStrides[axis] * shape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return (outShape, out)
    }

    /// The elements of `a` (of `shape`) rearranged so that result axis i is input axis `permutation[i]`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func permute<S: TensorScalar>(_ a: [S], _ shape: [Int], _ permutation: [Int]) -> [S] {
        let rank = shape.count
        let inStrides = Shape.strides(of: shape)
        let outShape = permutation.map { shape[$0] }
        let strides = permutation.map { inStrides[$0] }
        let count = a.count
        guard count > 0 else { return [] }
        return [S](unsafeUninitializedCapacity: count) { out, initialized in
            a.withUnsafeBufferPointer { a in
                var index = [Int](repeating: 0, count: rank)
                var offset = 0
                var o = 0
                let inner = outShape[rank - 1]
                let innerStride = strides[rank - 1]
                while o < count {
                    var i = offset
                    for _ in 0..<inner {
                        out[o] = a[i]
                        o += 1
                        i += innerStride
                    }
                    var axis = rank - 2
                    while axis >= 0 {
                        index[axis] += 1
                        offset += strides[axis]
                        if index[axis] < outShape[axis] { break }
                        offset -= strides[axis] * outShape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
            initialized = count
        }
    }
}
